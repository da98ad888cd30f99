"""The procedure's fees, borne by the creditor (CPCE L125-1): each billable step of a case incurs
its fee once, keyed `<case_id>:<step>` (billing collects it by SEPA direct debit under the mandate).

The amounts are a setting (`RecoverySettings.fee_*`, README "Fees"); a step whose amount is 0 bills
nothing. The steps follow from the events a transition produced, so every handler bills alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from recovery.domain import events as ev


class FeeStep(StrEnum):
    FILING = "filing"
    AMICABLE_LETTER = "amicable_letter"
    REGISTERED_LETTER = "registered_letter"
    INJUNCTION_REQUEST = "injunction_request"


@dataclass(frozen=True)
class FeeSchedule:
    filing_cents: int = 1_500
    amicable_letter_cents: int = 500
    registered_letter_cents: int = 1_200
    injunction_request_cents: int = 1_000

    def amount(self, step: FeeStep) -> int:
        return {
            FeeStep.FILING: self.filing_cents,
            FeeStep.AMICABLE_LETTER: self.amicable_letter_cents,
            FeeStep.REGISTERED_LETTER: self.registered_letter_cents,
            FeeStep.INJUNCTION_REQUEST: self.injunction_request_cents,
        }[step]


LETTER_STEPS = {
    "plain": FeeStep.AMICABLE_LETTER,
    "registered": FeeStep.REGISTERED_LETTER,
    "injunction_request": FeeStep.INJUNCTION_REQUEST,
}


def fee_id(case_id: str, step: FeeStep) -> str:
    return f"{case_id}:{step.value}"


def fees_of(events: Sequence[ev.DomainEvent], schedule: FeeSchedule, company_id: str | None) -> list[ev.FeeIncurred]:
    """The fees the events of one transition incur."""
    fees: list[ev.FeeIncurred] = []
    for event in events:
        step: FeeStep | None = None
        if isinstance(event, ev.CaseFiled):
            step, creditor = FeeStep.FILING, event.creditor_id
        elif isinstance(event, ev.LetterIssued):
            step, creditor = LETTER_STEPS.get(event.kind), event.creditor_id
        if step is None:
            continue
        amount = schedule.amount(step)
        if amount <= 0:
            continue
        fees.append(
            ev.FeeIncurred(
                event.case_id, event.at, fee_id(event.case_id, step), creditor, company_id, step.value, amount
            )
        )
    return fees


def with_fees(events: Sequence[ev.DomainEvent], schedule: FeeSchedule, company_id: str | None) -> list[ev.DomainEvent]:
    return [*events, *fees_of(events, schedule, company_id)]
