"""Schedules: creation, debits and retries, cancellation, regularisation, card and mandate rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.domain.bank import (
    BankDetailsError,
    MandateStatus,
    MandateTransitionError,
    check_mandate_transition,
    mandate_lapsed,
    mandate_reference,
    mask_iban,
    prenotification_due_by,
    sequence_type,
    validate_bank_account,
)
from billing.domain.cards import CardOnFile, CardRule, card_change_refusals, regularisation_card
from billing.domain.schedules import (
    DebitKind,
    InstallmentStatus,
    Order,
    RetryPolicy,
    Schedule,
    ScheduleError,
    ScheduleStatus,
    cancel_order,
    check_purchase_date,
    create_schedule,
    due_debit,
    next_debit_at,
    record_debit,
    start_regularisation,
)

NOW = datetime(2019, 8, 4, 10, tzinfo=UTC)
CARD = CardOnFile(token="tok", brand="visa", last4="4242", expiry_month=12, expiry_year=2030)
POLICY = RetryPolicy()


def order(amount: int = 12796, count: int = 3, fees: int = 0) -> Order:
    return Order("ORD-1", "Boutique", "buyer@example.fr", amount, fees, date(2019, 8, 4), count)


def schedule(amount: int = 12796, count: int = 3, fees: int = 0) -> Schedule:
    return create_schedule("s1", order(amount, count, fees), CARD, created_by="m", now=NOW, interval_days=30)


def debit_now(s: Schedule, at: datetime, ok: bool) -> Schedule:
    debit = due_debit(s, at, POLICY)
    assert debit is not None
    return record_debit(s, debit, succeeded=ok, decline_reason=None if ok else "card_declined", now=at, policy=POLICY)


def test_a_schedule_follows_the_source() -> None:
    s = schedule()
    assert [p.amount_cents for p in s.installments] == [4266, 4265, 4265]
    assert [p.due_date for p in s.installments] == [date(2019, 8, 4), date(2019, 9, 3), date(2019, 10, 3)]
    assert s.status is ScheduleStatus.IN_PROGRESS
    assert all(p.status is InstallmentStatus.PENDING for p in s.installments)


def test_fees_ride_on_the_first_installment() -> None:
    assert [p.amount_cents for p in schedule(fees=500).installments] == [4766, 4265, 4265]


@pytest.mark.parametrize(("amount", "count"), [(100, 0), (100, 13), (2, 3)])
def test_bad_orders_are_refused(amount: int, count: int) -> None:
    with pytest.raises(ScheduleError):
        schedule(amount, count)


def test_paying_every_installment_completes_the_schedule() -> None:
    s = schedule()
    for n in range(3):
        s = debit_now(s, NOW + timedelta(days=30 * n), ok=True)
    assert s.status is ScheduleStatus.COMPLETED
    assert next_debit_at(s, POLICY) is None


def test_nothing_is_due_before_its_date() -> None:
    s = debit_now(schedule(), NOW, ok=True)
    assert due_debit(s, NOW + timedelta(days=29), POLICY) is None
    assert next_debit_at(s, POLICY) == datetime(2019, 9, 3, tzinfo=UTC)


def test_a_decline_marks_it_unpaid_and_retries_boundedly() -> None:
    s = debit_now(schedule(), NOW, ok=False)
    assert s.installments[0].status is InstallmentStatus.UNPAID
    assert s.status is ScheduleStatus.UNPAID
    retry_at = NOW + timedelta(days=3)
    assert next_debit_at(s, POLICY) == retry_at
    debit = due_debit(s, retry_at, POLICY)
    assert debit is not None
    assert debit.attempt == 2
    assert debit.number == 1
    s = debit_now(s, retry_at, ok=False)
    s = debit_now(s, retry_at + timedelta(days=7), ok=False)
    assert s.installments[0].attempts == 3
    assert s.installments[0].next_attempt_at is None  # the policy is exhausted
    # the next installment is still debited on its date
    assert next_debit_at(s, POLICY) == datetime(2019, 9, 3, tzinfo=UTC)


def test_a_successful_retry_clears_the_unpaid_status() -> None:
    s = debit_now(schedule(), NOW, ok=False)
    s = debit_now(s, NOW + timedelta(days=3), ok=True)
    assert s.status is ScheduleStatus.IN_PROGRESS


def test_the_same_attempt_is_never_recorded_twice() -> None:
    s = schedule()
    debit = due_debit(s, NOW, POLICY)
    assert debit is not None
    s = record_debit(s, debit, succeeded=True, decline_reason=None, now=NOW, policy=POLICY)
    with pytest.raises(ScheduleError):
        record_debit(s, debit, succeeded=True, decline_reason=None, now=NOW, policy=POLICY)


def test_idempotency_keys_differ_per_attempt() -> None:
    s = debit_now(schedule(), NOW, ok=False)
    first = "s1:installment:1:1"
    again = due_debit(s, NOW + timedelta(days=3), POLICY)
    assert again is not None
    assert again.idempotency_key == "s1:installment:1:2" != first


def test_regularisation_in_three_follows_the_source() -> None:
    s = schedule(amount=15918 * 3, count=3)
    s = debit_now(s, NOW, ok=False)
    assert s.installments[0].amount_cents == 15918
    s = start_regularisation(s, 3, now=NOW + timedelta(days=1), interval_days=30)
    assert s.regularisation is not None
    assert [p.amount_cents for p in s.regularisation.payments] == [5306, 5306, 5306]
    assert s.status is ScheduleStatus.BEING_REGULARISED
    first = due_debit(s, NOW + timedelta(days=1), POLICY)
    assert first is not None
    assert first.kind is DebitKind.REGULARISATION
    s = record_debit(s, first, succeeded=True, decline_reason=None, now=NOW + timedelta(days=1), policy=POLICY)
    assert s.regularisation is not None
    assert s.regularisation.paid_cents == 5306
    for day in (31, 61):
        s = debit_now(s, NOW + timedelta(days=day), ok=True)  # installment 2 / reg payment 2, ...
    while (d := due_debit(s, NOW + timedelta(days=61, hours=23), POLICY)) is not None:
        s = record_debit(s, d, succeeded=True, decline_reason=None, now=NOW + timedelta(days=62), policy=POLICY)
    assert s.regularisation is not None
    assert s.regularisation.settled
    assert s.installments[0].status is InstallmentStatus.PAID
    assert s.installments[0].regularised
    assert s.status in (ScheduleStatus.REGULARISED, ScheduleStatus.COMPLETED)


def test_regularisation_needs_something_unpaid_and_a_valid_choice() -> None:
    with pytest.raises(ScheduleError, match="nothing is unpaid"):
        start_regularisation(schedule(), 1, now=NOW, interval_days=30)
    s = debit_now(schedule(), NOW, ok=False)
    with pytest.raises(ScheduleError, match="1, 2 or 3"):
        start_regularisation(s, 4, now=NOW, interval_days=30)
    s = start_regularisation(s, 2, now=NOW, interval_days=30)
    with pytest.raises(ScheduleError, match="under way"):
        start_regularisation(s, 2, now=NOW, interval_days=30)


def test_a_covered_installment_is_not_retried_any_more() -> None:
    s = debit_now(schedule(), NOW, ok=False)
    s = start_regularisation(s, 1, now=NOW + timedelta(days=1), interval_days=30)
    debit = due_debit(s, NOW + timedelta(days=5), POLICY)
    assert debit is not None
    assert debit.kind is DebitKind.REGULARISATION


def test_total_cancellation_cancels_what_is_pending() -> None:
    s = debit_now(schedule(), NOW, ok=True)
    s = cancel_order(s, None, now=NOW)
    assert [p.status for p in s.installments] == [
        InstallmentStatus.PAID,
        InstallmentStatus.CANCELLED,
        InstallmentStatus.CANCELLED,
    ]
    assert s.status is ScheduleStatus.COMPLETED
    with pytest.raises(ScheduleError, match="nothing is left"):
        cancel_order(s, None, now=NOW)


def test_partial_cancellation_recomputes_the_rest() -> None:
    s = debit_now(schedule(), NOW, ok=True)
    s = cancel_order(s, 1001, now=NOW)  # 85.30 - 10.01 = 75.29 left
    assert [p.amount_cents for p in s.installments[1:]] == [3765, 3764]
    with pytest.raises(ScheduleError, match="at most"):
        cancel_order(s, 10_000, now=NOW)


@given(st.integers(min_value=3, max_value=10**7), st.integers(min_value=1, max_value=12), st.data())
def test_partial_cancellation_preserves_the_rest(amount: int, count: int, data: st.DataObject) -> None:
    if amount < count:
        return
    s = schedule(amount, count)
    cancelled = data.draw(st.integers(min_value=1, max_value=amount))
    after = cancel_order(s, cancelled, now=NOW)
    pending = [p.amount_cents for p in after.installments if p.status is InstallmentStatus.PENDING]
    assert sum(pending) == amount - cancelled
    assert all(a > 0 for a in pending)
    assert after.cancelled_cents == cancelled


def card(brand: str = "visa", month: int = 12, year: int = 2030) -> CardOnFile:
    return CardOnFile(token="t", brand=brand, last4="1111", expiry_month=month, expiry_year=year)


def rules(c: CardOnFile, today: date = date(2019, 8, 20), unpaid: bool = False) -> set[CardRule]:
    refusals = card_change_refusals(
        c, today=today, next_debit=date(2019, 9, 3), last_installment=date(2019, 10, 3), schedule_unpaid=unpaid
    )
    return {r.rule for r in refusals}


def test_card_change_rules_each_name_what_failed() -> None:
    assert rules(card()) == set()
    assert rules(card(brand="amex")) == {CardRule.BRAND}
    assert rules(card(month=9, year=2019)) == {CardRule.EXPIRY}
    assert rules(card(month=10, year=2019)) == set()  # valid through 31/10
    assert rules(card(), today=date(2019, 8, 27)) == set()  # exactly 7 days before
    assert rules(card(), today=date(2019, 8, 28)) == {CardRule.NOTICE}
    assert rules(card(), unpaid=True) == {CardRule.UNPAID}


def test_a_regularisation_card_is_on_file_only_if_it_passes_the_card_rules() -> None:
    def use(c: CardOnFile, today: date = date(2019, 8, 20)) -> tuple[set[CardRule], set[CardRule], bool]:
        decision = regularisation_card(
            c,
            today=today,
            plan_last_payment=date(2019, 9, 19),
            next_debit=date(2019, 9, 3),
            last_installment=date(2019, 10, 3),
        )
        return (
            {r.rule for r in decision.refusals},
            {r.rule for r in decision.not_on_file},
            decision.becomes_card_on_file,
        )

    assert use(card()) == (set(), set(), True)
    # Pays the plan, but expires before the last installment: not the card on file (issue #15).
    assert use(card(month=9, year=2019)) == (set(), {CardRule.EXPIRY}, False)
    assert use(card(), today=date(2019, 8, 28)) == (set(), {CardRule.NOTICE}, False)
    # Cannot even pay the plan.
    assert use(card(month=8, year=2019))[0] == {CardRule.EXPIRY}
    assert use(card(brand="amex"))[0] == {CardRule.BRAND}


def test_iban_and_bic_validation() -> None:
    assert validate_bank_account("FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPXXX") == (
        "FR1420041010050500013M02606",
        "PSSTFRPPXXX",
    )
    with pytest.raises(BankDetailsError, match="check digits") as bad:
        validate_bank_account("FR1420041010050500013M02607", "PSSTFRPP")
    assert bad.value.field == "iban"
    with pytest.raises(BankDetailsError, match="length"):
        validate_bank_account("FR14200410100505000", "PSSTFRPP")
    with pytest.raises(BankDetailsError, match="in DE") as other:
        validate_bank_account("FR1420041010050500013M02606", "COBADEFFXXX")
    assert other.value.field == "bic"
    with pytest.raises(BankDetailsError, match="does not match"):
        validate_bank_account("FR1420041010050500013M02606", "BNPAFRPPXXX")
    with pytest.raises(BankDetailsError, match="invalid BIC"):
        validate_bank_account("FR1420041010050500013M02606", "PS")


def test_iban_masking_keeps_only_the_country_check_and_last_four() -> None:
    masked = mask_iban("FR1420041010050500013M02606")
    assert masked.startswith("FR14")
    assert masked.replace(" ", "").endswith("2606")
    assert "20041" not in masked.replace(" ", "")


@given(st.text(alphabet="ABCDEFGHIJ0123456789", min_size=15, max_size=34))
def test_masking_never_reveals_the_middle(iban: str) -> None:
    masked = mask_iban(iban).replace(" ", "")
    assert len(masked) == len(iban)
    assert masked[4:-4] == "*" * (len(iban) - 8)


def test_mandate_transitions() -> None:
    check_mandate_transition(MandateStatus.PENDING, MandateStatus.SIGNED)
    check_mandate_transition(MandateStatus.PENDING, MandateStatus.REFUSED)
    check_mandate_transition(MandateStatus.REFUSED, MandateStatus.SIGNED)  # sign later
    check_mandate_transition(MandateStatus.SIGNED, MandateStatus.REVOKED)
    for current, target in [
        (MandateStatus.SIGNED, MandateStatus.SIGNED),
        (MandateStatus.SIGNED, MandateStatus.REFUSED),
        (MandateStatus.REVOKED, MandateStatus.SIGNED),
    ]:
        with pytest.raises(MandateTransitionError):
            check_mandate_transition(current, target)


def test_mandate_references_are_sepa_shaped() -> None:
    reference = mandate_reference("a1b2-c3d4_e5", 2)
    assert reference == "CD-A1B2C3D4E5-002"
    assert len(reference) <= 35


def test_sepa_prenotification_sequence_and_lapse() -> None:
    assert prenotification_due_by(date(2026, 3, 20)) == date(2026, 3, 6)
    assert prenotification_due_by(date(2026, 3, 20), days=5) == date(2026, 3, 15)
    assert sequence_type(0) == "FRST"
    assert sequence_type(1) == sequence_type(7) == "RCUR"
    assert not mandate_lapsed(date(2023, 5, 31), date(2026, 5, 30))
    assert mandate_lapsed(date(2023, 5, 31), date(2026, 5, 31))
    assert mandate_lapsed(date(2024, 2, 29), date(2027, 2, 28))  # no 29 February: the month's last day
    assert not mandate_lapsed(date(2024, 2, 29), date(2027, 2, 27))


@given(
    st.integers(min_value=3, max_value=10**6),
    st.integers(min_value=1, max_value=12),
    st.lists(st.booleans(), min_size=1, max_size=30),
)
def test_debit_outcomes_never_create_or_lose_money(amount: int, count: int, outcomes: list[bool]) -> None:
    if amount < count:
        return
    s = schedule(amount, count)
    at = NOW
    for ok in outcomes:
        debit = due_debit(s, at + timedelta(days=400), POLICY)
        if debit is None:
            break
        s = record_debit(s, debit, succeeded=ok, decline_reason=None if ok else "declined", now=at, policy=POLICY)
        assert sum(p.amount_cents for p in s.installments) == amount  # the plan never changes by debiting
        paid = sum(p.amount_cents for p in s.installments if p.status is InstallmentStatus.PAID)
        assert paid + s.remaining_cents == amount
        assert all(p.attempts <= POLICY.max_attempts for p in s.installments)
        if s.unpaid_cents and s.regularisation is None:
            regularised = start_regularisation(s, 3 if s.unpaid_cents >= 3 else 1, now=at, interval_days=30)
            assert regularised.regularisation is not None
            assert sum(p.amount_cents for p in regularised.regularisation.payments) == s.unpaid_cents
        at += timedelta(days=1)


def test_errors_never_echo_the_account_number() -> None:
    with pytest.raises(BankDetailsError) as bad:
        validate_bank_account("FR14200410100505000!3M02606", "PSSTFRPP")
    assert "2004101005050" not in bad.value.message
    assert "FR14" in bad.value.message


def test_a_rejected_first_regularisation_payment_drops_the_plan() -> None:
    s = debit_now(schedule(), NOW, ok=False)
    s = start_regularisation(s, 2, now=NOW, interval_days=30)
    s = debit_now(s, NOW, ok=False)
    assert s.regularisation is None
    assert len(s.past_regularisations) == 1
    assert s.past_regularisations[0].payments[0].status is InstallmentStatus.UNPAID
    assert s.status is ScheduleStatus.UNPAID
    s = start_regularisation(s, 1, now=NOW, interval_days=30)  # may try again
    again = due_debit(s, NOW, POLICY)
    assert again is not None
    assert again.idempotency_key == "s1:regularisation2:1:1"  # a new debit, not the rejected one replayed
    assert s.regularisation is not None
    assert s.regularisation.amount_cents == 4266


def test_a_purchase_date_is_within_a_year_back_and_a_day_ahead() -> None:
    today = date(2026, 12, 1)
    for accepted in (today, date(2025, 12, 1), date(2026, 12, 2)):
        check_purchase_date(accepted, today=today)
    for refused in (date(1, 1, 1), date(2025, 11, 30), date(2026, 12, 3), date(9999, 12, 31)):
        with pytest.raises(ScheduleError) as error:
            check_purchase_date(refused, today=today)
        assert error.value.field == "purchase_date"
