"""Events owned by ratings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Literal, TypeVar

from pydantic import Field

from contracts.base import Event, event_type
from contracts.events.common import SIREN


class Trend(StrEnum):
    UP = "up"
    FLAT = "flat"
    DOWN = "down"


@event_type(owner="ratings", version=1, subject="company_id")
class RatingUpdated(Event):
    """A French company's rating, national score or credit limit changed, in euros (superseded by v2,
    which carries any country and currency; ratings produces v2 only)."""

    company_id: str = SIREN
    provider: str
    rating: str = Field(description="Letter grade given by the provider.")
    national_score: int = Field(ge=0, le=100)
    credit_limit_cents: int = Field(ge=0)
    currency: Literal["EUR"] = "EUR"
    previous_rating: str | None = None
    previous_national_score: int | None = Field(default=None, ge=0, le=100)
    previous_credit_limit_cents: int | None = Field(default=None, ge=0)


@event_type(owner="ratings", version=1, subject="owner_id")
class AlertRaised(Event):
    """Something a watcher asked to be told of happened to a monitored company (a new provider event,
    a change of rating, score or limit). Identity files it in the owner's in-app mailbox."""

    alert_id: str = Field(description="Idempotency key of the alert: one alert per new event.")
    owner_id: str = Field(description="Account id of the watcher whose mailbox receives it.")
    portfolio_id: str
    portfolio_name: str
    company_country: str = Field(description="ISO 3166-1 alpha-2 country of the company.")
    company_number: str = Field(description="The company's registration number in its country.")
    company_name: str
    kind: str = Field(description="What happened, e.g. rating_changed, limit_changed, score_changed, provider_event.")
    title: str = Field(description="One line, in French, for the mailbox's list.")
    body: str = Field(description="The message, plain text, in French.")
    old_value: str | None = None
    new_value: str | None = None
    raised_at: datetime


_E = TypeVar("_E", bound=type[Event])


def _named(name: str) -> Callable[[_E], _E]:
    """Give a later version's class its event's name (the name is the class's, the version says which)."""

    def rename(cls: _E) -> _E:
        cls.__name__ = name
        cls.__qualname__ = name
        return cls

    return rename


COMMON_RATING = Field(
    pattern=r"^(A|B|C|D|E|NR)$",
    description="The common letter grade (Creditsafe's scale: A very low risk ... E very high risk, NR not rated).",
)


@event_type(owner="ratings", version=2, subject="company_id")
@_named("RatingUpdated")
class RatingUpdatedV2(Event):
    """A company's rating, national score or credit limit changed, with the old and new values: any
    country (ISO 3166-1) and currency (ISO 4217), the common rating and the provider's own value."""

    company_id: str = Field(description="COUNTRY-NUMBER, e.g. FR-732829320: the key of the company.")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country of the company's register.")
    registration_number: str = Field(min_length=1, description="The company's number in its register, compact.")
    company_name: str = ""
    provider: str
    rating: str = COMMON_RATING
    rating_description: str
    provider_rating: str = Field(description="The provider's own value, as it gives it.")
    national_score: int | None = Field(default=None, ge=0, le=100)
    credit_limit_cents: int | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217, of both limits.")
    previous_rating: str | None = Field(default=None, pattern=r"^(A|B|C|D|E|NR)$")
    previous_provider_rating: str | None = None
    previous_national_score: int | None = Field(default=None, ge=0, le=100)
    previous_credit_limit_cents: int | None = Field(default=None, ge=0)
    previous_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    changed_fields: list[Literal["rating", "national_score", "credit_limit"]] = Field(min_length=1)
    synchronised_at: datetime


@event_type(owner="ratings", version=1, subject="portfolio_id")
class PortfolioChanged(Event):
    """A portfolio (watch list) was created, edited or deleted."""

    portfolio_id: str
    owner_id: str = Field(description="Account id of the portfolio's owner.")
    name: str
    change: Literal[
        "created",
        "renamed",
        "activated",
        "deactivated",
        "options-changed",
        "companies-added",
        "companies-removed",
        "deleted",
    ]
    company_space: str | None = Field(default=None, description="SIREN of the company space it is shared in.")
    active: bool
    companies: list[str] = Field(
        default_factory=list, description="COUNTRY-NUMBER of the companies the change concerns (added, removed...)."
    )
    company_count: int = Field(ge=0, description="How many companies the portfolio watches after the change.")
