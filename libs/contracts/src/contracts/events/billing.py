"""Events owned by billing. Money in integer cents with an ISO currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from contracts.base import Event, event_type
from contracts.events.common import PostalAddress


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
    # Added within v1 (optional: events from before carry none): the order's buyer, so that
    # recovery can open a case on the merchant's behalf against the buyer (the saga).
    order_number: str | None = Field(default=None, description="The merchant's order number.")
    merchant_id: str | None = Field(
        default=None, description="Account id of the creditor whose order it is (the merchant's identity)."
    )
    buyer_name: str | None = Field(default=None, description="The buyer's name, as the order carries it.")
    buyer_address: PostalAddress | None = Field(default=None, description="The buyer's postal address.")


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
    # Added within v1 (optional: schedules created before carry none).
    merchant_id: str | None = Field(
        default=None, description="Account id of the creditor whose order it is (the merchant's identity)."
    )
    buyer_name: str | None = Field(default=None, description="The buyer's name, as the order carries it.")
    buyer_address: PostalAddress | None = Field(default=None, description="The buyer's postal address.")


@event_type(owner="billing", version=1, subject="schedule_id")
class PaymentSucceeded(Event):
    """A debit of an installment or a regularisation payment was accepted."""

    payment_id: str = Field(description="The debit's idempotency key: schedule, kind, number, attempt.")
    schedule_id: str
    kind: Literal["installment", "regularisation"]
    installment_number: int | None = Field(default=None, ge=1)
    regularisation_payment_number: int | None = Field(default=None, ge=1)
    payer_email: str
    merchant: str
    amount_cents: int = Field(gt=0)
    currency: Literal["EUR"] = "EUR"
    attempt: int = Field(ge=1)
    schedule_status: str = Field(description="The schedule's status after this payment.")


@event_type(owner="billing", version=1, subject="schedule_id")
class ScheduleRegularised(Event):
    """The whole unpaid amount of a schedule was paid through a regularisation: the dispute is settled."""

    schedule_id: str
    payer_email: str
    merchant: str
    regularised_cents: int = Field(gt=0)
    currency: Literal["EUR"] = "EUR"
    payments: int = Field(ge=1, le=3)
    # Added within v1 (optional): which merchant's order, so recovery cancels or settles its case.
    order_number: str | None = Field(default=None, description="The merchant's order number.")
    merchant_id: str | None = Field(default=None, description="Account id of the creditor whose order it is.")


@event_type(owner="billing", version=1, subject="account_id")
class MandateSigned(Event):
    """A creditor signed a SEPA Core direct-debit mandate (recovery requires one to file a case)."""

    account_id: str
    mandate_reference: str
    creditor_identifier: str
    scheme: Literal["CORE"] = "CORE"
    sequence: Literal["RCUR"] = "RCUR"
    iban_masked: str = Field(description="Country, check digits and last 4 characters only.")
    bic: str
    signed_at: datetime
    # Added within v1 (optional): the account holder's address, which a SEPA mandate carries; recovery's
    # letters show it as the creditor's (identity's events carry no address).
    holder_name: str | None = Field(default=None, description="The account holder's name, as on the mandate.")
    holder_address: PostalAddress | None = Field(default=None, description="The account holder's address.")


@event_type(owner="billing", version=1, subject="account_id")
class MandateRevoked(Event):
    """A creditor's SEPA mandate ended (revoked by the creditor, or lapsed after 36 months unused):
    no new debit may be collected under it, and recovery refuses new cases until another is signed."""

    account_id: str
    mandate_reference: str
    reason: Literal["revoked", "lapsed"]
    revoked_at: datetime


@event_type(owner="billing", version=1, subject="account_id")
class MandateRefused(Event):
    """A creditor's SEPA mandate could not be set up (e.g. the bank details were refused)."""

    account_id: str
    reason: str
    refused_at: datetime
