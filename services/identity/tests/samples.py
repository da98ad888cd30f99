"""Sample events the mailbox tests file (handler tests on fakes, service tests on the bus)."""

from __future__ import annotations

from datetime import datetime

from contracts.events.ratings import AlertRaised


def sample_alert(
    alert_id: str,
    owner_id: str,
    raised_at: datetime,
    *,
    title: str = "Note abaissée",
    body: str = "La note de DUPONT SA passe de B à C.",
) -> AlertRaised:
    """Ratings' AlertRaised about DUPONT SA's rating, from B to C."""
    return AlertRaised(
        alert_id=alert_id,
        owner_id=owner_id,
        portfolio_id="pf-1",
        portfolio_name="Clients France",
        company_country="FR",
        company_number="732829320",
        company_name="DUPONT SA",
        kind="rating_changed",
        title=title,
        body=body,
        old_value="B",
        new_value="C",
        raised_at=raised_at,
    )
