"""Payment schedules: installments, their statuses, debits, cancellation and
regularisation (DOMAIN.md, billing [002]).

Pure: every function takes the schedule and `now` and returns a new schedule.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from billing.domain.bank import Address
from billing.domain.calendar import due_dates
from billing.domain.cards import CardOnFile
from billing.domain.money import split_with_remainder_first

MAX_INSTALLMENTS = 12
# How far from today a purchase date may be: an order is registered soon after
# the purchase (a year back at most), and never dated after tomorrow (time zones).
PURCHASE_DATE_PAST = timedelta(days=365)
PURCHASE_DATE_FUTURE = timedelta(days=1)
REGULARISATION_CHOICES = (1, 2, 3)


class InstallmentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    UNPAID = "unpaid"
    CANCELLED = "cancelled"


class ScheduleStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    UNPAID = "unpaid"
    BEING_REGULARISED = "being_regularised"
    REGULARISED = "regularised"


# What a customer's list calls "completed": nothing is left to pay (DOMAIN.md, billing [002]).
FINISHED = frozenset({ScheduleStatus.COMPLETED, ScheduleStatus.REGULARISED})


class ListedState(StrEnum):
    """The states a customer filters their schedules by."""

    IN_PROGRESS = "in_progress"  # anything still owed
    COMPLETED = "completed"  # nothing left to pay
    ALL = "all"


class ScheduleError(ValueError):
    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


@dataclass
class Payment:
    """One debit to make: an installment or a regularisation payment."""

    number: int
    amount_cents: int
    due_date: date
    status: InstallmentStatus = InstallmentStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None  # a retry after a decline
    paid_at: datetime | None = None
    last_decline: str | None = None
    regularised: bool = False  # an unpaid installment paid through a regularisation


@dataclass
class Regularisation:
    covers: list[int]  # the unpaid installments it pays
    amount_cents: int
    payments: list[Payment]
    started_at: datetime
    # The card paying this plan when it is not the card on file (it broke a card-on-file rule).
    card: CardOnFile | None = None

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments if p.status is InstallmentStatus.PAID)

    @property
    def settled(self) -> bool:
        return self.paid_cents == self.amount_cents


@dataclass
class Order:
    """An order of a merchant: `merchant` is the name of the creditor whose
    account created the schedule (its `created_by`, the merchant id)."""

    order_number: str
    merchant: str
    buyer_email: str
    purchase_amount_cents: int
    fees_cents: int
    purchase_date: date
    installments: int
    buyer_name: str | None = None
    buyer_address: Address | None = None


def check_purchase_date(purchase_date: date, *, today: date) -> None:
    """A purchase date within [today - 1 year, today + 1 day]."""
    earliest, latest = today - PURCHASE_DATE_PAST, today + PURCHASE_DATE_FUTURE
    if not earliest <= purchase_date <= latest:
        raise ScheduleError(
            f"the purchase date must be between {earliest} and {latest}", code="purchase-date", field="purchase_date"
        )


@dataclass
class Schedule:
    schedule_id: str
    order: Order
    created_at: datetime
    created_by: str
    card: CardOnFile
    installments: list[Payment]
    status: ScheduleStatus = ScheduleStatus.IN_PROGRESS
    cancelled_cents: int = 0
    regularisation: Regularisation | None = None
    past_regularisations: list[Regularisation] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(p.amount_cents for p in self.installments if p.status is not InstallmentStatus.CANCELLED)

    @property
    def remaining_cents(self) -> int:
        return sum(p.amount_cents for p in self.installments if p.status in _OWED)

    @property
    def unpaid_cents(self) -> int:
        """What is unpaid and not yet covered by a regularisation."""
        covered = set(self.regularisation.covers) if self.regularisation else set()
        return sum(
            p.amount_cents
            for p in self.installments
            if p.status is InstallmentStatus.UNPAID and p.number not in covered
        )

    def next_debit_date(self) -> date | None:
        pending = [p.due_date for p in self.installments if p.status is InstallmentStatus.PENDING]
        return min(pending, default=None)

    def last_installment_date(self) -> date | None:
        owed = [p.due_date for p in self.installments if p.status in _OWED]
        return max(owed, default=None)

    @property
    def finished(self) -> bool:
        """Nothing is left to pay: completed, or regularised."""
        return self.status in FINISHED

    @property
    def may_change_card(self) -> bool:
        """An unpaid schedule is regularised, not given another card (the card rules say why)."""
        return self.status is not ScheduleStatus.UNPAID

    @property
    def may_regularise(self) -> bool:
        """Something is unpaid and no regularisation is under way."""
        return self.unpaid_cents > 0 and (self.regularisation is None or self.regularisation.settled)


def in_listed_state(schedules: Sequence[Schedule], state: ListedState) -> list[Schedule]:
    """The schedules a customer's list shows for `state`."""
    if state is ListedState.COMPLETED:
        return [s for s in schedules if s.finished]
    if state is ListedState.IN_PROGRESS:
        return [s for s in schedules if not s.finished]
    return list(schedules)


