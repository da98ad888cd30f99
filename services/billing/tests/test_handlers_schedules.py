"""Billing's schedule, debit and regularisation use cases on in-memory fakes of their ports:
the rules as a route meets them (each refusal's status, code and field), in milliseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from billing.domain import schedules as rules
from billing.domain.bank import Address
from billing.domain.cards import CardOnFile
from billing.domain.profiles import BillingProfile, ProfileStatus
from billing.domain.schedules import InstallmentStatus, ListedState, Order, ScheduleStatus, create_schedule
from billing.handlers import debits, regularisation, schedules
from billing.handlers.common import CardInput, PaymentRejectedProblem
from billing.handlers.events import debit_events
from chassis.auth import Caller
from chassis.errors import Problem
from contracts import PersonKind
from contracts.events.billing import PaymentRejected, PaymentSucceeded, ScheduleCreated, ScheduleRegularised
from services.billing.tests.fakes import FakeBilling, fake_billing

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
GOOD, DECLINES = CardInput("4242424242424242", 12, 2030), CardInput("4000000000000002", 12, 2030)
BUYER = "buyer@example.fr"


def order(count: int = 3, amount: int = 12796, number: str = "ORD-1", purchased: date | None = None) -> Order:
    return Order(
        number, "Boutique", BUYER, amount, 0, purchased or NOW.date(), count,
        buyer_name="Paul Durand", buyer_address=Address("1 rue Haute", "57000", "Metz"),
    )  # fmt: skip


async def created(f: FakeBilling, card: CardInput = GOOD, count: int = 3, amount: int = 12796) -> str:
    command = schedules.NewSchedule(order(count, amount, number=f"ORD-{len(f.schedules.docs)}"), card)
    return (await schedules.create_schedule(f.billing, command, created_by="merchant-1")).schedule_id


def refusal(error: pytest.ExceptionInfo[Problem]) -> tuple[int, str | None]:
    return error.value.status, error.value.code


async def stored(f: FakeBilling, schedule_id: str) -> rules.Schedule:
    found = await f.schedules.get(schedule_id)
    assert found is not None
    return found[0]


# --- creating a schedule ----------------------------------------------------------------------


async def test_a_merchants_schedule_is_stored_with_its_event_and_never_the_card_number() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    schedule = await stored(f, schedule_id)
    assert [p.amount_cents for p in schedule.installments] == [4266, 4265, 4265]
    assert schedule.card.last4 == "4242"
    assert GOOD.number not in repr(schedule)
    [event] = f.schedules.events
    assert isinstance(event, ScheduleCreated)
    assert (event.merchant_id, event.buyer_name, event.installments) == ("merchant-1", "Paul Durand", 3)
    assert event.buyer_address is not None
    assert event.buyer_address.city == "Metz"


async def test_an_order_number_has_one_schedule_per_merchant() -> None:
    f = fake_billing(NOW)
    await schedules.create_schedule(f.billing, schedules.NewSchedule(order(), GOOD), created_by="m-1")
    with pytest.raises(Problem) as again:
        await schedules.create_schedule(f.billing, schedules.NewSchedule(order(), GOOD), created_by="m-1")
    assert refusal(again) == (409, "order-has-schedule")
    # Another merchant's order may have the same number.
    await schedules.create_schedule(f.billing, schedules.NewSchedule(order(), GOOD), created_by="m-2")
    assert len(f.schedules.docs) == 2


@pytest.mark.parametrize(
    ("card", "code", "field"),
    [
        (CardInput("378282246310005", 12, 2030), "brand-not-accepted", "card.number"),
        (CardInput("4242424242424242", 12, 2026), "expires-before-last-installment", "card.expiry_year"),
        (CardInput("4242424242424241", 12, 2030), "card-invalid", "card.number"),
        (CardInput("4242424242424242", 13, 2030), "card-invalid", "card.expiry_month"),
    ],
)
async def test_a_schedules_card_passes_the_card_rules_at_creation(card: CardInput, code: str, field: str) -> None:
    f = fake_billing(NOW)
    with pytest.raises(Problem) as refused:
        await schedules.create_schedule(f.billing, schedules.NewSchedule(order(), card), created_by="m")
    assert refusal(refused) == (422, code)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["field"] == field
    assert f.schedules.docs == {}


async def test_a_purchase_date_more_than_a_year_back_is_refused() -> None:
    f = fake_billing(NOW)
    command = schedules.NewSchedule(order(purchased=date(2025, 11, 1)), GOOD)
    with pytest.raises(Problem) as refused:
        await schedules.create_schedule(f.billing, command, created_by="m")
    assert refusal(refused) == (422, "purchase-date")


async def test_only_an_onboarded_creditor_creates_schedules_in_its_own_name() -> None:
    f = fake_billing(NOW)
    merchant = Caller("acc-1", "shop@example.fr", ("merchant",), {})
    with pytest.raises(Problem) as nobody:
        await schedules.merchant_name(f.billing, merchant)
    assert refusal(nobody) == (403, "not-a-merchant")
    profile = BillingProfile(
        "acc-1", "shop@example.fr", PersonKind.LEGAL, "Boutique Martin", "732829320",
        ProfileStatus.AWAITING_ONBOARDING, NOW, "e",
    )  # fmt: skip
    f.profiles.docs["acc-1"] = profile
    with pytest.raises(Problem):
        await schedules.merchant_name(f.billing, merchant)
    f.profiles.docs["acc-1"] = BillingProfile(**{**profile.__dict__, "status": ProfileStatus.ACTIVE})
    assert await schedules.merchant_name(f.billing, merchant) == "Boutique Martin"


# --- reading, listing ------------------------------------------------------------------------


async def test_a_schedule_is_seen_by_its_buyer_and_its_creator_only() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    seen = await schedules.schedule_of(f.billing, schedule_id, email="Buyer@Example.fr", account_id="x")
    assert seen.schedule_id == schedule_id
    assert await schedules.schedule_of(f.billing, schedule_id, email=None, account_id="merchant-1")
    with pytest.raises(Problem) as stranger:
        await schedules.schedule_of(f.billing, schedule_id, email="other@example.fr", account_id="x")
    with pytest.raises(Problem) as missing:
        await schedules.schedule_of(f.billing, "sch_none", email=BUYER, account_id="x")
    # The same answer as for no schedule: nobody learns that it exists.
    assert refusal(stranger) == refusal(missing) == (404, "schedule-not-found")
    assert stranger.value.detail == f"no payment schedule {schedule_id}"


async def test_the_customers_list_separates_schedules_in_progress_from_completed_ones() -> None:
    f = fake_billing(NOW)
    paid_off, running = await created(f, count=1), await created(f, count=3)
    await debits.run_due_debits(f.billing)
    assert (await stored(f, paid_off)).status is ScheduleStatus.COMPLETED

    async def listed(state: ListedState) -> list[str]:
        return [s.schedule_id for s in await schedules.my_schedules(f.billing, "BUYER@example.fr", state)]

    assert await listed(ListedState.COMPLETED) == [paid_off]
    assert await listed(ListedState.IN_PROGRESS) == [running]
    assert sorted(await listed(ListedState.ALL)) == sorted([paid_off, running])
    assert await schedules.my_schedules(f.billing, None, ListedState.ALL) == []


# --- changing the card, cancelling ------------------------------------------------------------


async def test_a_card_change_is_accepted_when_every_rule_holds() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    await debits.run_due_debits(f.billing)  # the first installment is paid today: the next is 30 days away
    other = CardInput("5555555555554444", 12, 2031)
    changed = await schedules.change_card(f.billing, schedule_id, other, email=BUYER, account_id="x")
    assert (changed.card.brand, changed.card.last4) == ("mastercard", "4444")
    assert (await stored(f, schedule_id)).card.last4 == "4444"


async def test_a_card_change_names_every_rule_it_breaks() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f, DECLINES)
    await debits.run_due_debits(f.billing)  # declined: unpaid
    f.clock.at = NOW + timedelta(days=25)  # 5 days before the second installment
    amex = CardInput("378282246310005", 12, 2026)
    with pytest.raises(Problem) as refused:
        await schedules.change_card(f.billing, schedule_id, amex, email=BUYER, account_id="x")
    assert refusal(refused) == (422, "schedule-unpaid")
    assert refused.value.errors is not None
    assert [e["rule"] for e in refused.value.errors] == [
        "schedule-unpaid",
        "brand-not-accepted",
        "expires-before-last-installment",
        "too-close-to-next-debit",
    ]
    assert (await stored(f, schedule_id)).card.last4 == "0002"


async def test_a_card_change_during_a_debit_is_busy() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    f.clock.at = NOW - timedelta(days=10)  # well before the first debit
    f.schedules.hold(schedule_id)
    with pytest.raises(Problem) as busy:
        await schedules.change_card(f.billing, schedule_id, GOOD, email=BUYER, account_id="x")
    assert refusal(busy) == (409, "schedule-busy")


async def test_the_merchant_cancels_in_part_then_in_full() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    await debits.run_due_debits(f.billing)
    partial = await schedules.cancel(f.billing, schedule_id, 1001, account_id="merchant-1")
    assert [p.amount_cents for p in partial.installments] == [4266, 3765, 3764]
    with pytest.raises(Problem) as stranger:
        await schedules.cancel(f.billing, schedule_id, None, account_id="someone-else")
    assert refusal(stranger) == (404, "schedule-not-found")
    total = await schedules.cancel(f.billing, schedule_id, None, account_id="merchant-1")
    assert total.status is ScheduleStatus.COMPLETED
    with pytest.raises(Problem) as nothing:
        await schedules.cancel(f.billing, schedule_id, None, account_id="merchant-1")
    assert refusal(nothing) == (409, "nothing-pending")
    assert (await debits.run_due_debits(f.billing, as_of=NOW + timedelta(days=90))).debited == 0


# --- the debit run ---------------------------------------------------------------------------


async def test_the_debit_run_charges_what_is_due_once_with_its_event() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    report = await debits.run_due_debits(f.billing)
    assert report.payment_ids == [f"{schedule_id}:installment:1:1"]
    assert (await debits.run_due_debits(f.billing)).debited == 0  # nothing more due today
    report = await debits.run_due_debits(f.billing, as_of=NOW + timedelta(days=60))
    assert report.succeeded == 2
    assert (await stored(f, schedule_id)).status is ScheduleStatus.COMPLETED
    assert len(f.provider.charges) == 3
    succeeded = [e for e in f.schedules.events if isinstance(e, PaymentSucceeded)]
    assert [e.installment_number for e in succeeded] == [1, 2, 3]
    assert succeeded[-1].schedule_status == "completed"


async def test_a_declined_debit_is_retried_after_72_hours_then_168() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f, DECLINES, count=1)
    assert (await debits.run_due_debits(f.billing)).rejected == 1
    [rejected] = [e for e in f.schedules.events if isinstance(e, PaymentRejected)]
    assert (rejected.reason, rejected.attempt, rejected.order_number) == ("card_declined", 1, "ORD-0")
    assert (await stored(f, schedule_id)).status is ScheduleStatus.UNPAID
    assert (await debits.run_due_debits(f.billing, as_of=NOW + timedelta(hours=71))).debited == 0
    assert (await debits.run_due_debits(f.billing, as_of=NOW + timedelta(hours=72))).rejected == 1
    assert (await debits.run_due_debits(f.billing, as_of=NOW + timedelta(hours=72 + 168))).rejected == 1
    # Three attempts, then no more.
    assert (await debits.run_due_debits(f.billing, as_of=NOW + timedelta(days=60))).debited == 0
    assert (await stored(f, schedule_id)).installments[0].attempts == 3


async def test_a_lost_claim_writes_nothing_and_is_counted() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f)
    f.schedules.lapse_before_recording.add(schedule_id)
    report = await debits.run_due_debits(f.billing)
    assert (report.debited, report.conflicts) == (0, 1)
    assert (await stored(f, schedule_id)).installments[0].status is InstallmentStatus.PENDING
    assert not [e for e in f.schedules.events if isinstance(e, PaymentSucceeded)]


async def test_debits_by_hand_need_the_operator_role_and_an_as_of_near_now() -> None:
    f = fake_billing(NOW)
    await created(f)
    with pytest.raises(Problem) as role:
        await debits.run_debits_by_hand(f.billing, ("support",), None)
    assert refusal(role) == (403, "missing-role")
    with pytest.raises(Problem) as far:
        await debits.run_debits_by_hand(f.billing, ("operator",), NOW + timedelta(days=367))
    assert far.value.status == 422
    assert far.value.errors is not None
    assert far.value.errors[0]["field"] == "as_of"
    assert (await debits.run_debits_by_hand(f.billing, ("operator",), None)).succeeded == 1
    assert await debits.seconds_to_takeover(f.billing, within=60) == 60


# --- regularisation --------------------------------------------------------------------------


async def test_a_rejected_first_payment_answers_402_and_another_card_may_settle_at_once() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f, DECLINES, amount=15918 * 3)
    await debits.run_due_debits(f.billing)
    with pytest.raises(PaymentRejectedProblem, match=r"\+33 1 84 88 00 00") as rejected:
        await regularisation.regularise(f.billing, schedule_id, 3, None, email=BUYER, account_id="x")
    assert refusal(rejected) == (402, "payment-rejected")
    assert (await stored(f, schedule_id)).regularisation is None  # the plan is dropped
    after = await regularisation.regularise(f.billing, schedule_id, 1, GOOD, email=BUYER, account_id="x")
    assert after.regularisation is not None
    assert after.regularisation.settled
    assert after.status is ScheduleStatus.REGULARISED
    assert after.card.last4 == "4242"  # it passed the card-on-file rules
    assert [type(e) for e in f.schedules.events].count(ScheduleRegularised) == 1


async def test_a_card_failing_a_card_on_file_rule_pays_the_plan_only() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f, DECLINES, count=6, amount=60000)
    await debits.run_due_debits(f.billing)
    # Valid through the plan's two payments, not through the schedule's last installment.
    short = CardInput("5555555555554444", 3, 2027)
    after = await regularisation.regularise(f.billing, schedule_id, 2, short, email=BUYER, account_id="x")
    assert after.card.last4 == "0002"
    assert after.regularisation is not None
    assert after.regularisation.card is not None
    assert after.regularisation.card.last4 == "4444"
    assert after.status is ScheduleStatus.BEING_REGULARISED


async def test_a_card_that_cannot_pay_the_plan_is_refused_naming_the_rule() -> None:
    f = fake_billing(NOW)
    schedule_id = await created(f, DECLINES)
    await debits.run_due_debits(f.billing)
    amex = CardInput("378282246310005", 12, 2030)
    with pytest.raises(Problem) as refused:
        await regularisation.regularise(f.billing, schedule_id, 1, amex, email=BUYER, account_id="x")
    assert refusal(refused) == (422, "brand-not-accepted")
    with pytest.raises(Problem) as nothing:
        await regularisation.regularise(f.billing, await created(f), 1, None, email=BUYER, account_id="x")
    assert refusal(nothing) == (409, "nothing-unpaid")


def test_payment_rejected_carries_the_orders_buyer_for_the_saga() -> None:
    """The saga's billing side: a declined debit gives `PaymentRejected` with the buyer; recovery
    waits for `ScheduleRegularised`, emitted with the payment that settles the plan, only then."""
    policy = rules.RetryPolicy()
    card = CardOnFile("tok", "visa", "4242", 12, 2030)
    schedule = create_schedule("sch_2", order(count=1, amount=10000), card, created_by="m-2", now=NOW, interval_days=30)
    debit = rules.due_debit(schedule, NOW, policy)
    assert debit is not None
    declined = rules.record_debit(
        schedule, debit, succeeded=False, decline_reason="card_declined", now=NOW, policy=policy
    )
    [rejected] = debit_events(schedule, declined, debit, False, "card_declined")
    assert isinstance(rejected, PaymentRejected)
    assert (rejected.order_number, rejected.merchant_id, rejected.buyer_name) == ("ORD-1", "m-2", "Paul Durand")
    assert rejected.buyer_address is not None
    assert rejected.buyer_address.postal_code == "57000"

    current, at, seen = rules.start_regularisation(declined, 2, now=NOW, interval_days=30), NOW, []
    for _ in range(2):
        due = rules.due_debit(current, at, policy)
        assert due is not None
        paid = rules.record_debit(current, due, succeeded=True, decline_reason=None, now=at, policy=policy)
        seen.append(debit_events(current, paid, due, True, None))
        current, at = paid, at + timedelta(days=30)
    assert [type(e) for e in seen[0]] == [PaymentSucceeded]  # half paid: no ScheduleRegularised yet
    assert [type(e) for e in seen[1]] == [PaymentSucceeded, ScheduleRegularised]
    settled = seen[1][1]
    assert isinstance(settled, ScheduleRegularised)
    assert (settled.order_number, settled.merchant_id, settled.regularised_cents) == ("ORD-1", "m-2", 10000)
