"""The use cases, on in-memory fakes of the ports: load, decide in the domain, save with the events."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import get_args

import pytest

from recovery.domain import events as ev
from recovery.domain.cases import Actor, ActorKind, Answer, CaseError, Creditor, IllegalTransition, Phase
from recovery.domain.claims import ClaimRefused
from recovery.handlers import (
    HANDLERS,
    AcceptCase,
    AdvanceDueDeadlines,
    AssignCase,
    Command,
    FileCase,
    RecordAgreement,
    RecordDebtorAnswer,
    RecordPayment,
    RefuseCase,
    StartAmicable,
    Withdraw,
    dispatch,
)
from recovery.ports import CaseNotFound, RecoveryPorts, StaleCase
from services.recovery.tests.builders import JPEG, PDF, claim, invoice, proof
from services.recovery.tests.fakes import FakeCaseStore
from tests.clock import SettableClock

CREDITOR = Creditor("acc-creditor", trader=True)
CREDITOR_ACTOR = Actor(ActorKind.CREDITOR, "acc-creditor")
DEBTOR = Actor(ActorKind.DEBTOR, "c1")


async def file(ports: RecoveryPorts, case_id: str = "c1") -> None:
    await dispatch(FileCase(case_id, CREDITOR, claim(), (proof(),)), ports)


async def accepted(ports: RecoveryPorts, case_id: str = "c1") -> str:
    await file(ports, case_id)
    case = await dispatch(AssignCase(case_id), ports)
    assert case is not None
    assert case.office_id is not None
    await dispatch(AcceptCase(case_id, case.office_id), ports)
    return case.office_id


def test_every_command_has_its_handler() -> None:
    assert set(HANDLERS) == set(get_args(Command))


async def test_file_case_stores_the_case_with_its_event(ports: RecoveryPorts, store: FakeCaseStore) -> None:
    await file(ports)
    case = await store.get("c1")
    assert case.phase is Phase.FILED
    assert case.claim.total_cents == 201_234
    assert [type(e) for e in store.events] == [ev.CaseFiled, ev.FeeIncurred]
    fee = store.events[1]
    assert isinstance(fee, ev.FeeIncurred)
    assert (fee.fee_id, fee.step, fee.amount_cents, fee.creditor_id) == ("c1:filing", "filing", 1_500, "acc-creditor")


async def test_filing_twice_with_the_same_id_files_once(ports: RecoveryPorts, store: FakeCaseStore) -> None:
    await file(ports)
    await file(ports)
    assert len(store.events) == 2  # filed, and its fee
    with pytest.raises(CaseError) as taken:
        await dispatch(FileCase("c1", Creditor("someone-else"), claim(), (proof(),)), ports)
    assert taken.value.code == "case-id-taken"


async def test_a_refused_claim_stores_nothing(ports: RecoveryPorts, store: FakeCaseStore) -> None:
    with pytest.raises(ClaimRefused) as refused:
        await dispatch(
            FileCase("c1", CREDITOR, claim(invoices=(invoice(amount_cents=500_001),), interest_cents=0), (proof(),)),
            ports,
        )
    assert refused.value.codes == {"ceiling-exceeded"}
    assert store.cases == {}
    assert store.events == []


async def test_the_filing_day_is_the_clocks_day(ports: RecoveryPorts, clock: SettableClock) -> None:
    clock.at = datetime(2026, 2, 3, 23, 30, tzinfo=UTC)  # 4 February in Paris: the invoice's due date
    with pytest.raises(ClaimRefused) as refused:
        await file(ports)
    assert refused.value.codes == {"invoice-not-due"}


async def test_assign_picks_the_least_loaded_competent_office(ports: RecoveryPorts, store: FakeCaseStore) -> None:
    for case_id in ("c1", "c2", "c3"):
        await file(ports, case_id)
        await dispatch(AssignCase(case_id), ports)
    offices = [store.cases[c].office_id for c in ("c1", "c2", "c3")]
    assert offices == ["metz-a", "metz-b", "thionville-c"]  # the Paris office is never competent for Moselle
    await file(ports, "c4")
    await dispatch(Withdraw("c2", CREDITOR_ACTOR), ports)  # metz-b now has no open case
    case = await dispatch(AssignCase("c4"), ports)
    assert case is not None
    assert case.office_id == "metz-b"


async def test_refusals_go_to_the_next_office_then_back_to_the_creditor(
    ports: RecoveryPorts, store: FakeCaseStore
) -> None:
    await file(ports)
    await dispatch(AssignCase("c1"), ports)
    for office in ("metz-a", "metz-b"):
        case = await dispatch(RefuseCase("c1", office, "too many cases"), ports)
        assert case is not None
        assert case.phase is Phase.ASSIGNED
    case = await dispatch(RefuseCase("c1", "thionville-c", "conflict of interest"), ports)
    assert case is not None
    assert case.phase is Phase.RETURNED
    assert case.refused_by == ("metz-a", "metz-b", "thionville-c")
    assert [type(e).__name__ for e in store.events_of("c1")][-3:] == ["CaseRefused", "CaseReturned", "CasePhaseChanged"]


async def test_the_whole_procedure_through_the_sweeper(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    await accepted(ports)
    await dispatch(StartAmicable("c1"), ports)
    assert await dispatch(AdvanceDueDeadlines(), ports) is None  # nothing due yet
    clock.advance(days=16)
    case = await dispatch(AdvanceDueDeadlines(), ports)
    assert case is not None
    assert case.phase is Phase.SIMPLIFIED
    assert [letter.letter_id for letter in case.letters] == ["c1.plain", "c1.registered"]
    assert await dispatch(AdvanceDueDeadlines(), ports) is None  # one transition per deadline, never two
    # Registered letter on Wednesday 18 March: a month later is Saturday 18 April, so the month ends
    # on Monday 20 April; the debtor may still answer that day.
    clock.advance(days=33)  # Monday 20 April, 09:00 UTC
    assert await dispatch(AdvanceDueDeadlines(), ports) is None
    clock.advance(days=1)
    case = await dispatch(AdvanceDueDeadlines(), ports)
    assert case is not None
    assert case.phase is Phase.INJUNCTION_AVAILABLE
    assert store.claimed == set()


async def test_the_sweeper_passes_a_silent_office_to_the_next(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    await file(ports)
    await dispatch(AssignCase("c1"), ports)
    clock.advance(days=10)
    case = await dispatch(AdvanceDueDeadlines(), ports)
    assert case is not None
    assert (case.phase, case.office_id) == (Phase.ASSIGNED, "metz-b")
    assert case.refusals[0].office_id == "metz-a"


async def test_a_claimed_case_is_not_claimed_twice_and_a_failed_one_is_released(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    await accepted(ports)
    await dispatch(StartAmicable("c1"), ports)
    clock.advance(days=16)
    claimed = await store.claim_due(clock.now())
    assert claimed is not None
    assert await dispatch(AdvanceDueDeadlines(), ports) is None  # another sweeper: the case is held
    await store.release("c1")

    async def stale_save(*_: object, **__: object) -> None:
        raise StaleCase("c1")

    store.save = stale_save  # type: ignore[method-assign]
    with pytest.raises(StaleCase):
        await dispatch(AdvanceDueDeadlines(), ports)
    assert store.claimed == set()  # released: the next sweep takes it again


async def test_a_save_over_a_stale_version_is_refused(ports: RecoveryPorts, store: FakeCaseStore) -> None:
    await file(ports)
    loaded = await store.get("c1")
    await dispatch(AssignCase("c1"), ports)
    with pytest.raises(StaleCase):
        await store.save(loaded, [], expected_version=loaded.version)


async def test_debtor_answer_payment_agreement_and_withdrawal(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    office = await accepted(ports)
    await dispatch(StartAmicable("c1"), ports)
    clock.advance(days=16)
    await dispatch(AdvanceDueDeadlines(), ports)
    clock.advance(days=3)
    case = await dispatch(
        RecordDebtorAnswer("c1", Answer.ACCEPTED, DEBTOR, proposed_amount_cents=150_000, proposed_terms="2 x 750"),
        ports,
    )
    assert case is not None
    assert case.phase is Phase.DEBTOR_ACCEPTED
    case = await dispatch(RecordPayment("c1", "vir-1", 1_234, Actor(ActorKind.COMMISSAIRE, office)), ports)
    assert case is not None
    assert case.balance_cents == 200_000
    today = clock.now().date()
    case = await dispatch(RecordAgreement("c1", office, 200_000, "2 x 1000 EUR", "TE-1", today), ports)
    assert case is not None
    assert case.phase is Phase.CLOSED
    assert case.outcome == "agreement"
    with pytest.raises(IllegalTransition):
        await dispatch(Withdraw("c1", CREDITOR_ACTOR), ports)


async def test_a_payment_in_full_settles_and_the_same_payment_again_changes_nothing(
    ports: RecoveryPorts, store: FakeCaseStore
) -> None:
    await accepted(ports)
    await dispatch(RecordPayment("c1", "sepa-9", 201_234, DEBTOR), ports)
    count = len(store.events)
    case = await dispatch(RecordPayment("c1", "sepa-9", 201_234, DEBTOR), ports)
    assert case is not None
    assert case.phase is Phase.SETTLED
    assert len(store.events) == count


async def test_the_plain_letter_goes_on_acceptance_and_the_15_days_count_from_it(
    ports: RecoveryPorts, clock: SettableClock
) -> None:
    await accepted(ports)
    case = await dispatch(StartAmicable("c1"), ports)  # sent already: changes nothing
    assert case is not None
    assert case.phase is Phase.AMICABLE
    assert case.letters[0].sent_at == clock.now()
    assert case.due_at is not None
    assert case.due_at.date() == date(2026, 3, 17)


async def test_an_unknown_case_is_not_found(ports: RecoveryPorts) -> None:
    with pytest.raises(CaseNotFound):
        await dispatch(AcceptCase("nope", "metz-a"), ports)


async def test_the_proofs_are_stored_and_referenced_by_the_case(ports: RecoveryPorts, store: FakeCaseStore) -> None:
    await dispatch(FileCase("c1", CREDITOR, claim(), (proof(), proof("bon.jpg", JPEG))), ports)
    case = await store.get("c1")
    assert [(d.name, d.media_type, d.size) for d in case.documents] == [
        ("facture-F-2026-001.pdf", "application/pdf", len(PDF)),
        ("bon.jpg", "image/jpeg", len(JPEG)),
    ]
    assert await ports.documents.get(case.documents[0].document_id) == PDF
    assert case.documents[0].sha256 == hashlib.sha256(PDF).hexdigest()
    filed = store.events[0]
    assert isinstance(filed, ev.CaseFiled)
    assert filed.documents == 2


async def test_bad_proofs_are_reported_with_the_claims_faults_and_nothing_is_stored(
    ports: RecoveryPorts, store: FakeCaseStore
) -> None:
    fake_pdf = proof("facture.pdf", b"MZ\x90\x00 an executable renamed")
    with pytest.raises(ClaimRefused) as refused:
        await dispatch(FileCase("c1", CREDITOR, claim(cause="tort"), (fake_pdf,)), ports)
    assert refused.value.codes == {"cause-not-covered", "document-type-not-allowed"}
    with pytest.raises(ClaimRefused) as missing:
        await dispatch(FileCase("c1", CREDITOR, claim()), ports)
    assert missing.value.codes == {"proof-required"}
    assert store.cases == {}
    assert ports.documents.documents == {}  # type: ignore[attr-defined]
