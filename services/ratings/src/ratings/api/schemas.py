"""Schemas of ratings' routes: `XIn` for what a client sends, `XPublic` for what it gets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ratings.domain.checks import CheckJob
from ratings.domain.companies import Company
from ratings.domain.credit_file import CreditFile, Money
from ratings.domain.history import SeriesPoint
from ratings.domain.portfolios import Entry, Portfolio
from ratings.ports import CompanyRecord

TrendName = Literal["up", "flat", "down"]


class ProviderAccountIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "me@example.fr", "password": "my provider password"}]},
    )
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)


class ProviderAccountPublic(BaseModel):
    provider: str
    username: str
    connected_at: datetime


class AddressPublic(BaseModel):
    lines: list[str]
    postcode: str
    city: str
    country: str


class CompanyPublic(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-2")
    registration_number: str
    company_id: str = Field(description="COUNTRY-NUMBER, the company's id in URLs and CSV")
    name: str
    address: AddressPublic | None
    provider_id: str


class AmountPublic(BaseModel):
    cents: int
    currency: str = Field(description="ISO 4217")


class TrendsPublic(BaseModel):
    profitability: TrendName
    liquidity: TrendName
    net_worth: TrendName
    payment: TrendName


class RatingPublic(BaseModel):
    common: str = Field(description="A (very low risk) to E (very high risk), NR not rated")
    description: str
    provider_value: str = Field(description="The provider's own rating, as it gives it")


class CreditFilePublic(BaseModel):
    company_id: str
    country: str
    registration_number: str
    name: str
    provider: str
    rating: RatingPublic
    national_score: int | None = Field(description="0-100")
    credit_limit: AmountPublic | None
    solvency_index: int | None
    trends: TrendsPublic
    provider_url: str | None
    synchronised_at: datetime


class SeriesPointPublic(BaseModel):
    period_start: date
    value: int | None


class HistoryPublic(BaseModel):
    company_id: str
    period: Literal["month", "quarter", "year"]
    aggregate: Literal["last", "mean"] = Field(description="what a grouped period shows: its last month or the mean")
    currency: str | None
    national_score: list[SeriesPointPublic]
    credit_limit_cents: list[SeriesPointPublic]


class CompanyRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str = Field(min_length=2, max_length=2, examples=["FR"])
    registration_number: str = Field(min_length=1, max_length=40, examples=["732829320"])
    name: str = Field(default="", max_length=200)


class PortfolioCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Clients clés",
                    "alert_on_new_event": True,
                    "companies": [{"country": "FR", "registration_number": "732829320"}],
                }
            ]
        },
    )
    name: str = Field(max_length=400)
    company_space: str | None = Field(default=None, description="SIREN of a company space to share it in (right 1)")
    alert_on_new_event: bool = False
    companies: list[CompanyRef] = Field(default_factory=list, max_length=5000)


class PortfolioUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Fournisseurs", "active": False}]}
    )
    name: str | None = Field(default=None, max_length=400)
    active: bool | None = None
    alert_on_new_event: bool | None = None


class DuplicateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=400)


class CompaniesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    companies: list[CompanyRef] = Field(min_length=1, max_length=5000)


class EntryPublic(BaseModel):
    company_id: str
    country: str
    registration_number: str
    name: str
    rating: str | None
    rating_description: str | None
    credit_limit: AmountPublic | None
    last_event_date: date | None
    state: Literal["up_to_date", "new_events", "sync_failed"]


class PortfolioPublic(BaseModel):
    portfolio_id: str
    name: str
    owner_id: str
    provider: str
    company_space: str | None
    active: bool
    alert_on_new_event: bool
    last_monitored_at: datetime | None
    company_count: int
    version: int
    companies: list[EntryPublic]


class PortfolioSummary(BaseModel):
    portfolio_id: str
    name: str
    owner_id: str
    company_space: str | None
    active: bool
    last_monitored_at: datetime | None
    company_count: int


class LineProblem(BaseModel):
    field: str
    code: str
    message: str


class ImportPublic(BaseModel):
    added: int
    problems: list[LineProblem]
    portfolio: PortfolioPublic


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"alert_on_new_event": True}]})
    alert_on_new_event: bool | None = Field(default=None, description="None: the portfolio's own option")


class OutcomePublic(BaseModel):
    company_id: str
    outcome: Literal["pending", "unchanged", "new_events", "failed"]
    detail: str


class CheckPublic(BaseModel):
    job_id: str
    portfolio_id: str
    state: Literal["running", "done"]
    done: int
    total: int
    counts: dict[str, int]
    alert_on_new_event: bool
    created_at: datetime
    finished_at: datetime | None
    outcomes: list[OutcomePublic]


class LegacyPortfolioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=400)
    active: bool = True
    alert_on_new_event: bool = False
    last_monitored_at: datetime | None = None
    companies: list[CompanyRef] = Field(default_factory=list, max_length=5000)


class LegacyImportIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "portfolios": [
                        {
                            "name": "Mon portefeuille",
                            "active": True,
                            "alert_on_new_event": True,
                            "companies": [{"country": "FR", "registration_number": "732829320", "name": "ACME"}],
                        }
                    ]
                }
            ]
        },
    )
    portfolios: list[LegacyPortfolioIn] = Field(min_length=1, max_length=200)


class LegacyImportPublic(BaseModel):
    legacy_id: str
    portfolio_count: int
    imported_at: datetime
    attached_to: str | None
    attached_at: datetime | None


# --- shaping ---------------------------------------------------------------------------


def amount(money: Money | None) -> AmountPublic | None:
    return AmountPublic(cents=money.cents, currency=money.currency) if money else None


def company_public(company: Company) -> CompanyPublic:
    a = company.address
    return CompanyPublic(
        country=company.id.country,
        registration_number=company.id.number,
        company_id=company.id.key,
        name=company.name,
        address=AddressPublic(lines=list(a.lines), postcode=a.postcode, city=a.city, country=a.country) if a else None,
        provider_id=company.provider_id,
    )


def credit_file_public(record: CompanyRecord) -> CreditFilePublic:
    file: CreditFile | None = record.file
    assert file is not None
    return CreditFilePublic(
        company_id=record.company.key,
        country=record.company.country,
        registration_number=record.company.number,
        name=record.name,
        provider=file.provider,
        rating=RatingPublic(
            common=file.rating.value, description=file.rating.description, provider_value=file.provider_rating
        ),
        national_score=file.national_score,
        credit_limit=amount(file.credit_limit),
        solvency_index=file.solvency_index,
        trends=TrendsPublic(
            profitability=file.trends.profitability.value,
            liquidity=file.trends.liquidity.value,
            net_worth=file.trends.net_worth.value,
            payment=file.trends.payment.value,
        ),
        provider_url=file.provider_url,
        synchronised_at=file.synchronised_at,
    )


def points(series: list[SeriesPoint]) -> list[SeriesPointPublic]:
    return [SeriesPointPublic(period_start=p.period_start, value=p.value) for p in series]


def entry_public(entry: Entry) -> EntryPublic:
    return EntryPublic(
        company_id=entry.company.key,
        country=entry.company.country,
        registration_number=entry.company.number,
        name=entry.name,
        rating=entry.rating.value if entry.rating else None,
        rating_description=entry.rating.description if entry.rating else None,
        credit_limit=amount(entry.credit_limit),
        last_event_date=entry.last_event_date,
        state=entry.state.value,
    )


def portfolio_public(portfolio: Portfolio) -> PortfolioPublic:
    return PortfolioPublic(
        portfolio_id=portfolio.portfolio_id,
        name=portfolio.name,
        owner_id=portfolio.owner_id,
        provider=portfolio.provider,
        company_space=portfolio.company_space,
        active=portfolio.active,
        alert_on_new_event=portfolio.alert_on_new_event,
        last_monitored_at=portfolio.last_monitored_at,
        company_count=len(portfolio.entries),
        version=portfolio.version,
        companies=[entry_public(e) for e in portfolio.entries],
    )


def portfolio_summary(portfolio: Portfolio) -> PortfolioSummary:
    return PortfolioSummary(
        portfolio_id=portfolio.portfolio_id,
        name=portfolio.name,
        owner_id=portfolio.owner_id,
        company_space=portfolio.company_space,
        active=portfolio.active,
        last_monitored_at=portfolio.last_monitored_at,
        company_count=len(portfolio.entries),
    )


def check_public(job: CheckJob) -> CheckPublic:
    return CheckPublic(
        job_id=job.job_id,
        portfolio_id=job.portfolio_id,
        state=job.state.value,
        done=job.done,
        total=job.total,
        counts=job.counts(),
        alert_on_new_event=job.alert_on_new_event,
        created_at=job.created_at,
        finished_at=job.finished_at,
        outcomes=[
            OutcomePublic(company_id=o.company.key, outcome=o.outcome.value, detail=o.detail) for o in job.outcomes
        ],
    )
