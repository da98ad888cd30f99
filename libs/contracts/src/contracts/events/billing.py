"""Events owned by billing. Money in integer cents with an ISO currency."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.base import Event, event_type


@event_type(owner="billing", version=1, subject="schedule_id")
class PaymentRejected(Event):
    """A debit of an installment or a regularisation payment was declined."""

    payment_id: str
    schedule_id: str
    installment_number: int | None = Field(default=None, ge=1)
    payer_email: str
    merchant: str
    amount_cents: int = Field(gt=0)
    currency: Literal["EUR"] = "EUR"
    reason: str = Field(description="Provider's decline reason, e.g. insufficient_funds.")
    attempt: int = Field(ge=1, description="1 for the first try of this debit.")


@event_type(owner="billing", version=1, subject="schedule_id")
class ScheduleCreated(Event):
    """An order's payment schedule was created: its buyer may now get access
    (identity creates one access per order email)."""

    schedule_id: str
    order_number: str
    merchant: str
    buyer_email: str
    purchase_amount_cents: int = Field(gt=0)
    fees_cents: int = Field(ge=0)
    currency: Literal["EUR"] = "EUR"
    purchase_date: date
    installments: int = Field(ge=1, description="Number of installments.")
