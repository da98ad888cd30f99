"""Request and response models of billing's API. Money in integer cents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, field_validator

from billing.domain.bank import BankDetails, BankDetailsError, Civility, mask_iban, validate_bank_account
from billing.domain.cards import CardOnFile
from billing.domain.onboarding import Onboarding
from billing.domain.schedules import Payment, Schedule, regularisation_options
from chassis.text import SingleLine

# Free text refuses control characters (chassis.text.SingleLine): a 422 naming the field.
Text140 = Annotated[str, SingleLine(max_length=140)]
Text200 = Annotated[str, SingleLine(max_length=200)]
Text100 = Annotated[str, SingleLine(max_length=100)]


class AddressIn(BaseModel):
    line: Text200
    postal_code: Annotated[str, SingleLine(min_length=2, max_length=10)]
    city: Text100
    country: str = Field(default="FR", pattern=r"^[A-Z]{2}$")


class BankDetailsIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "iban": "FR14 2004 1010 0505 0001 3M02 606",
                    "bic": "PSSTFRPPXXX",
                    "holder_name": "Jeanne Martin",
                    "holder_civility": "mrs",
                    "billing_address": {"line": "3 rue de la Paix", "postal_code": "75002", "city": "Paris"},
                }
            ]
        }
    )
    iban: Annotated[str, SingleLine(min_length=5, max_length=50)]
    bic: Annotated[str, SingleLine(max_length=20)]
    holder_name: Text140 = Field(description="The person authorising the debits.")
    holder_civility: Civility
    billing_address: AddressIn | None = Field(default=None, description="Invoices to someone other than the creditor.")

    @classmethod
    def rule_errors(cls, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The IBAN/BIC rules on a body that failed its schema (`chassis.errors.ChecksRules`)."""
        iban, bic = body.get("iban"), body.get("bic")
        if not isinstance(iban, str) or not isinstance(bic, str):
            return []
        try:
            validate_bank_account(iban, bic)
        except BankDetailsError as error:
            return [{"field": error.field, "message": error.message}]
        return []


class BankDetailsPublic(BaseModel):
    iban_masked: str
    bic: str
    holder_name: str
    holder_civility: Civility
    billing_address: AddressIn | None

    @classmethod
    def of(cls, details: BankDetails) -> BankDetailsPublic:
        address = details.billing_address
        return cls(
            iban_masked=mask_iban(details.iban),
            bic=details.bic,
            holder_name=details.holder_name,
            holder_civility=details.holder_civility,
            billing_address=AddressIn(**address.__dict__) if address else None,
        )


class TermsIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": "2026-01"}]})
    version: Annotated[str, SingleLine(max_length=40)]


class MandateDecisionIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"decision": "sign"}, {"decision": "refuse"}]})
    decision: Literal["sign", "refuse"]


class MandatePublic(BaseModel):
    reference: str
    creditor_identifier: str
    scheme: str
    sequence: str
    debtor_name: str
    iban_masked: str
    bic: str
    status: str
    signed_at: datetime | None
    refused_at: datetime | None
    revoked_at: datetime | None


class OnboardingPublic(BaseModel):
    next_step: str
    bank_details: BankDetailsPublic | None
    terms_version: str | None
    terms_accepted_at: datetime | None
    mandate: MandatePublic | None

    @classmethod
    def of(cls, onboarding: Onboarding) -> OnboardingPublic:
        mandate = onboarding.mandate
        return cls(
            next_step=onboarding.step,
            bank_details=BankDetailsPublic.of(onboarding.bank_details) if onboarding.bank_details else None,
            terms_version=onboarding.terms.version if onboarding.terms else None,
            terms_accepted_at=onboarding.terms.accepted_at if onboarding.terms else None,
            mandate=(
                MandatePublic(
                    reference=mandate.reference,
                    creditor_identifier=mandate.creditor_identifier,
                    scheme=mandate.scheme,
                    sequence=mandate.sequence,
                    debtor_name=mandate.debtor_name,
                    iban_masked=mask_iban(mandate.iban),
                    bic=mandate.bic,
                    status=str(mandate.status),
                    signed_at=mandate.signed_at,
                    refused_at=mandate.refused_at,
                    revoked_at=mandate.revoked_at,
                )
                if mandate
                else None
            ),
        )


