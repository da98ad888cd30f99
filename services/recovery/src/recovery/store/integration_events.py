"""Domain events -> integration events (`contracts.events.recovery`): the one place they translate.

The store adapter calls `to_contract` for each domain event a transition produced and writes the
result to the outbox in the same write as the case.

One rule for every event: a domain event's fields are its contract's, under the same names; its
instant `at` is the contract's `<verb>_at` (`filed_at`, `issued_at`, ...); a text the domain keeps
blank for "none" is absent (null) where the contract makes it optional. The table says which
contract and which instant; `test_integration_events` holds every domain event to its contract's
fields, so a field added on one side only fails a unit test instead of being dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from contracts.base import Event
from contracts.events import recovery as contracts
from recovery.domain import events as ev


@dataclass(frozen=True)
class Translation:
    contract: type[Event]
    instant: str  # the contract's name for the domain event's `at`
    blank_is_none: tuple[str, ...] = ()


TRANSLATIONS: dict[type[ev.DomainEvent], Translation] = {
    ev.CaseFiled: Translation(contracts.CaseFiled, "filed_at"),
    ev.CaseAssigned: Translation(contracts.CaseAssigned, "assigned_at"),
    ev.CaseAccepted: Translation(contracts.CaseAccepted, "accepted_at"),
    ev.CaseRefused: Translation(contracts.CaseRefused, "refused_at"),
    ev.CaseReturned: Translation(contracts.CaseReturned, "returned_at"),
    ev.CasePhaseChanged: Translation(contracts.CasePhaseChanged, "changed_at"),
    ev.LetterIssued: Translation(contracts.LetterIssued, "issued_at", blank_is_none=("document_id", "sha256")),
    ev.DebtorAnswered: Translation(contracts.DebtorAnswered, "answered_at"),
    ev.PaymentRecorded: Translation(contracts.CasePaymentRecorded, "recorded_at"),
    ev.CaseSettled: Translation(contracts.CaseSettled, "settled_at"),
    ev.CaseClosed: Translation(contracts.CaseClosed, "closed_at"),
    ev.FeeIncurred: Translation(contracts.FeeIncurred, "incurred_at"),
}


def to_contract(event: ev.DomainEvent) -> Event:
    translation = TRANSLATIONS[type(event)]
    values = {f.name: getattr(event, f.name) for f in fields(event) if f.name != "at"}
    for name in translation.blank_is_none:
        values[name] = values[name] or None
    return translation.contract.model_validate({**values, translation.instant: event.at})
