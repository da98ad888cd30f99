"""Alerts for watchers: one per new event of a monitored company.

A portfolio with "create an alert on each new event" raises one alert per new
provider event of each of its companies, and one for a change of rating, score
or limit the provider reported no event for. An alert's id is derived from the
portfolio and the event (or the change's old and new values), never from the
time of the check, so a check redone after a crash raises the same alert again
and the mailbox keeps it once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import RatingChange


@dataclass(frozen=True)
class Alert:
    """A domain event: a watcher is told something happened to a company."""

    alert_id: str
    owner_id: str
    portfolio_id: str
    portfolio_name: str
    company: CompanyId
    company_name: str
    kind: str
    title: str
    body: str
    old_value: str | None
    new_value: str | None
    raised_at: datetime


@dataclass(frozen=True)
class NewEvent:
    """A provider's monitoring event, as ratings reads it (see `ports.ProviderEvent`)."""

    event_id: str
    kind: str
    description: str
    occurred_at: datetime
    old_value: str | None = None
    new_value: str | None = None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _value(change: RatingChange, name: str, *, old: bool) -> str | None:
    file = change.previous if old else change.current
    if file is None:
        return None
    if name == "rating":
        return file.rating.value
    if name == "national_score":
        return None if file.national_score is None else str(file.national_score)
    limit = file.credit_limit
    return None if limit is None else f"{limit.cents // 100}.{limit.cents % 100:02d} {limit.currency}"


def change_as_event(change: RatingChange) -> NewEvent:
    """A change of rating, score or limit as one event, its id from the old and new values."""
    names = change.changed_fields
    old = "; ".join(f"{n}={_value(change, n, old=True)}" for n in names)
    new = "; ".join(f"{n}={_value(change, n, old=False)}" for n in names)
    kind = (
        "rating_changed" if "rating" in names else ("score_changed" if "national_score" in names else "limit_changed")
    )
    return NewEvent(
        event_id="change-" + _digest(change.company_key, old, new),
        kind=kind,
        description="Changement : " + ", ".join(LABELS.get(n, n) for n in names),
        occurred_at=change.current.synchronised_at,
        old_value=old or None,
        new_value=new,
    )


LABELS = {"rating": "notation", "national_score": "score national", "credit_limit": "limite de crédit"}


def alerts_for(
    *,
    owner_id: str,
    portfolio_id: str,
    portfolio_name: str,
    company: CompanyId,
    company_name: str,
    events: tuple[NewEvent, ...],
    change: RatingChange | None,
    now: datetime,
) -> tuple[Alert, ...]:
    """One alert per new event; the change counts as one when the provider sent no event."""
    found = list(events)
    if change is not None and not found:
        found.append(change_as_event(change))
    label = company_name or company.key
    return tuple(
        Alert(
            alert_id=_digest(portfolio_id, company.key, event.event_id),
            owner_id=owner_id,
            portfolio_id=portfolio_id,
            portfolio_name=portfolio_name,
            company=company,
            company_name=company_name,
            kind=event.kind,
            title=f"{label} : nouvel évènement ({event.kind})",
            body=(
                f"Portfolio « {portfolio_name} » : {label} ({company.country} {company.number}). "
                f"{event.description}".strip()
            ),
            old_value=event.old_value,
            new_value=event.new_value,
            raised_at=now,
        )
        for event in found
    )
