"""Billing's handlers on the real local Mongo server and Kafka: schedules,
durable debit runs (no skip, no repeat, no double claim), regularisation,
onboarding. Time is a settable clock: nothing sleeps on real time."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from billing.domain.bank import BankDetails, Civility
from billing.domain.schedules import InstallmentStatus, Order, ScheduleStatus
from billing.handlers import debits, mandates, onboarding, regularisation, schedules
from billing.handlers.common import CardInput, PaymentRejectedProblem
from billing.ports import StaleSchedule
from billing.settings import BillingSettings
from billing.store.schedules import ScheduleStore
from chassis.errors import Problem
from chassis.leases import Leases
from devstack.stack import Stack
from services.billing.tests.service_app import BillingApp, billing_app
from tests.polling import eventually

pytestmark = pytest.mark.infra
GOOD, DECLINES, AMEX = "4242424242424242", "4000000000000002", "378282246310005"


START = datetime(2019, 8, 4, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
async def service(stack: Stack) -> AsyncIterator[BillingApp]:
    """One billing app for the module (starting Kafka consumers is slow); each test has its own ids."""
    async with billing_app(stack, "billing_t", START) as started:
        yield started


@pytest.fixture
async def harness(service: BillingApp) -> BillingApp:
    service.clock.at = START
    await service.db["schedules"].delete_many({})  # what earlier tests left due
    return service


def new(o: Order, number: str = GOOD, month: int = 12, year: int = 2030) -> schedules.NewSchedule:
    return schedules.NewSchedule(o, CardInput(number, month, year))


def order(count: int = 3, amount: int = 12796, number: str | None = None) -> Order:
    return Order(number or uuid.uuid4().hex[:10], "Boutique", "buyer@example.fr", amount, 0, date(2019, 8, 4), count)


async def test_a_schedule_is_stored_with_its_event_and_paid_by_debit_runs(harness: BillingApp) -> None:
    billing = harness.billing
    schedule = await schedules.create_schedule(billing, new(order(), GOOD, 12, 2030), created_by="merchant-1")
    stored = await harness.db["schedules"].find_one({"_id": schedule.schedule_id})
    assert stored is not None
    assert "number" not in str(stored["card"]) or GOOD not in str(stored)  # never the card number
    assert GOOD not in str(stored)
    assert stored["card"]["last4"] == "4242"
    report = await debits.run_due_debits(billing)
    assert report.succeeded == 1
    assert (await debits.run_due_debits(billing)).debited == 0  # nothing more due today
    report = await debits.run_due_debits(billing, as_of=datetime(2019, 10, 3, 8, tzinfo=UTC))
    assert report.succeeded == 2
    found = await billing.schedules.get(schedule.schedule_id)
    assert found is not None
    assert found[0].status is ScheduleStatus.COMPLETED
    assert [p.amount_cents for p in found[0].installments] == [4266, 4265, 4265]


async def test_an_order_gets_one_schedule_and_bad_cards_are_refused(harness: BillingApp) -> None:
    billing = harness.billing
    await schedules.create_schedule(billing, new(order(number="ORD-X"), GOOD, 12, 2030), created_by="m")
    with pytest.raises(Problem) as duplicate:
        await schedules.create_schedule(billing, new(order(number="ORD-X"), GOOD, 12, 2030), created_by="m")
    assert duplicate.value.status == 409
    with pytest.raises(Problem, match="Visa or Mastercard"):
        await schedules.create_schedule(billing, new(order(), AMEX, 12, 2030), created_by="m")
    with pytest.raises(Problem, match="before the last installment"):
        await schedules.create_schedule(billing, new(order(), GOOD, 9, 2019), created_by="m")
    with pytest.raises(Problem, match="mistyped"):
        await schedules.create_schedule(billing, new(order(), "4242424242424241", 12, 2030), created_by="m")


def other_runner(harness: BillingApp, owner: str) -> ScheduleStore:
    """Another billing process's view of the same schedules: its own lease owner, same clock."""
    store = harness.billing.schedules
    assert isinstance(store, ScheduleStore)
    leases = Leases(harness.db["schedules"], owner=owner, clock=harness.clock, ttl=store.leases.ttl)
    return ScheduleStore(harness.db, store._outbox, harness.billing.policy, leases)