_OWED = (InstallmentStatus.PENDING, InstallmentStatus.UNPAID)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of a declined debit: one delay per retry."""

    delays: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=7))

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.delays)

    def next_attempt(self, attempts_made: int, now: datetime) -> datetime | None:
        if attempts_made >= self.max_attempts:
            return None
        return now + self.delays[attempts_made - 1]


def plan_installments(
    purchase_amount_cents: int, fees_cents: int, purchase_date: date, count: int, interval_days: int
) -> list[Payment]:
    """The purchase split with the remainder first; the file fees ride on the first installment."""
    amounts = split_with_remainder_first(purchase_amount_cents, count)
    amounts[0] += fees_cents
    dates = due_dates(purchase_date, count, interval_days)
    return [
        Payment(number=n + 1, amount_cents=a, due_date=d) for n, (a, d) in enumerate(zip(amounts, dates, strict=True))
    ]


def create_schedule(
    schedule_id: str, order: Order, card: CardOnFile, *, created_by: str, now: datetime, interval_days: int
) -> Schedule:
    """CreateSchedule: an order paid in N installments, on a card on file."""
    check_purchase_date(order.purchase_date, today=now.date())
    if not 1 <= order.installments <= MAX_INSTALLMENTS:
        raise ScheduleError(
            f"an order is paid in 1 to {MAX_INSTALLMENTS} installments", code="installments", field="installments"
        )
    if order.purchase_amount_cents < order.installments:
        raise ScheduleError(
            "the purchase amount is too small for that many installments", code="amount", field="purchase_amount_cents"
        )
    schedule = Schedule(
        schedule_id=schedule_id,
        order=order,
        created_at=now,
        created_by=created_by,
        card=card,
        installments=plan_installments(
            order.purchase_amount_cents, order.fees_cents, order.purchase_date, order.installments, interval_days
        ),
    )
    schedule.status = derive_status(schedule)
    return schedule


def derive_status(schedule: Schedule) -> ScheduleStatus:
    """The schedule's status follows from its installments and regularisation."""
    if schedule.unpaid_cents > 0:
        return ScheduleStatus.UNPAID
    if schedule.regularisation is not None and not schedule.regularisation.settled:
        return ScheduleStatus.BEING_REGULARISED
    everything_paid = all(
        p.status in (InstallmentStatus.PAID, InstallmentStatus.CANCELLED) for p in schedule.installments
    )
    if schedule.regularisation is not None and schedule.regularisation.settled and not everything_paid:
        return ScheduleStatus.REGULARISED
    if everything_paid:
        return ScheduleStatus.REGULARISED if schedule.regularisation is not None else ScheduleStatus.COMPLETED
    return ScheduleStatus.IN_PROGRESS


# --- debits -------------------------------------------------------------------


class DebitKind(StrEnum):
    INSTALLMENT = "installment"
    REGULARISATION = "regularisation"


