"""Every domain event translates, in one place, into a registered integration event of recovery."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime, timedelta

import pytest

from contracts import REGISTRY, Envelope, decode_event
from contracts.events import recovery as contracts
from recovery.domain import cases, fees
from recovery.domain import events as ev
from recovery.domain.cases import Actor, ActorKind, Answer, Creditor
from recovery.domain.claims import accept_claim
from recovery.store.integration_events import TRANSLATIONS, to_contract
from services.recovery.tests.builders import FILED_ON, claim
from services.recovery.tests.conftest import METZ_OFFICES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEBTOR = Actor(ActorKind.DEBTOR, "c")


def every_kind_of_event() -> list[ev.DomainEvent]:
    produced: list[ev.DomainEvent] = []

    def keep(decision: cases.Decision) -> cases.Case:
        produced.extend(decision.events)
        return decision.case

    case = keep(cases.file_case("c", Creditor("acc"), accept_claim(claim(), FILED_ON), T0))
    case = keep(cases.assign(case, METZ_OFFICES[0], T0))
    case = keep(cases.refuse(case, "metz-a", "busy", METZ_OFFICES[1], T0))
    case = keep(cases.accept(case, "metz-b", T0))
    case = keep(cases.start_amicable(case, "c:plain", T0, T0))
    assert case.due_at is not None
    case = keep(cases.advance(case, case.due_at, letter_id="c:registered"))
    case = keep(cases.record_answer(case, Answer.ACCEPTED, DEBTOR, T0 + timedelta(days=17), proposed_amount_cents=100))
    case = keep(cases.record_payment(case, "p1", 1_000, DEBTOR, T0 + timedelta(days=18)))
    keep(cases.record_agreement(case, "metz-b", 1_000, "once", "T-1", FILED_ON, T0 + timedelta(days=19)))
    keep(cases.assign(cases.file_case("r", Creditor("acc"), accept_claim(claim(), FILED_ON), T0).case, None, T0))
    paid = cases.file_case("s", Creditor("acc"), accept_claim(claim(), FILED_ON), T0).case
    keep(cases.record_payment(paid, "all", paid.balance_cents, DEBTOR, T0))
    produced.extend(fees.fees_of(list(produced), fees.FeeSchedule(), None))
    return produced


def test_every_domain_event_type_is_produced_and_translated() -> None:
    produced = every_kind_of_event()
    assert {type(e) for e in produced} == set(typing.get_args(ev.DomainEvent))
    for event in produced:
        contract = to_contract(event)
        assert contract.event_owner == "recovery"
        assert REGISTRY.get(contract.event_name, contract.event_version) is type(contract)
        assert contract.subject() == event.case_id
        envelope = Envelope.wrap(contract, occurred_at=event.at)
        assert decode_event(Envelope.model_validate_json(envelope.to_bytes())) == contract


def test_the_issues_events_are_registered_with_recovery_topics() -> None:
    names = {cls.event_name for cls in REGISTRY if cls.event_owner == "recovery"}
    assert {
        "CaseFiled",
        "CaseAssigned",
        "CaseAccepted",
        "CaseRefused",
        "CasePhaseChanged",
        "LetterIssued",
        "DebtorAnswered",
        "CaseSettled",
        "CaseClosed",
    } <= names
    assert contracts.CasePhaseChanged.topic == "creditdesk.recovery.case-phase-changed.v1"


def test_a_phase_change_carries_the_creditor_and_the_next_deadline() -> None:
    changed = next(e for e in every_kind_of_event() if isinstance(e, ev.CasePhaseChanged) and e.to_phase == "amicable")
    contract = to_contract(changed)
    assert isinstance(contract, contracts.CasePhaseChanged)
    assert (contract.creditor_id, contract.from_phase, contract.to_phase) == ("acc", "accepted", "amicable")
    assert contract.due_at == changed.due_at
    assert contract.due_at is not None


@pytest.mark.parametrize("domain_event", typing.get_args(ev.DomainEvent), ids=lambda t: t.__name__)
def test_a_domain_event_carries_exactly_its_contracts_fields(domain_event: type[ev.DomainEvent]) -> None:
    translation = TRANSLATIONS[domain_event]
    carried = {f.name for f in dataclasses.fields(domain_event)} - {"at"} | {translation.instant}
    contract_fields = translation.contract.model_fields
    required = {name for name, field in contract_fields.items() if field.is_required()}
    assert carried <= set(contract_fields), "a domain field its contract would drop"
    assert required <= carried, "a contract field the domain event does not give"
    assert set(translation.blank_is_none) <= carried


def test_a_letter_without_a_document_has_none_in_its_contract() -> None:
    issued = ev.LetterIssued("c", T0, "acc", "metz-a", "c:plain", "plain", ("post", "email"))
    contract = to_contract(issued)
    assert isinstance(contract, contracts.LetterIssued)
    assert (contract.document_id, contract.sha256, contract.issued_at) == (None, None, T0)