async def test_a_crash_after_the_charge_neither_repeats_nor_skips_the_debit(harness: BillingApp) -> None:
    billing = harness.billing
    schedule = await schedules.create_schedule(billing, new(order(), GOOD, 12, 2030), created_by="m")
    # A runner claims and charges, then dies before recording the outcome.
    dead = other_runner(harness, "dead-runner")
    claimed = await dead.claim_due(due_by=harness.clock.at, schedule_id=schedule.schedule_id)
    assert claimed is not None
    key = f"{schedule.schedule_id}:installment:1:1"
    await billing.provider.charge(claimed.schedule.card.token, 4266, idempotency_key=key)
    # While its lease holds, nobody else takes the schedule.
    assert (await debits.run_due_debits(billing)).debited == 0
    # The scheduler knows when to come back: when the dead runner's lease lapses.
    assert 10 <= await debits.seconds_to_takeover(billing, within=60) <= 11
    harness.clock.advance(seconds=9)
    assert (await debits.run_due_debits(billing)).debited == 0
    # Once the lease lapses (it is never renewed), the next run records the debit with the same key: charged once.
    harness.clock.advance(seconds=1.5)
    report = await debits.run_due_debits(billing)
    assert report.payment_ids == [key]
    assert await harness.db["provider_charges"].count_documents({"_id": {"$regex": f"^{schedule.schedule_id}"}}) == 1
    found = await billing.schedules.get(schedule.schedule_id)
    assert found is not None
    assert found[0].installments[0].status is InstallmentStatus.PAID
    document = await harness.db["schedules"].find_one({"_id": schedule.schedule_id})
    assert document is not None
    assert [e["topic"] for e in document.get("_outbox", [])].count("creditdesk.billing.payment-succeeded.v1") <= 1
    assert await debits.seconds_to_takeover(billing, within=60) == 60  # nothing held by others any more


def test_a_debit_lease_lasts_ten_seconds_by_default() -> None:
    assert BillingSettings().debit_lease_seconds == 10


async def test_a_live_runner_renews_its_claim_and_a_paused_one_is_fenced_off(harness: BillingApp) -> None:
    billing = harness.billing
    held = await schedules.create_schedule(billing, new(order(), GOOD, 12, 2030), created_by="m")
    paused_schedule = await schedules.create_schedule(billing, new(order(), GOOD, 12, 2030), created_by="m")
    live, paused = other_runner(harness, "slow-runner"), other_runner(harness, "paused-runner")
    live_claim = await live.claim_due(due_by=harness.clock.at, schedule_id=held.schedule_id)
    paused_claim = await paused.claim_due(due_by=harness.clock.at, schedule_id=paused_schedule.schedule_id)
    assert live_claim is not None
    assert paused_claim is not None
    for _ in range(9):  # 27 s: the live runner renews every ttl/3, the paused one does not
        harness.clock.advance(seconds=3)
        assert await live.leases.renew() == 1
    report = await debits.run_due_debits(billing)
    # Only the paused runner's schedule was taken over; the renewed one stays with its holder.
    assert report.payment_ids == [f"{paused_schedule.schedule_id}:installment:1:1"]
    # The paused runner wakes up and records its stale result: fenced off, nothing written.
    with pytest.raises(StaleSchedule):
        await paused.record_debit(paused_claim, paused_claim.schedule)
    found = await billing.schedules.get(paused_schedule.schedule_id)
    assert found is not None
    assert found[0].installments[0].status is InstallmentStatus.PAID
    # The live runner's write still applies (a renewal does not move the fence).
    await live.release(live_claim)
    assert (await debits.run_due_debits(billing)).payment_ids == [f"{held.schedule_id}:installment:1:1"]


async def test_concurrent_runners_never_take_the_same_debit(harness: BillingApp) -> None:
    billing = harness.billing
    ids = [
        (await schedules.create_schedule(billing, new(order(count=2), GOOD, 12, 2030), created_by="m")).schedule_id
        for _ in range(12)
    ]
    reports = await asyncio.gather(*(debits.run_due_debits(billing) for _ in range(4)))
    keys = [k for r in reports for k in r.payment_ids]
    assert sorted(keys) == sorted(f"{i}:installment:1:1" for i in ids)
    assert len(set(keys)) == len(keys)
    charged = {"_id": {"$in": [f"{i}:installment:1:1" for i in ids]}}
    assert await harness.db["provider_charges"].count_documents(charged) == len(ids)


async def test_declines_retry_then_regularise_in_three(harness: BillingApp) -> None:
    billing = harness.billing
    schedule = await schedules.create_schedule(
        billing, new(order(amount=15918 * 3), DECLINES, 12, 2030), created_by="m"
    )
    report = await debits.run_due_debits(billing)
    assert report.rejected == 1
    found = await billing.schedules.get(schedule.schedule_id)
    assert found is not None
    assert found[0].status is ScheduleStatus.UNPAID
    # Card change is refused while unpaid: regularise instead.
    with pytest.raises(Problem) as refused:
        await schedules.change_card(
            billing, schedule.schedule_id, CardInput(GOOD, 12, 2030), email="buyer@example.fr", account_id="x"
        )
    assert refused.value.code == "schedule-unpaid"
    # The bounded retry comes 72 hours later, declines again.
    harness.clock.at += timedelta(hours=72)
    assert (await debits.run_due_debits(billing)).rejected == 1
    # A regularisation with the same declining card is rejected with the collections number.
    with pytest.raises(PaymentRejectedProblem, match=r"\+33"):
        await regularisation.regularise(
            billing, schedule.schedule_id, 3, None, email="buyer@example.fr", account_id="x"
        )
    # ...and may be tried again at once with another card.
    after = await regularisation.regularise(
        billing, schedule.schedule_id, 1, CardInput(GOOD, 12, 2030), email="buyer@example.fr", account_id="x"
    )
    assert after.regularisation is not None
    assert after.regularisation.settled
    assert after.status is ScheduleStatus.REGULARISED
    assert after.installments[0].regularised


