"""Ratings' domain events as integration events (`libs/contracts`), translated in this one place.

A change of rating, score or limit becomes `RatingUpdated` v2 (any country and currency; v1, FR and
EUR only, has no consumer and is no longer produced); a portfolio edit `PortfolioChanged`; an alert
`AlertRaised` for identity's mailbox.
"""

from __future__ import annotations

from contracts.events.ratings import AlertRaised, PortfolioChanged, RatingUpdatedV2
from ratings.domain.alerts import Alert
from ratings.domain.credit_file import RatingChange
from ratings.domain.portfolios import Portfolio, PortfolioChange
from ratings.ports import CompanyRecord


def rating_updated(record: CompanyRecord, change: RatingChange) -> RatingUpdatedV2:
    current, previous = change.current, change.previous
    return RatingUpdatedV2(
        company_id=record.company.key,
        country=record.company.country,
        registration_number=record.company.number,
        company_name=record.name,
        provider=current.provider,
        rating=current.rating.value,
        rating_description=current.rating.description,
        provider_rating=current.provider_rating,
        national_score=current.national_score,
        credit_limit_cents=current.credit_limit.cents if current.credit_limit else None,
        currency=current.credit_limit.currency if current.credit_limit else None,
        previous_rating=previous.rating.value if previous else None,
        previous_provider_rating=previous.provider_rating if previous else None,
        previous_national_score=previous.national_score if previous else None,
        previous_credit_limit_cents=previous.credit_limit.cents if previous and previous.credit_limit else None,
        previous_currency=previous.credit_limit.currency if previous and previous.credit_limit else None,
        changed_fields=list(change.changed_fields),
        synchronised_at=current.synchronised_at,
    )


def portfolio_changed(portfolio: Portfolio, change: PortfolioChange) -> PortfolioChanged:
    return PortfolioChanged(
        portfolio_id=portfolio.portfolio_id,
        owner_id=portfolio.owner_id,
        name=portfolio.name,
        change=change.change,
        company_space=portfolio.company_space,
        active=portfolio.active,
        companies=[c.key for c in change.companies],
        company_count=0 if change.change == "deleted" else len(portfolio.entries),
    )


def alert_raised(alert: Alert) -> AlertRaised:
    return AlertRaised(
        alert_id=alert.alert_id,
        owner_id=alert.owner_id,
        portfolio_id=alert.portfolio_id,
        portfolio_name=alert.portfolio_name,
        company_country=alert.company.country,
        company_number=alert.company.number,
        company_name=alert.company_name or alert.company.key,
        kind=alert.kind,
        title=alert.title,
        body=alert.body,
        old_value=alert.old_value,
        new_value=alert.new_value,
        raised_at=alert.raised_at,
    )
