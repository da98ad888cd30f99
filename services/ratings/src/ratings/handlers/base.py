"""What ratings' handlers share: the caller's provider account, access to a portfolio, refreshing
a company from the provider, saving a portfolio edit over the version it was decided on."""

from __future__ import annotations

from dataclasses import dataclass, replace

from contracts import Right
from ratings.domain.alerts import NewEvent
from ratings.domain.companies import Company, CompanyId
from ratings.domain.credit_file import CreditFile, RatingChange, change_between
from ratings.domain.history import MonthlyPoint, record_month
from ratings.domain.portfolios import Edited, Portfolio
from ratings.ports import CompanyRecord, NotFound, ProviderCredentials, RatingsPorts, StaleWrite

CONNECT_HINT = (
    "connect your provider account first: PUT /api/ratings/provider-account with your provider "
    "username and password (they are checked with the provider, then stored encrypted)"
)
FINANCIAL_RIGHT = Right.VIEW_FINANCIAL_DOCUMENTS  # teams' right 1: access to financial information


class NoProviderAccount(Exception):
    """The caller has no provider account connected: a 409 saying how to connect one."""

    def __init__(self) -> None:
        super().__init__(CONNECT_HINT)


class NotOwner(Exception):
    """Only the portfolio's owner may change it (members it is shared with read and check it)."""


async def credentials_of(ports: RatingsPorts, account_id: str) -> ProviderCredentials:
    credentials = await ports.accounts.get(account_id)
    if credentials is None:
        raise NoProviderAccount()
    return credentials


async def may_read(ports: RatingsPorts, portfolio: Portfolio, account_id: str) -> bool:
    if portfolio.owner_id == account_id:
        return True
    if portfolio.company_space is None:
        return False
    return await ports.rights.may(portfolio.company_space, account_id, FINANCIAL_RIGHT)


async def readable(ports: RatingsPorts, portfolio_id: str, account_id: str) -> Portfolio:
    """The portfolio if the account owns it or holds right 1 in its company space; NotFound
    otherwise (a portfolio one may not see is not said to exist)."""
    portfolio = await ports.portfolios.get(portfolio_id)
    if not await may_read(ports, portfolio, account_id):
        raise NotFound("portfolio", portfolio_id)
    return portfolio


async def owned(ports: RatingsPorts, portfolio_id: str, account_id: str) -> Portfolio:
    portfolio = await readable(ports, portfolio_id, account_id)
    if portfolio.owner_id != account_id:
        raise NotOwner(f"portfolio {portfolio_id} is shared with you: only its owner may change it")
    return portfolio


async def save_edit(ports: RatingsPorts, loaded: Portfolio, edited: Edited) -> Portfolio:
    """Write the edited portfolio with its events over the version loaded; nothing when nothing changed."""
    if not edited.events:
        return loaded
    return await ports.portfolios.save(edited.portfolio, edited.events, expected_version=loaded.version)


@dataclass(frozen=True)
class Fetched:
    """A company as the provider gives it now, compared with what was stored: not stored yet."""

    record: CompanyRecord  # as loaded (its version is the one a save must find)
    updated: CompanyRecord  # what to store
    change: RatingChange | None  # None for a first file: RatingUpdated and alerts need an old value
    events: tuple[NewEvent, ...]  # provider events newer than the last seen


@dataclass(frozen=True)
class Refreshed:
    record: CompanyRecord
    change: RatingChange | None
    events: tuple[NewEvent, ...]


def point_of(file: CreditFile) -> MonthlyPoint:
    """The month's point of a file (a later sync in the same month replaces it)."""
    month = file.synchronised_at.date().replace(day=1)
    return MonthlyPoint(month, file.national_score, file.credit_limit.cents if file.credit_limit else None)


async def fetch_company(
    ports: RatingsPorts,
    credentials: ProviderCredentials,
    company: CompanyId,
    *,
    with_history: bool,
    found: Company | None = None,
    stored: CompanyRecord | None = None,
) -> Fetched:
    """The company's credit file (and its new monitoring events, and its history when asked or never
    fetched) from the provider, compared with the stored one (`stored` when the caller read it)."""
    report = await ports.provider.credit_report(credentials, company)
    current = replace(report, company_key=company.key, synchronised_at=ports.clock.now())
    record = stored or await ports.files.get(company) or CompanyRecord(company)
    if found is None and not record.name and with_history:
        # Its name, address and provider id, once: a credit report does not carry them.
        matches = await ports.provider.search(credentials, country=company.country, number=company.number)
        found = next((m for m in matches if m.id == company), None)
    since = record.last_event_at
    provider_events = await ports.provider.events_since(credentials, company, since)
    seen_before = record.file is not None
    # A company seen for the first time: its past events set the baseline, none is new.
    fresh = tuple(e for e in provider_events if seen_before and (since is None or e.occurred_at > since))
    newest = max((e.occurred_at for e in provider_events), default=record.last_event_at)
    history = record.history
    if with_history or not history:
        points = await ports.provider.history(credentials, company, months=ports.policy.history_months)
        for p in points:
            history = record_month(history, MonthlyPoint(p.month, p.national_score, p.credit_limit_cents))
    history = record_month(history, point_of(current))
    updated = replace(
        record,
        name=found.name if found else record.name,
        provider_id=found.provider_id if found else record.provider_id,
        address=found.address if found and found.address else record.address,
        file=current,
        history=history,
        last_event_at=max(filter(None, (newest, record.last_event_at)), default=None),
    )
    events = tuple(NewEvent(e.event_id, e.kind, e.description, e.occurred_at, e.old_value, e.new_value) for e in fresh)
    change = change_between(record.file, current) if record.file is not None else None
    return Fetched(record, updated, change, events)


async def store_company(ports: RatingsPorts, fetched: Fetched) -> CompanyRecord | None:
    """Store a fetched company with its `RatingUpdated` (if it changed) in one write; None when another
    check stored it meanwhile (its file is as fresh, and its write carried the change)."""
    try:
        return await ports.files.save(fetched.updated, fetched.change, expected_version=fetched.record.version)
    except StaleWrite:
        return None


async def refresh_company(
    ports: RatingsPorts,
    credentials: ProviderCredentials,
    company: CompanyId,
    *,
    with_history: bool,
    found: Company | None = None,
) -> Refreshed:
    """Fetch and store the company (a stale save is fetched and compared again)."""
    for _attempt in range(3):
        fetched = await fetch_company(ports, credentials, company, with_history=with_history, found=found)
        saved = await store_company(ports, fetched)
        if saved is not None:
            return Refreshed(saved, fetched.change, fetched.events)
    raise StaleWrite(f"company {company.key} kept changing while it was stored")
