"""Schemas of ratings' routes: `XIn` for what a client sends, `XPublic` for what it gets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from ratings.domain.checks import CheckJob
from ratings.domain.companies import Company
from ratings.domain.credit_file import CreditFile, Money
from ratings.domain.history import SeriesPoint
from ratings.domain.portfolios import Entry, Portfolio
from ratings.ports import CompanyRecord

TrendName = Literal["up", "flat", "down"]

# --- examples: Boulangerie Martin SARL (Lyon), its British and Belgian suppliers -----------

OWNER_ID = "8f14e45fceea167a5a36dedd4bea2543"
PORTFOLIO_ID = "3f2b9c0e8d7a4b1c9e3f6a2d4b8c0e1f"
ADDRESS_EXAMPLE: JsonDict = {"lines": ["12 rue de la République"], "postcode": "69002", "city": "Lyon", "country": "FR"}
COMPANY_EXAMPLE: JsonDict = {
    "country": "FR",
    "registration_number": "552100554",
    "company_id": "FR-552100554",
    "name": "Boulangerie Martin SARL",
    "address": ADDRESS_EXAMPLE,
    "provider_id": "FR-X-552100554",
}
ENTRY_FR: JsonDict = {
    "company_id": "FR-552100554",
    "country": "FR",
    "registration_number": "552100554",
    "name": "Boulangerie Martin SARL",
    "rating": "B",
    "rating_description": "Low risk",
    "credit_limit": {"cents": 1500000, "currency": "EUR"},
    "last_event_date": "2026-11-14",
    "state": "up_to_date",
}
ENTRY_GB: JsonDict = {
    "company_id": "GB-00445790",
    "country": "GB",
    "registration_number": "00445790",
    "name": "Tesco PLC",
    "rating": "A",
    "rating_description": "Very low risk",
    "credit_limit": {"cents": 50000000, "currency": "GBP"},
    "last_event_date": "2026-11-28",
    "state": "new_events",
}
PORTFOLIO_EXAMPLE: JsonDict = {
    "portfolio_id": PORTFOLIO_ID,
    "name": "Clients clés",
    "owner_id": OWNER_ID,
    "provider": "creditsafe",
    "company_space": "552100554",
    "active": True,
    "alert_on_new_event": True,
    "last_monitored_at": "2026-12-01T06:00:00Z",
    "company_count": 2,
    "version": 4,
    "companies": [ENTRY_FR, ENTRY_GB],
}


class ProviderAccountIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "jeanne.martin@boulangerie-martin.fr", "password": "Correct-Horse-9!"}]
        },
    )
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)


class ProviderAccountPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider": "creditsafe",
                    "username": "jeanne.martin@boulangerie-martin.fr",
                    "connected_at": "2026-12-02T09:30:00Z",
                }
            ]
        }
    )
    provider: str
    username: str
    connected_at: datetime


class AddressPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ADDRESS_EXAMPLE]})
    lines: list[str]
    postcode: str
    city: str
    country: str


class CompanyPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [COMPANY_EXAMPLE]})
    country: str = Field(description="ISO 3166-1 alpha-2")
    registration_number: str
    company_id: str = Field(description="COUNTRY-NUMBER, the company's id in URLs and CSV")
    name: str
    address: AddressPublic | None
    provider_id: str


class AmountPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cents": 1500000, "currency": "EUR"}]})
    cents: int
    currency: str = Field(description="ISO 4217")


class TrendsPublic(BaseModel):
    profitability: TrendName
    liquidity: TrendName
    net_worth: TrendName
    payment: TrendName


class RatingPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"common": "B", "description": "Low risk", "provider_value": "B"}]}
    )
    common: str = Field(description="A (very low risk) to E (very high risk), NR not rated")
    description: str
    provider_value: str = Field(description="The provider's own rating, as it gives it")


class CreditFilePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "company_id": "FR-552100554",
                    "country": "FR",
                    "registration_number": "552100554",
                    "name": "Boulangerie Martin SARL",
                    "provider": "creditsafe",
                    "rating": {"common": "B", "description": "Low risk", "provider_value": "B"},
                    "national_score": 62,
                    "credit_limit": {"cents": 1500000, "currency": "EUR"},
                    "solvency_index": 7,
                    "trends": {"profitability": "up", "liquidity": "flat", "net_worth": "up", "payment": "flat"},
                    "provider_url": "https://app.creditsafe.com/companies/FR-X-552100554",
                    "synchronised_at": "2026-12-02T09:30:00Z",
                }
            ]
        }
    )
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
    model_config = ConfigDict(json_schema_extra={"examples": [{"period_start": "2026-11-01", "value": 62}]})
    period_start: date
    value: int | None


class HistoryPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "company_id": "FR-552100554",
                    "period": "quarter",
                    "aggregate": "last",
                    "currency": "EUR",
                    "national_score": [
                        {"period_start": "2026-04-01", "value": 58},
                        {"period_start": "2026-07-01", "value": 60},
                        {"period_start": "2026-10-01", "value": 62},
                    ],
                    "credit_limit_cents": [
                        {"period_start": "2026-04-01", "value": 1200000},
                        {"period_start": "2026-07-01", "value": 1200000},
                        {"period_start": "2026-10-01", "value": 1500000},
                    ],
                }
            ]
        }
    )
    company_id: str
    period: Literal["month", "quarter", "year"]
    aggregate: Literal["last", "mean"] = Field(description="what a grouped period shows: its last month or the mean")
    currency: str | None
    national_score: list[SeriesPointPublic]
    credit_limit_cents: list[SeriesPointPublic]


class CompanyRef(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"country": "FR", "registration_number": "552100554", "name": "Boulangerie Martin SARL"}]
        },
    )
    country: str = Field(min_length=2, max_length=2, examples=["FR"])
    registration_number: str = Field(min_length=1, max_length=40, examples=["552100554"])
    name: str = Field(default="", max_length=200)


class PortfolioCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Clients clés",
                    "company_space": "552100554",
                    "alert_on_new_event": True,
                    "companies": [
                        {"country": "FR", "registration_number": "552100554", "name": "Boulangerie Martin SARL"},
                        {"country": "GB", "registration_number": "00445790", "name": "Tesco PLC"},
                    ],
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
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Clients clés (copie)"}]})
    name: str | None = Field(default=None, max_length=400)


class CompaniesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "companies": [
                        {"country": "BE", "registration_number": "0403170701", "name": "Brasserie Dupont SA"},
                        {"country": "IT", "registration_number": "00488410010", "name": "Pasticceria Rossi S.r.l."},
                    ]
                }
            ]
        },
    )
    companies: list[CompanyRef] = Field(min_length=1, max_length=5000)


class EntryPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_FR]})
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
    model_config = ConfigDict(json_schema_extra={"examples": [PORTFOLIO_EXAMPLE]})
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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "portfolio_id": PORTFOLIO_ID,
                    "name": "Clients clés",
                    "owner_id": OWNER_ID,
                    "company_space": "552100554",
                    "active": True,
                    "last_monitored_at": "2026-12-01T06:00:00Z",
                    "company_count": 2,
                }
            ]
        }
    )
    portfolio_id: str
    name: str
    owner_id: str
    company_space: str | None
    active: bool
    last_monitored_at: datetime | None
    company_count: int


class LineProblem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"field": "line 3", "code": "bad-checksum", "message": "'552100555': the check digits are wrong"}
            ]
        }
    )
    field: str
    code: str
    message: str


class ImportPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "added": 1,
                    "problems": [
                        {
                            "field": "line 3",
                            "code": "bad-checksum",
                            "message": "'552100555': the check digits are wrong",
                        }
                    ],
                    "portfolio": PORTFOLIO_EXAMPLE,
                }
            ]
        }
    )
    added: int
    problems: list[LineProblem]
    portfolio: PortfolioPublic


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"alert_on_new_event": True}]})
    alert_on_new_event: bool | None = Field(default=None, description="None: the portfolio's own option")


class OutcomePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"company_id": "GB-00445790", "outcome": "new_events", "detail": "rating, credit_limit"}]
        }
    )
    company_id: str
    outcome: Literal["pending", "unchanged", "new_events", "failed"]
    detail: str


class CheckPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "c4ca4238a0b923820dcc509a6f75849b",
                    "portfolio_id": PORTFOLIO_ID,
                    "state": "done",
                    "done": 2,
                    "total": 2,
                    "counts": {"pending": 0, "unchanged": 1, "new_events": 1, "failed": 0},
                    "alert_on_new_event": True,
                    "created_at": "2026-12-02T09:30:00Z",
                    "finished_at": "2026-12-02T09:30:04Z",
                    "outcomes": [
                        {"company_id": "FR-552100554", "outcome": "unchanged", "detail": ""},
                        {"company_id": "GB-00445790", "outcome": "new_events", "detail": "rating, credit_limit"},
                    ],
                }
            ]
        }
    )
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
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Mon portefeuille",
                    "active": True,
                    "alert_on_new_event": True,
                    "last_monitored_at": "2026-11-30T06:00:00Z",
                    "companies": [
                        {"country": "FR", "registration_number": "552100554", "name": "Boulangerie Martin SARL"}
                    ],
                }
            ]
        },
    )
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
                            "last_monitored_at": "2026-11-30T06:00:00Z",
                            "companies": [
                                {
                                    "country": "FR",
                                    "registration_number": "552100554",
                                    "name": "Boulangerie Martin SARL",
                                },
                                {"country": "GB", "registration_number": "00445790", "name": "Tesco PLC"},
                            ],
                        }
                    ]
                }
            ]
        },
    )
    portfolios: list[LegacyPortfolioIn] = Field(min_length=1, max_length=200)


class LegacyImportPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "legacy_id": "CLI-004217",
                    "portfolio_count": 1,
                    "imported_at": "2026-12-02T09:30:00Z",
                    "attached_to": OWNER_ID,
                    "attached_at": "2026-12-02T09:31:00Z",
                }
            ]
        }
    )
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
    """The summary's fields and the rest: provider, alert setting, version, companies."""
    return PortfolioPublic(
        **portfolio_summary(portfolio).model_dump(),
        provider=portfolio.provider,
        alert_on_new_event=portfolio.alert_on_new_event,
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
