"""The saga's recovery side (ADR 0022): a buy-now-pay-later installment that the buyer does not pay.

    watching --PaymentRejected--> grace (due: the rejection + the grace period)
    grace --ScheduleRegularised, or the rejected installments paid--> cancelled
    grace --grace passed, merchant holds a signed mandate--> filed (an amicable case, on the merchant's behalf)
    grace --grace passed, no mandate--> awaiting_mandate (the merchant is mailed to sign)
    awaiting_mandate --MandateSigned--> grace, due at once (then filed)
    awaiting_mandate --ScheduleRegularised--> cancelled
    filed --ScheduleRegularised--> settled (the case is settled by the regularisation)
    grace --grace passed, the buyer's name or address unknown--> unfileable (the merchant is told)

Pure: each function returns the new saga (its `version` bumped) or the same one when nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum


class SagaState(StrEnum):
    WATCHING = "watching"
    GRACE = "grace"
    AWAITING_MANDATE = "awaiting_mandate"
    FILED = "filed"
    CANCELLED = "cancelled"
    SETTLED = "settled"
    UNFILEABLE = "unfileable"


BEFORE_FILING = frozenset({SagaState.WATCHING, SagaState.GRACE, SagaState.AWAITING_MANDATE})


@dataclass(frozen=True)
class BuyerAddress:
    line1: str
    postcode: str
    city: str
    line2: str = ""


@dataclass(frozen=True)
class Unpaid:
    installment: int  # 0 for a regularisation payment
    amount_cents: int
    rejected_at: datetime


@dataclass(frozen=True)
class Saga:
    schedule_id: str
    merchant_id: str | None = None
    merchant_name: str = ""
    order_number: str = ""
    purchase_date: date | None = None
    buyer_name: str = ""
    buyer_email: str = ""
    buyer_address: BuyerAddress | None = None
    state: SagaState = SagaState.WATCHING
    unpaid: tuple[Unpaid, ...] = ()
    due_at: datetime | None = None
    case_id: str | None = None
    reason: str = ""
    version: int = 0
    history: tuple[tuple[datetime, str], ...] = ()

    @property
    def unpaid_cents(self) -> int:
        return sum(u.amount_cents for u in self.unpaid)

    def case_id_for(self) -> str:
        return f"saga-{self.schedule_id}"


def _moved(saga: Saga, at: datetime, what: str, **changes: object) -> Saga:
    return replace(saga, version=saga.version + 1, history=(*saga.history, (at, what)), **changes)  # type: ignore[arg-type]


def learn_order(
    saga: Saga,
    at: datetime,
    *,
    merchant_id: str | None,
    merchant_name: str,
    order_number: str,
    purchase_date: date | None,
    buyer_name: str | None,
    buyer_email: str,
    buyer_address: BuyerAddress | None,
) -> Saga:
    """The order's details (ScheduleCreated, or a PaymentRejected that carries them): kept, the
    known ones never erased by an event that lacks them."""
    changes = {
        "merchant_id": merchant_id or saga.merchant_id,
        "merchant_name": merchant_name or saga.merchant_name,
        "order_number": order_number or saga.order_number,
        "purchase_date": purchase_date or saga.purchase_date,
        "buyer_name": buyer_name or saga.buyer_name,
        "buyer_email": buyer_email or saga.buyer_email,
        "buyer_address": buyer_address or saga.buyer_address,
    }
    if all(getattr(saga, k) == v for k, v in changes.items()):
        return saga
    return _moved(saga, at, "order details", **changes)


def payment_rejected(saga: Saga, installment: int, amount_cents: int, at: datetime, grace_days: int) -> Saga:
    """A debit was declined: the grace period runs from the first unpaid rejection."""
    if saga.state not in BEFORE_FILING:
        return saga
    if any(u.installment == installment for u in saga.unpaid):
        return saga  # a retry of the same debit declined again: the grace runs from the first
    unpaid = (*saga.unpaid, Unpaid(installment, amount_cents, at))
    if saga.state is SagaState.WATCHING:
        return _moved(saga, at, f"installment {installment} rejected", state=SagaState.GRACE, unpaid=unpaid,
                      due_at=at + timedelta(days=grace_days))  # fmt: skip
    return _moved(saga, at, f"installment {installment} rejected", unpaid=unpaid)


def payment_succeeded(saga: Saga, installment: int, at: datetime) -> Saga:
    """A retried debit went through: that installment is no longer unpaid; none left, no case."""
    if saga.state not in BEFORE_FILING or not any(u.installment == installment for u in saga.unpaid):
        return saga
    unpaid = tuple(u for u in saga.unpaid if u.installment != installment)
    if unpaid:
        return _moved(saga, at, f"installment {installment} paid", unpaid=unpaid)
    return _moved(saga, at, "every rejected installment paid", state=SagaState.CANCELLED, unpaid=(), due_at=None,
                  reason="paid")  # fmt: skip


def regularised(saga: Saga, at: datetime) -> Saga:
    """The buyer paid the whole unpaid amount: before filing the case is cancelled, after it settled."""
    if saga.state in BEFORE_FILING:
        return _moved(saga, at, "regularised before filing", state=SagaState.CANCELLED, due_at=None,
                      reason="regularised")  # fmt: skip
    if saga.state is SagaState.FILED:
        return _moved(saga, at, "regularised after filing", state=SagaState.SETTLED, reason="regularised")
    return saga


def mandate_signed(saga: Saga, at: datetime) -> Saga:
    """The merchant signed: a waiting case is filed at once."""
    if saga.state is not SagaState.AWAITING_MANDATE:
        return saga
    return _moved(saga, at, "mandate signed", state=SagaState.GRACE, due_at=at)


def filed(saga: Saga, at: datetime) -> Saga:
    return _moved(saga, at, "case filed", state=SagaState.FILED, due_at=None, case_id=saga.case_id_for())


def awaiting_mandate(saga: Saga, at: datetime) -> Saga:
    return _moved(saga, at, "merchant told to sign a mandate", state=SagaState.AWAITING_MANDATE, due_at=None)


def unfileable(saga: Saga, at: datetime, reason: str) -> Saga:
    return _moved(saga, at, "cannot be filed", state=SagaState.UNFILEABLE, due_at=None, reason=reason)