class TermsInForce(BaseModel):
    version: str = Field(description="The version to accept (PUT /profiles/me/terms-acceptance).")
    effective_date: date
    read_at: str = Field(description="Where the text is served, without login.")


class ProfilePublic(BaseModel):
    account_id: str
    email: str
    person_kind: str
    display_name: str
    siren: str | None
    status: str
    opened_at: datetime
    onboarding: OnboardingPublic
    terms_in_force: TermsInForce


class CompanyBankDetailsPublic(BankDetailsPublic):
    siren: str
    changed_by: str
    changed_at: datetime


class CardIn(BaseModel):
    number: str = Field(min_length=12, max_length=23, description="Sent to the provider, never stored.")
    expiry_month: int = Field(ge=1, le=12)
    expiry_year: int = Field(ge=2000, le=2100)


class ScheduleCreate(BaseModel):
    """An order of the calling merchant: the merchant is the caller, never a field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "order_number": "CMD-2019-0804-17",
                    "buyer_email": "buyer@example.fr",
                    "buyer_name": "Jeanne Martin",
                    "buyer_address": {"line": "3 rue de la Paix", "postal_code": "75002", "city": "Paris"},
                    "purchase_amount_cents": 12796,
                    "fees_cents": 0,
                    "purchase_date": "2019-08-04",
                    "installments": 3,
                    "card": {"number": "4242424242424242", "expiry_month": 12, "expiry_year": 2030},
                }
            ]
        },
    )
    order_number: Annotated[str, SingleLine(max_length=60)]
    buyer_email: EmailStr
    buyer_name: Text140 = Field(description="The buyer's name (a letter to the buyer needs it).")
    buyer_address: AddressIn = Field(description="The buyer's postal address.")
    purchase_amount_cents: int = Field(gt=0, le=100_000_000)
    fees_cents: int = Field(default=0, ge=0, le=1_000_000)
    purchase_date: date = Field(description="Within the last year, and not after tomorrow.")
    installments: int = Field(ge=1, le=12)
    card: CardIn


class CardChange(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"number": "5555555555554444", "expiry_month": 11, "expiry_year": 2031}]}
    )
    number: str = Field(min_length=12, max_length=23)
    expiry_month: int = Field(ge=1, le=12)
    expiry_year: int = Field(ge=2000, le=2100)


class RegularisationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"payments": 3},
                {"payments": 1, "card": {"number": "4242424242424242", "expiry_month": 12, "expiry_year": 2030}},
            ]
        }
    )
    payments: Literal[1, 2, 3]
    card: CardIn | None = Field(default=None, description="Pay with another card than the one on file.")


class CancellationIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"amount_cents": 1001}, {}]})
    amount_cents: int | None = Field(default=None, gt=0, description="Omit to cancel everything still to be debited.")


class DebitRunIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{}, {"as_of": "2019-09-03T08:00:00Z"}]})
    as_of: AwareDatetime | None = Field(
        default=None, description="Debit what is due by then (default: now), with its offset; within a year of now."
    )

    @field_validator("as_of")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError as error:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            raise ValueError("out of the range of dates") from error


class DebitRunPublic(BaseModel):
    debited: int
    succeeded: int
    rejected: int
    payment_ids: list[str]


class CardPublic(BaseModel):
    brand: str
    last4: str
    expiry: str = Field(description="MM/YYYY")

    @classmethod
    def of(cls, card: CardOnFile) -> CardPublic:
        return cls(brand=card.brand, last4=card.last4, expiry=f"{card.expiry_month:02d}/{card.expiry_year}")


class PaymentPublic(BaseModel):
    number: int
    amount_cents: int
    due_date: date = Field(description="Indicative: the debit may happen 1-2 days later.")
    status: str
    attempts: int
    next_attempt_at: datetime | None
    paid_at: datetime | None
    last_decline: str | None
    regularised: bool

    @classmethod
    def of(cls, payment: Payment) -> PaymentPublic:
        return cls(
            number=payment.number,
            amount_cents=payment.amount_cents,
            due_date=payment.due_date,
            status=str(payment.status),
            attempts=payment.attempts,
            next_attempt_at=payment.next_attempt_at,
            paid_at=payment.paid_at,
            last_decline=payment.last_decline,
            regularised=payment.regularised,
        )


class RegularisationPublic(BaseModel):
    amount_cents: int
    regularised_so_far_cents: int
    settled: bool = Field(description="True once the whole unpaid amount is paid: the dispute is settled.")
    covers_installments: list[int]
    payments: list[PaymentPublic]
    card: CardPublic | None = Field(
        default=None,
        description="The card paying this plan when it did not become the card on file "
        "(it broke a card-on-file rule, e.g. it expires before the last installment); None: the card on file pays.",
    )


class ScheduleSummary(BaseModel):
    schedule_id: str
    order_number: str
    merchant: str
    purchase_date: date
    purchase_amount_cents: int
    status: str
    remaining_cents: int
    next_debit_date: date | None


class SchedulePublic(ScheduleSummary):
    buyer_email: str
    buyer_name: str | None = Field(description="None for schedules created before the name was asked.")
    buyer_address: AddressIn | None
    fees_cents: int
    total_cents: int
    cancelled_cents: int
    unpaid_cents: int
    card: CardPublic
    installments: list[PaymentPublic]
    regularisation: RegularisationPublic | None
    regularisation_options: dict[int, list[int]] = Field(
        description="When unpaid: the amounts of each payment for 1, 2 or 3 payments."
    )
    may_change_card: bool
    may_regularise: bool


def summary(schedule: Schedule) -> ScheduleSummary:
    return ScheduleSummary(**_summary_fields(schedule))


def _summary_fields(schedule: Schedule) -> dict[str, object]:
    return {
        "schedule_id": schedule.schedule_id,
        "order_number": schedule.order.order_number,
        "merchant": schedule.order.merchant,
        "purchase_date": schedule.order.purchase_date,
        "purchase_amount_cents": schedule.order.purchase_amount_cents,
        "status": str(schedule.status),
        "remaining_cents": schedule.remaining_cents,
        "next_debit_date": schedule.next_debit_date(),
    }


def detail(schedule: Schedule) -> SchedulePublic:
    reg = schedule.regularisation
    unpaid = schedule.unpaid_cents
    return SchedulePublic(
        **_summary_fields(schedule),
        buyer_email=schedule.order.buyer_email,
        buyer_name=schedule.order.buyer_name,
        buyer_address=AddressIn(**address.__dict__) if (address := schedule.order.buyer_address) else None,
        fees_cents=schedule.order.fees_cents,
        total_cents=schedule.total_cents,
        cancelled_cents=schedule.cancelled_cents,
        unpaid_cents=unpaid,
        card=CardPublic.of(schedule.card),
        installments=[PaymentPublic.of(p) for p in schedule.installments],
        regularisation=(
            RegularisationPublic(
                amount_cents=reg.amount_cents,
                regularised_so_far_cents=reg.paid_cents,
                settled=reg.settled,
                covers_installments=reg.covers,
                payments=[PaymentPublic.of(p) for p in reg.payments],
                card=CardPublic.of(reg.card) if reg.card else None,
            )
            if reg
            else None
        ),
        regularisation_options=regularisation_options(unpaid) if unpaid else {},
        may_change_card=schedule.may_change_card,
        may_regularise=schedule.may_regularise,
    )