@dataclass(frozen=True)
class Debit:
    """One attempt at one payment; its key makes the provider call idempotent."""

    schedule_id: str
    kind: DebitKind
    number: int
    attempt: int
    amount_cents: int
    plan: int = 0  # which regularisation of the schedule (1, 2, ...): a new plan's payments are new debits

    @property
    def idempotency_key(self) -> str:
        kind = f"{self.kind}{self.plan}" if self.kind is DebitKind.REGULARISATION else str(self.kind)
        return f"{self.schedule_id}:{kind}:{self.number}:{self.attempt}"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _ready_at(payment: Payment, policy: RetryPolicy) -> datetime | None:
    if payment.status is InstallmentStatus.PENDING:
        return _start_of(payment.due_date)
    retry_left = payment.next_attempt_at is not None and payment.attempts < policy.max_attempts
    if payment.status is InstallmentStatus.UNPAID and retry_left:
        return payment.next_attempt_at
    return None


def _candidates(schedule: Schedule, policy: RetryPolicy) -> list[tuple[datetime, DebitKind, Payment]]:
    found: list[tuple[datetime, DebitKind, Payment]] = []
    covered = set(schedule.regularisation.covers) if schedule.regularisation else set()
    for payment in schedule.installments:
        if payment.number in covered:
            continue  # the regularisation pays it now
        at = _ready_at(payment, policy)
        if at is not None:
            found.append((at, DebitKind.INSTALLMENT, payment))
    if schedule.regularisation is not None:
        for payment in schedule.regularisation.payments:
            at = _ready_at(payment, policy)
            if at is not None:
                found.append((at, DebitKind.REGULARISATION, payment))
    return sorted(found, key=lambda c: (c[0], c[1] != DebitKind.REGULARISATION, c[2].number))


def next_debit_at(schedule: Schedule, policy: RetryPolicy) -> datetime | None:
    """When the schedule next has something to debit (what the debit run queries)."""
    candidates = _candidates(schedule, policy)
    return candidates[0][0] if candidates else None


def due_debit(schedule: Schedule, now: datetime, policy: RetryPolicy) -> Debit | None:
    """The earliest debit due at `now`, if any."""
    plan = len(schedule.past_regularisations) + 1
    for at, kind, payment in _candidates(schedule, policy):
        if at <= now:
            return Debit(
                schedule.schedule_id,
                kind,
                payment.number,
                payment.attempts + 1,
                payment.amount_cents,
                plan=plan if kind is DebitKind.REGULARISATION else 0,
            )
    return None


def paying_card(schedule: Schedule, debit: Debit) -> CardOnFile:
    """The card a debit is charged to: the regularisation's own card if it has one, else the card on file."""
    regularisation = schedule.regularisation
    if debit.kind is DebitKind.REGULARISATION and regularisation is not None and regularisation.card is not None:
        return regularisation.card
    return schedule.card


def _payment_of(schedule: Schedule, kind: DebitKind, number: int) -> Payment:
    if kind is DebitKind.INSTALLMENT:
        payments = schedule.installments
    else:
        assert schedule.regularisation is not None
        payments = schedule.regularisation.payments
    return next(p for p in payments if p.number == number)


def record_debit(
    schedule: Schedule, debit: Debit, *, succeeded: bool, decline_reason: str | None, now: datetime, policy: RetryPolicy
) -> Schedule:
    """RecordDebitOutcome: the payment paid, or unpaid with its next retry if any remains."""
    updated = copy.deepcopy(schedule)
    payment = _payment_of(updated, debit.kind, debit.number)
    if payment.attempts + 1 != debit.attempt:
        raise ScheduleError("this debit attempt was already recorded", code="debit-recorded")
    payment.attempts = debit.attempt
    if succeeded:
        payment.status = InstallmentStatus.PAID
        payment.paid_at = now
        payment.next_attempt_at = None
        payment.last_decline = None
    else:
        payment.status = InstallmentStatus.UNPAID
        payment.last_decline = decline_reason or "declined"
        payment.next_attempt_at = policy.next_attempt(debit.attempt, now)
    if updated.regularisation is not None and updated.regularisation.settled:
        _close_regularisation(updated, now)
    if not succeeded and debit.kind is DebitKind.REGULARISATION and debit.number == 1:
        # The customer is told at once to call collections; the plan is dropped so
        # that they may start another (with another card) instead of waiting for retries.
        payment.next_attempt_at = None
        assert updated.regularisation is not None
        updated.past_regularisations.append(updated.regularisation)
        updated.regularisation = None
    updated.status = derive_status(updated)
    return updated


