"""The integration events, grouped by owning service.

Money is in integer cents with an ISO currency; ids are strings; every change
within a version is additive and optional.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from contracts.base import Event, event_type

Siren = Field(pattern=r"^\d{9}$", description="French company id (SIREN), 9 digits.")


class PersonKind(StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"


# --- identity --------------------------------------------------------------


@event_type(owner="identity", version=1, subject="account_id")
class AccountRegistered(Event):
    """An account was created; it is not active until its email is confirmed."""

    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str = Field(description="Full name of a natural person, company name of a legal one.")
    siret: str | None = Field(default=None, pattern=r"^\d{14}$")


@event_type(owner="identity", version=1, subject="account_id")
class AccountActivated(Event):
    """The account's email was confirmed: the account is usable from now on."""

    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")


# --- billing ---------------------------------------------------------------


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


# --- ratings ---------------------------------------------------------------


class Trend(StrEnum):
    UP = "up"
    FLAT = "flat"
    DOWN = "down"


@event_type(owner="ratings", version=1, subject="company_id")
class RatingUpdated(Event):
    """A company's rating, national score or credit limit changed."""

    company_id: str = Siren
    provider: str
    rating: str = Field(description="Letter grade given by the provider.")
    national_score: int = Field(ge=0, le=100)
    credit_limit_cents: int = Field(ge=0)
    currency: Literal["EUR"] = "EUR"
    previous_rating: str | None = None
    previous_national_score: int | None = Field(default=None, ge=0, le=100)
    previous_credit_limit_cents: int | None = Field(default=None, ge=0)


# --- teams -----------------------------------------------------------------


class Right(StrEnum):
    """The six rights an admin grants to a company's members (DOMAIN.md, teams)."""

    VIEW_FINANCIAL_DOCUMENTS = "view_financial_documents"
    MANAGE_FUNDS = "manage_funds"
    HANDLE_COMPANY_REQUESTS = "handle_company_requests"
    ACCESS_TREASURY = "access_treasury"
    CHANGE_BANK_DETAILS = "change_bank_details"
    REQUEST_EARLY_BUYOUT = "request_early_buyout"


@event_type(owner="teams", version=1, subject="company_id")
class MemberRightsChanged(Event):
    """A member's rights in a company, in full, after a change.

    Carrying the whole set (not a delta) lets a consumer rebuild its view from
    the latest event alone; `revision` orders changes of one membership.
    """

    company_id: str = Siren
    member_id: str = Field(description="Account id of the member.")
    rights: tuple[Right, ...]
    revision: int = Field(ge=1)
    changed_by: str = Field(description="Account id of the admin who made the change.")

    @field_validator("rights")
    @classmethod
    def _sorted_unique(cls, rights: tuple[Right, ...]) -> tuple[Right, ...]:
        return tuple(sorted(set(rights)))
