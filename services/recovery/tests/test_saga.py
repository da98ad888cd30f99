"""The saga's recovery side on fakes: grace, cancel before filing, settle after, wait for a mandate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from recovery.domain.cases import Phase
from recovery.domain.saga import BuyerAddress, SagaState
from recovery.handlers import saga
from recovery.ports import RecoveryPorts
from services.recovery.tests.fakes import FakeMandates, FakeSagaStore
from tests.clock import SettableClock

FACTS = saga.OrderFacts(
    "sch-1",
    "acc",
    "Boutique Dupont",
    "ORD-7",
    date(2026, 1, 10),
    "Jean Martin",
    "jean.martin@example.fr",
    BuyerAddress("3 rue des Clercs", "57000", "Metz"),
)


async def test_a_rejection_left_unregularised_past_the_grace_opens_an_assigned_case(
    ports: RecoveryPorts, clock: SettableClock
) -> None:
    await saga.learn_order(ports, FACTS)
    await saga.payment_rejected(ports, FACTS, 2, 4_266)
    await saga.payment_rejected(ports, FACTS, 2, 4_266)  # the retry declined too: the grace runs from the first
    assert await saga.advance_due(ports) is False
    clock.advance(days=14)
    assert await saga.advance_due(ports) is True
    stored = await ports.sagas.get("sch-1")
    assert stored is not None
    assert (stored.state, stored.case_id) == (SagaState.FILED, "saga-sch-1")
    case = await ports.cases.get("saga-sch-1")
    assert case.phase is Phase.ASSIGNED
    assert case.claim.total_cents == 4_266
    assert case.claim.debtor.display_name == "Jean Martin"
    assert case.creditor.account_id == "acc"
    assert await saga.advance_due(ports) is False  # filed once


async def test_a_regularisation_cancels_before_filing_and_settles_after(
    ports: RecoveryPorts, clock: SettableClock
) -> None:
    await saga.payment_rejected(ports, FACTS, 1, 4_266)
    cancelled = await saga.regularised(ports, "sch-1", "reg-1")
    assert cancelled.state is SagaState.CANCELLED
    clock.advance(days=30)
    assert await saga.advance_due(ports) is False

    other = replace(FACTS, schedule_id="sch-2")
    await saga.payment_rejected(ports, other, 1, 4_266)
    clock.advance(days=15)
    assert await saga.advance_due(ports) is True
    settled = await saga.regularised(ports, "sch-2", "reg-2")
    assert settled.state is SagaState.SETTLED
    assert (await ports.cases.get("saga-sch-2")).phase is Phase.SETTLED


async def test_a_retry_that_succeeds_cancels(ports: RecoveryPorts) -> None:
    await saga.payment_rejected(ports, FACTS, 1, 4_266)
    assert (await saga.payment_succeeded(ports, "sch-1", 1)).state is SagaState.CANCELLED


async def test_a_merchant_without_a_mandate_is_mailed_and_the_case_waits_for_it(
    ports: RecoveryPorts, clock: SettableClock
) -> None:
    ports = replace(ports, mandates=FakeMandates())
    await saga.payment_rejected(ports, FACTS, 1, 4_266)
    clock.advance(days=14)
    assert await saga.advance_due(ports) is True
    waiting = await ports.sagas.get("sch-1")
    assert waiting is not None
    assert waiting.state is SagaState.AWAITING_MANDATE
    store = ports.sagas
    assert isinstance(store, FakeSagaStore)
    assert [m.to for m in store.mails] == ["compta@dupont.example"]
    assert "mandat" in store.mails[0].subject
    signed = replace(ports, mandates=FakeMandates("acc"))
    assert await saga.mandate_signed(signed, "acc") == 1
    assert await saga.advance_due(signed) is True
    filed = await ports.sagas.get("sch-1")
    assert filed is not None
    assert filed.state is SagaState.FILED


async def test_without_the_buyers_address_the_saga_says_why_it_cannot_file(
    ports: RecoveryPorts, clock: SettableClock
) -> None:
    facts = replace(FACTS, buyer_address=None)
    await saga.payment_rejected(ports, facts, 1, 4_266)
    clock.advance(days=14, seconds=1)
    assert await saga.advance_due(ports) is True
    stored = await ports.sagas.get("sch-1")
    assert stored is not None
    assert stored.state is SagaState.UNFILEABLE
    assert "address" in stored.reason
    assert stored.due_at is None
    assert stored.history[-1][0] == clock.now()
