"""Creditsafe Connect's JSON, read into the domain: pure functions, no I/O.

The shapes follow Connect's public OpenAPI description (v1): a search answers
`{"companies": [{"id", "country", "regNo", "name", "address": {...}}], "totalSize"}`,
a credit report `{"report": {"creditScore": {"currentCreditRating": {"commonValue",
"commonDescription", "creditLimit": {"value", "currency"}, "providerValue": {"value",
"minValue", "maxValue"}, "providerDescription"}}, "indicators": [...], ...}}`, the
company events `{"data": [{"eventId", "ruleName", "globalEventCode", "oldValue",
"newValue", "eventDate"}], "paging": {...}}` and the portfolio notification events
the same with a `company` object. Where the public description says nothing (the
four trends, the solvency index, the event codes of rating and score changes) the
guesses are named in the functions below and in the README ("Providers").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ratings.domain.companies import Address, Company, CompanyId
from ratings.domain.credit_file import SCORE_MAX, CommonRating, CreditFile, Money, Trend, Trends
from ratings.domain.errors import RuleViolations
from ratings.ports import ADDRESS_CHANGED, LIMIT_CHANGED, RATING_CHANGED, SCORE_CHANGED, ProviderEvent

log = logging.getLogger(__name__)

# Guess: a national score from the common letter when the provider's value is not a number
# (some countries rate with letters): the middle of the letter's band on the common scale.
BAND_MIDDLES = {"A": 85, "B": 60, "C": 40, "D": 25, "E": 10}
# Guess: the trends as an `additionalInformation.trends` section (the description leaves that
# object open per country), each "Up", "Stable"/"Flat" or "Down".
TREND_FIELDS = {
    "profitability": "profitability",
    "liquidity": "liquidity",
    "net_worth": "netWorth",
    "payment": "payment",
}
_TRENDS = {"up": Trend.UP, "increase": Trend.UP, "down": Trend.DOWN, "decrease": Trend.DOWN}
# Credit limit changes are "CL" in the description's example; the other codes are guesses,
# backed by the rule's name ("International Rating ...", "... Score ...", "... Address ...").
EVENT_CODES = {
    "CL": LIMIT_CHANGED,
    "IR": RATING_CHANGED,
    "RC": RATING_CHANGED,
    "SC": SCORE_CHANGED,
    "AC": ADDRESS_CHANGED,
}


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def cents(value: Any) -> int | None:
    """An amount in currency units (Connect's `creditLimit.value`, a string) in integer cents."""
    number = _decimal(value)
    if number is None or number < 0:
        return None
    return int((number * 100).to_integral_value())


def company_from(item: Mapping[str, Any]) -> Company | None:
    """A search result; None when its country and number are no company the domain can identify."""
    try:
        company_id = CompanyId.parse(str(item.get("country") or ""), str(item.get("regNo") or ""))
    except RuleViolations:
        log.info("connect result %s skipped: no valid country and registration number", item.get("id"))
        return None
    raw = _dict(item.get("address"))
    address = None
    if raw:
        street = " ".join(str(raw[k]) for k in ("houseNumber", "street") if raw.get(k))
        line = street or str(raw.get("simpleValue") or "")
        address = Address(
            (line,) if line else (),
            str(raw.get("postalCode") or ""),
            str(raw.get("city") or ""),
            str(raw.get("country") or company_id.country),
        )
    return Company(company_id, str(item.get("name") or ""), address, str(item.get("id") or ""))


def companies_from(body: Any) -> list[Company]:
    items = _dict(body).get("companies")
    if not isinstance(items, list):  # Connect's "no results" shape has an object here
        return []
    return [c for c in (company_from(_dict(item)) for item in items) if c is not None]


def national_score(rating: Mapping[str, Any]) -> int | None:
    """The provider's value on 0-100: as given when its range is 0-100, scaled from another
    numeric range, else the middle of the common letter's band (a guess), else none."""
    provider = _dict(rating.get("providerValue"))
    value, low, high = (_decimal(provider.get(k)) for k in ("value", "minValue", "maxValue"))
    if value is not None:
        low = low if low is not None else Decimal(0)
        high = high if high is not None and high > low else Decimal(SCORE_MAX)
        scaled = (value - low) * SCORE_MAX / (high - low)
        return max(0, min(SCORE_MAX, int(scaled.to_integral_value())))
    letter = str(rating.get("commonValue") or "").strip().upper()
    return BAND_MIDDLES.get(letter)


def _solvency(report: Mapping[str, Any]) -> int | None:
    """Guess: the solvency index is the "fsi" (financial strength) indicator when it is a number."""
    indicators = report.get("indicators")
    for indicator in indicators if isinstance(indicators, list) else []:
        if _dict(indicator).get("type") == "fsi":
            value = _decimal(_dict(indicator).get("value"))
            return int(value.to_integral_value()) if value is not None else None
    return None


def _trends(report: Mapping[str, Any]) -> Trends:
    raw = _dict(_dict(report.get("additionalInformation")).get("trends"))
    values = {
        ours: _TRENDS.get(str(raw.get(theirs) or "").strip().lower(), Trend.FLAT)
        for ours, theirs in TREND_FIELDS.items()
    }
    return Trends(**values)


def credit_file_from(
    body: Any, *, company: CompanyId, provider: str, page_url: str | None, synchronised_at: datetime
) -> CreditFile:
    report = _dict(_dict(body).get("report"))
    rating = _dict(_dict(report.get("creditScore")).get("currentCreditRating"))
    if not rating:  # the summary repeats the current rating
        rating = _dict(_dict(report.get("companySummary")).get("creditRating"))
    provider_value = _dict(rating.get("providerValue")).get("value")
    limit = _dict(rating.get("creditLimit"))
    limit_cents, currency = cents(limit.get("value")), str(limit.get("currency") or "").upper()
    credit_limit = None
    if limit_cents is not None:
        try:
            credit_limit = Money(limit_cents, currency)
        except RuleViolations:
            log.info("connect report of %s: credit limit in %r dropped", company.key, currency)
    return CreditFile(
        company_key=company.key,
        provider=provider,
        provider_rating=str(provider_value if provider_value not in (None, "") else rating.get("commonValue") or ""),
        national_score=national_score(rating),
        credit_limit=credit_limit,
        solvency_index=_solvency(report),
        trends=_trends(report),
        provider_url=page_url,
        synchronised_at=synchronised_at,
    )


def _instant(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "other"


def event_kind(item: Mapping[str, Any]) -> str:
    code = str(item.get("globalEventCode") or item.get("localEventCode") or "").strip().upper()
    if code in EVENT_CODES:
        return EVENT_CODES[code]
    name = str(item.get("ruleName") or "").lower()
    for word, kind in (("limit", LIMIT_CHANGED), ("rating", RATING_CHANGED), ("score", SCORE_CHANGED)):
        if word in name:
            return kind
    if "address" in name:
        return ADDRESS_CHANGED
    return _slug(name)


def _value(kind: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if kind == LIMIT_CHANGED:
        amount = cents(value)
        return str(amount) if amount is not None else str(value)
    if kind == RATING_CHANGED:
        letter = str(value).strip().upper()
        return letter if letter in CommonRating.__members__ or letter == "NR" else str(value)
    return str(value)


def event_from(item: Mapping[str, Any], company: CompanyId) -> ProviderEvent | None:
    """A company event or a portfolio notification event; None without an id or a date."""
    event_id = item.get("notificationEventId") or item.get("eventId")
    occurred_at = _instant(item.get("eventDate") or item.get("createdDate"))
    if event_id in (None, "") or occurred_at is None:
        return None
    kind = event_kind(item)
    description = str(item.get("summary") or item.get("ruleName") or kind)
    return ProviderEvent(
        str(event_id),
        company,
        occurred_at,
        kind,
        description,
        _value(kind, item.get("oldValue")),
        _value(kind, item.get("newValue")),
    )


def events_from(body: Any, company: CompanyId) -> list[ProviderEvent]:
    items = _dict(body).get("data")
    events = [e for e in (event_from(_dict(i), company) for i in (items if isinstance(items, list) else []))]
    return [e for e in events if e is not None]


def next_page(body: Any, page: int) -> int | None:
    """The page after `page` per Connect's `paging` ({size, prev, next, last}), or None."""
    paging = _dict(_dict(body).get("paging"))
    following, last = paging.get("next"), paging.get("last")
    if (
        isinstance(following, int | float)
        and following > page
        and (not isinstance(last, int | float) or following <= last)
    ):
        return int(following)
    return None


def history_points(
    current_score: int | None,
    current_limit_cents: int | None,
    events: Sequence[ProviderEvent],
    month_ends: Sequence[datetime],
) -> list[tuple[int | None, int | None]]:
    """Score and limit at each of `month_ends` (newest last), rebuilt from the current values by
    undoing, newest first, the score and limit events that happened after each end."""
    changes = sorted((e for e in events if e.kind in (SCORE_CHANGED, LIMIT_CHANGED)), key=lambda e: e.occurred_at)
    score, limit = current_score, current_limit_cents
    values: list[tuple[int | None, int | None]] = []
    for end in reversed(month_ends):
        while changes and changes[-1].occurred_at >= end:
            event = changes.pop()
            old = _decimal(event.old_value)
            if event.kind == SCORE_CHANGED:
                score = int(old) if old is not None and 0 <= old <= SCORE_MAX else score
            else:
                limit = int(old) if old is not None and old >= 0 else limit
        values.append((score, limit))
    return values[::-1]
