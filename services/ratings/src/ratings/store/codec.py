"""Domain objects to MongoDB documents and back (dates as ISO strings: BSON has no date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ratings.domain.checks import CheckJob, CompanyOutcome, Outcome
from ratings.domain.companies import Address, CompanyId
from ratings.domain.credit_file import CommonRating, CreditFile, Money, Trend, Trends
from ratings.domain.history import MonthlyPoint
from ratings.domain.legacy import LegacyImport, LegacyPortfolio
from ratings.domain.portfolios import Entry, EntryState, Portfolio

Document = dict[str, Any]


def company_doc(company: CompanyId) -> Document:
    return {"country": company.country, "number": company.number}


def company_of(document: Document) -> CompanyId:
    return CompanyId(str(document["country"]), str(document["number"]))


def address_doc(address: Address | None) -> Document | None:
    if address is None:
        return None
    return {
        "lines": list(address.lines),
        "postcode": address.postcode,
        "city": address.city,
        "country": address.country,
    }


def address_of(document: Document | None) -> Address | None:
    if not document:
        return None
    return Address(tuple(document["lines"]), document["postcode"], document["city"], document["country"])


def file_doc(file: CreditFile | None) -> Document | None:
    if file is None:
        return None
    return {
        "company_key": file.company_key,
        "provider": file.provider,
        "provider_rating": file.provider_rating,
        "national_score": file.national_score,
        "limit_cents": file.credit_limit.cents if file.credit_limit else None,
        "currency": file.credit_limit.currency if file.credit_limit else None,
        "solvency_index": file.solvency_index,
        "trends": {
            "profitability": file.trends.profitability.value,
            "liquidity": file.trends.liquidity.value,
            "net_worth": file.trends.net_worth.value,
            "payment": file.trends.payment.value,
        },
        "provider_url": file.provider_url,
        "synchronised_at": file.synchronised_at,
    }


def file_of(document: Document | None) -> CreditFile | None:
    if not document:
        return None
    trends = document["trends"]
    limit = document.get("limit_cents")
    return CreditFile(
        document["company_key"],
        document["provider"],
        document["provider_rating"],
        document.get("national_score"),
        Money(int(limit), document["currency"]) if limit is not None else None,
        document.get("solvency_index"),
        Trends(*(Trend(trends[k]) for k in ("profitability", "liquidity", "net_worth", "payment"))),
        document.get("provider_url"),
        document["synchronised_at"],
    )


def point_doc(point: MonthlyPoint) -> Document:
    return {"month": point.month.isoformat(), "score": point.national_score, "limit_cents": point.credit_limit_cents}


def point_of(document: Document) -> MonthlyPoint:
    return MonthlyPoint(date.fromisoformat(document["month"]), document.get("score"), document.get("limit_cents"))


def entry_doc(entry: Entry) -> Document:
    return {
        "key": entry.company.key,
        **company_doc(entry.company),
        "name": entry.name,
        "rating": entry.rating.value if entry.rating else None,
        "limit_cents": entry.credit_limit.cents if entry.credit_limit else None,
        "currency": entry.credit_limit.currency if entry.credit_limit else None,
        "last_event_date": entry.last_event_date.isoformat() if entry.last_event_date else None,
        "state": entry.state.value,
    }


def entry_of(document: Document) -> Entry:
    limit = document.get("limit_cents")
    last = document.get("last_event_date")
    return Entry(
        company_of(document),
        document.get("name", ""),
        CommonRating(document["rating"]) if document.get("rating") else None,
        Money(int(limit), document["currency"]) if limit is not None else None,
        date.fromisoformat(last) if last else None,
        EntryState(document.get("state", EntryState.UP_TO_DATE.value)),
    )


def portfolio_fields(portfolio: Portfolio) -> Document:
    return {
        "name": portfolio.name,
        "owner_id": portfolio.owner_id,
        "provider": portfolio.provider,
        "company_space": portfolio.company_space,
        "active": portfolio.active,
        "alert_on_new_event": portfolio.alert_on_new_event,
        "last_monitored_at": portfolio.last_monitored_at,
        "entries": [entry_doc(e) for e in portfolio.entries],
    }


def portfolio_of(document: Document) -> Portfolio:
    return Portfolio(
        str(document["_id"]),
        document["name"],
        document["owner_id"],
        document["provider"],
        company_space=document.get("company_space"),
        active=bool(document["active"]),
        alert_on_new_event=bool(document.get("alert_on_new_event", False)),
        last_monitored_at=document.get("last_monitored_at"),
        entries=tuple(entry_of(e) for e in document.get("entries", [])),
        version=int(document.get("revision", 0)),
    )


def outcome_doc(outcome: CompanyOutcome) -> Document:
    return {**company_doc(outcome.company), "outcome": outcome.outcome.value, "detail": outcome.detail}


def job_of(document: Document) -> CheckJob:
    return CheckJob(
        str(document["_id"]),
        document["portfolio_id"],
        document["requested_by"],
        bool(document["alert_on_new_event"]),
        document["created_at"],
        tuple(CompanyOutcome(company_of(o), Outcome(o["outcome"]), o.get("detail", "")) for o in document["outcomes"]),
        finished_at=document.get("finished_at"),
    )


def legacy_portfolio_doc(item: LegacyPortfolio) -> Document:
    return {
        "name": item.name,
        "companies": [company_doc(c) for c in item.companies],
        "names": list(item.names),
        "active": item.active,
        "alert_on_new_event": item.alert_on_new_event,
        "last_monitored_at": item.last_monitored_at,
    }


def legacy_import_of(document: Document) -> LegacyImport:
    return LegacyImport(
        str(document["_id"]),
        tuple(
            LegacyPortfolio(
                p["name"],
                tuple(company_of(c) for c in p["companies"]),
                tuple(p.get("names", [])),
                bool(p.get("active", True)),
                bool(p.get("alert_on_new_event", False)),
                p.get("last_monitored_at"),
            )
            for p in document["portfolios"]
        ),
        document["imported_at"],
        document.get("account_id"),
        document.get("attached_at"),
    )