def _close_regularisation(schedule: Schedule, now: datetime) -> None:
    regularisation = schedule.regularisation
    assert regularisation is not None
    for payment in schedule.installments:
        if payment.number in regularisation.covers:
            payment.status = InstallmentStatus.PAID
            payment.paid_at = now
            payment.regularised = True
            payment.next_attempt_at = None


# --- regularisation ---------------------------------------------------------------


def start_regularisation(schedule: Schedule, payments: int, *, now: datetime, interval_days: int) -> Schedule:
    """Regularise: the unpaid amount at once, or in 2 or 3 payments a period apart.

    The first payment is due at once; the debit run (or the route) takes it."""
    if payments not in REGULARISATION_CHOICES:
        raise ScheduleError("an unpaid amount is regularised in 1, 2 or 3 payments", code="payments", field="payments")
    if schedule.regularisation is not None and not schedule.regularisation.settled:
        raise ScheduleError("a regularisation is already under way", code="regularisation-under-way")
    unpaid = [p for p in schedule.installments if p.status is InstallmentStatus.UNPAID]
    amount = sum(p.amount_cents for p in unpaid)
    if amount == 0:
        raise ScheduleError("nothing is unpaid on this schedule", code="nothing-unpaid")
    if amount < payments:
        raise ScheduleError("the unpaid amount is too small for that many payments", code="payments", field="payments")
    updated = copy.deepcopy(schedule)
    if updated.regularisation is not None:
        updated.past_regularisations.append(updated.regularisation)
    dates = due_dates(now.date(), payments, interval_days)
    amounts = split_with_remainder_first(amount, payments)
    updated.regularisation = Regularisation(
        covers=[p.number for p in unpaid],
        amount_cents=amount,
        payments=[
            Payment(number=n + 1, amount_cents=a, due_date=d)
            for n, (a, d) in enumerate(zip(amounts, dates, strict=True))
        ],
        started_at=now,
    )
    for payment in updated.installments:
        if payment.number in updated.regularisation.covers:
            payment.next_attempt_at = None  # no more retries: the regularisation pays it
    updated.status = derive_status(updated)
    return updated


def regularisation_options(unpaid_cents: int) -> dict[int, list[int]]:
    """What the customer is offered: 159.18 -> {1: [15918], 2: [7959, 7959], 3: [5306, 5306, 5306]}."""
    return {n: split_with_remainder_first(unpaid_cents, n) for n in REGULARISATION_CHOICES if unpaid_cents >= n}


# --- cancellation -----------------------------------------------------------------


def cancel_order(schedule: Schedule, amount_cents: int | None, *, now: datetime) -> Schedule:
    """CancelOrder: total (`amount_cents` None) or partial; the pending installments are recomputed.

    A partial cancellation lowers what is still to be debited: the pending
    installments are split again (remainder first) over the same dates; when the
    rest is too small for them all, the last ones are cancelled."""
    pending = [p for p in schedule.installments if p.status is InstallmentStatus.PENDING]
    pending_total = sum(p.amount_cents for p in pending)
    if not pending:
        raise ScheduleError("nothing is left to debit on this schedule", code="nothing-pending")
    if amount_cents is None:
        amount_cents = pending_total
    if amount_cents <= 0:
        raise ScheduleError("the cancelled amount must be positive", code="amount", field="amount_cents")
    if amount_cents > pending_total:
        raise ScheduleError(
            f"at most {pending_total} cents are still to be debited and can be cancelled",
            code="amount",
            field="amount_cents",
        )
    updated = copy.deepcopy(schedule)
    updated.cancelled_cents += amount_cents
    rest = pending_total - amount_cents
    still = [p for p in updated.installments if p.status is InstallmentStatus.PENDING]
    keep = min(len(still), rest)
    amounts = split_with_remainder_first(rest, keep) if keep else []
    for index, payment in enumerate(still):
        if index < keep:
            payment.amount_cents = amounts[index]
        else:
            payment.status = InstallmentStatus.CANCELLED
    updated.status = derive_status(updated)
    return updated