async def test_regularisation_with_a_good_card_settles_in_three(harness: BillingApp) -> None:
    billing = harness.billing
    schedule = await schedules.create_schedule(
        billing, new(order(count=1, amount=15918), DECLINES, 12, 2030), created_by="m"
    )
    await debits.run_due_debits(billing)
    after = await regularisation.regularise(
        billing, schedule.schedule_id, 3, CardInput(GOOD, 12, 2030), email="buyer@example.fr", account_id="x"
    )
    assert after.regularisation is not None
    assert [p.amount_cents for p in after.regularisation.payments] == [5306, 5306, 5306]
    assert after.regularisation.paid_cents == 5306
    assert after.status is ScheduleStatus.BEING_REGULARISED
    await debits.run_due_debits(billing, as_of=harness.clock.at + timedelta(days=60))
    found = await billing.schedules.get(schedule.schedule_id)
    assert found is not None
    assert found[0].regularisation is not None
    assert found[0].regularisation.settled
    assert found[0].status is ScheduleStatus.REGULARISED
    document = await harness.db["schedules"].find_one({"_id": schedule.schedule_id})
    assert document is not None


async def test_cancellation_recomputes_and_stops_debits(harness: BillingApp) -> None:
    billing = harness.billing
    schedule = await schedules.create_schedule(billing, new(order(), GOOD, 12, 2030), created_by="m")
    await debits.run_due_debits(billing)
    partial = await schedules.cancel(billing, schedule.schedule_id, 1001, account_id="m")
    assert [p.amount_cents for p in partial.installments] == [4266, 3765, 3764]
    with pytest.raises(Problem) as stranger:
        await schedules.cancel(billing, schedule.schedule_id, None, account_id="someone-else")
    assert stranger.value.status == 404
    total = await schedules.cancel(billing, schedule.schedule_id, None, account_id="m")
    assert total.status is ScheduleStatus.COMPLETED
    assert (await debits.run_due_debits(billing, as_of=datetime(2020, 1, 1, tzinfo=UTC))).debited == 0


async def test_onboarding_bank_details_terms_and_mandate(harness: BillingApp) -> None:
    billing = harness.billing
    account = f"acc-{uuid.uuid4().hex[:8]}"
    await harness.db["profiles"].insert_one(
        {
            "_id": account,
            "email": "c@example.fr",
            "person_kind": "legal",
            "display_name": "ACME",
            "siren": "732829320",
            "status": "awaiting_onboarding",
            "opened_at": harness.clock.at,
            "opened_by_event": "e",
        }
    )
    with pytest.raises(Problem, match="bank details"):
        await onboarding.decide_mandate(billing, account, sign=True)
    details = BankDetails("FR1420041010050500013M02606", "PSSTFRPPXXX", "Jeanne Martin", Civility.MRS)
    await onboarding.give_bank_details(billing, account, details)
    with pytest.raises(Problem, match="terms"):
        await onboarding.decide_mandate(billing, account, sign=True)
    with pytest.raises(Problem, match="version"):
        await onboarding.accept_terms(billing, account, "1999")
    await onboarding.accept_terms(billing, account, billing.settings.terms_version)
    refused = await onboarding.decide_mandate(billing, account, sign=False)
    assert refused.mandate is not None
    assert refused.mandate.status == "refused"
    signed = await onboarding.decide_mandate(billing, account, sign=True)
    assert signed.mandate is not None
    assert signed.mandate.status == "signed"
    assert signed.mandate.creditor_identifier == billing.settings.sepa_creditor_identifier
    document = await harness.db["profiles"].find_one({"_id": account})
    assert document is not None
    assert document["status"] == "active"
    assert [e["topic"] for e in document.get("_outbox", [])] in (
        ["creditdesk.billing.mandate-refused.v1", "creditdesk.billing.mandate-signed.v1"],
        ["creditdesk.billing.mandate-signed.v1"],  # the refusal relayed already
        [],  # both relayed
    )
    with pytest.raises(Problem):
        await onboarding.decide_mandate(billing, account, sign=True)  # already signed
    revoked = await mandates.revoke(harness.fees, account)
    assert revoked.mandate is not None
    assert revoked.mandate.status == "revoked"


async def test_the_scheduler_started_with_the_app_debits_what_is_due(stack: Stack) -> None:
    settings = {"debit_scheduler_enabled": True, "debit_run_interval_seconds": 0.2}
    async with billing_app(stack, "billing_s", START, **settings) as started:
        billing, clock = started.billing, started.clock
        schedule = await schedules.create_schedule(billing, new(order(count=2), GOOD, 12, 2030), created_by="m")

        async def paid(number: int) -> bool:
            found = await billing.schedules.get(schedule.schedule_id)
            assert found is not None
            return found[0].installments[number - 1].status is InstallmentStatus.PAID

        await eventually(lambda: paid(1))
        assert not await paid(2)
        clock.at = datetime(2019, 9, 3, 0, 1, tzinfo=UTC)  # the scheduler follows the service's clock
        await eventually(lambda: paid(2))
