"""Portfolios: watch lists of companies that monitoring keeps up to date.

A portfolio belongs to the user who made it and, when made for a company
space, may be shared with that company's members who hold right 1 (access to
financial information); that check is the handlers' (ratings' local rights
view), the rules here are the list's own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import CommonRating, CreditFile, Money
from ratings.domain.errors import RuleViolations, Violation

MAX_COMPANIES = 5_000
NAME_MAX = 120
CSV_COLUMNS = (
    "country",
    "registration_number",
    "name",
    "rating",
    "rating_description",
    "credit_limit",
    "currency",
    "state",
    "last_event_date",
)


class EntryState(StrEnum):
    UP_TO_DATE = "up_to_date"
    NEW_EVENTS = "new_events"
    SYNC_FAILED = "sync_failed"


@dataclass(frozen=True)
class Entry:
    """A company as its portfolio shows it."""

    company: CompanyId
    name: str = ""
    rating: CommonRating | None = None
    credit_limit: Money | None = None
    last_event_date: date | None = None
    state: EntryState = EntryState.UP_TO_DATE

    def refreshed(self, file: CreditFile, *, new_event: bool) -> Entry:
        return replace(
            self,
            rating=file.rating,
            credit_limit=file.credit_limit,
            last_event_date=file.synchronised_at.date() if new_event else self.last_event_date,
            state=EntryState.NEW_EVENTS if new_event else EntryState.UP_TO_DATE,
        )

    def failed(self) -> Entry:
        return replace(self, state=EntryState.SYNC_FAILED)


@dataclass(frozen=True)
class Portfolio:
    portfolio_id: str
    name: str
    owner_id: str  # the account that made it
    provider: str
    company_space: str | None = None  # the SIREN of the company space it is shared in, if any
    active: bool = True
    alert_on_new_event: bool = False
    last_monitored_at: datetime | None = None
    entries: tuple[Entry, ...] = ()
    version: int = 0

    @property
    def companies(self) -> tuple[CompanyId, ...]:
        return tuple(entry.company for entry in self.entries)

    def entry(self, company: CompanyId) -> Entry | None:
        return next((e for e in self.entries if e.company == company), None)


@dataclass(frozen=True)
class PortfolioChange:
    """A domain event: what an edit changed, for `PortfolioChanged`."""

    portfolio_id: str
    change: (
        str  # created, renamed, activated, deactivated, options-changed, companies-added, companies-removed, deleted
    )
    companies: tuple[CompanyId, ...] = ()


@dataclass(frozen=True)
class Edited:
    portfolio: Portfolio
    events: tuple[PortfolioChange, ...] = field(default_factory=tuple)


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RuleViolations([Violation("missing-name", "name", "a portfolio needs a name")])
    if len(cleaned) > NAME_MAX:
        raise RuleViolations([Violation("name-too-long", "name", f"at most {NAME_MAX} characters")])
    return cleaned


def create(
    portfolio_id: str,
    name: str,
    owner_id: str,
    provider: str,
    *,
    company_space: str | None = None,
    alert_on_new_event: bool = False,
) -> Edited:
    portfolio = Portfolio(
        portfolio_id,
        check_name(name),
        owner_id,
        provider,
        company_space=company_space,
        alert_on_new_event=alert_on_new_event,
    )
    return Edited(portfolio, (PortfolioChange(portfolio_id, "created"),))


def rename(portfolio: Portfolio, name: str) -> Edited:
    cleaned = check_name(name)
    if cleaned == portfolio.name:
        return Edited(portfolio)
    return Edited(replace(portfolio, name=cleaned), (PortfolioChange(portfolio.portfolio_id, "renamed"),))


def set_active(portfolio: Portfolio, active: bool) -> Edited:
    if portfolio.active == active:
        return Edited(portfolio)
    change = "activated" if active else "deactivated"
    return Edited(replace(portfolio, active=active), (PortfolioChange(portfolio.portfolio_id, change),))


def set_alert_option(portfolio: Portfolio, alert_on_new_event: bool) -> Edited:
    if portfolio.alert_on_new_event == alert_on_new_event:
        return Edited(portfolio)
    return Edited(
        replace(portfolio, alert_on_new_event=alert_on_new_event),
        (PortfolioChange(portfolio.portfolio_id, "options-changed"),),
    )


def add_companies(
    portfolio: Portfolio, companies: Iterable[CompanyId], names: Mapping[CompanyId, str] | None = None
) -> Edited:
    """Add what is not there yet (adding a company twice is a no-op), within the size limit;
    `names` are the companies' names when the caller knows them (a CSV's)."""
    present = set(portfolio.companies)
    added: list[CompanyId] = []
    for company in companies:
        if company not in present:
            present.add(company)
            added.append(company)
    if len(portfolio.entries) + len(added) > MAX_COMPANIES:
        raise RuleViolations(
            [Violation("portfolio-full", "companies", f"a portfolio holds at most {MAX_COMPANIES} companies")]
        )
    if not added:
        return Edited(portfolio)
    known = names or {}
    entries = (*portfolio.entries, *(Entry(company, known.get(company, "")) for company in added))
    return Edited(
        replace(portfolio, entries=entries),
        (PortfolioChange(portfolio.portfolio_id, "companies-added", tuple(added)),),
    )


def remove_companies(portfolio: Portfolio, companies: Iterable[CompanyId]) -> Edited:
    gone = set(companies) & set(portfolio.companies)
    if not gone:
        return Edited(portfolio)
    entries = tuple(e for e in portfolio.entries if e.company not in gone)
    removed = tuple(c for c in portfolio.companies if c in gone)
    return Edited(
        replace(portfolio, entries=entries),
        (PortfolioChange(portfolio.portfolio_id, "companies-removed", removed),),
    )


def duplicate(portfolio: Portfolio, new_id: str, owner_id: str, name: str | None = None) -> Edited:
    """A copy with the same companies, owned by whoever duplicates it, not yet monitored."""
    copy = Portfolio(
        new_id,
        check_name(name or f"{portfolio.name} (copy)"[:NAME_MAX]),
        owner_id,
        portfolio.provider,
        company_space=portfolio.company_space,
        active=portfolio.active,
        alert_on_new_event=portfolio.alert_on_new_event,
        entries=tuple(Entry(e.company, e.name) for e in portfolio.entries),
    )
    return Edited(copy, (PortfolioChange(new_id, "created", copy.companies),))


def delete(portfolio: Portfolio) -> PortfolioChange:
    return PortfolioChange(portfolio.portfolio_id, "deleted", portfolio.companies)


def record_check(
    portfolio: Portfolio, results: dict[CompanyId, CreditFile | None], new_events: set[CompanyId], at: datetime
) -> Portfolio:
    """The portfolio after a check: each company refreshed, or marked failed (None)."""
    entries = []
    for entry in portfolio.entries:
        if entry.company not in results:
            entries.append(entry)
            continue
        file = results[entry.company]
        entries.append(entry.failed() if file is None else entry.refreshed(file, new_event=entry.company in new_events))
    return replace(portfolio, entries=tuple(entries), last_monitored_at=at)


# --- CSV import and export -------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    companies: tuple[CompanyId, ...]
    names: dict[CompanyId, str]
    problems: tuple[Violation, ...]  # one per refused line, the field naming the line


def parse_csv(text: str) -> ImportResult:
    """Companies from a CSV with a header naming at least `country` and
    `registration_number` (comma or semicolon separated, as spreadsheets write
    them); a bad line is reported with its number and the others are kept."""
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), dialect=dialect)
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = {"country", "registration_number"} - header
    if missing:
        raise RuleViolations([Violation("csv-header", "file", f"the header must name {', '.join(sorted(missing))}")])
    companies: list[CompanyId] = []
    names: dict[CompanyId, str] = {}
    problems: list[Violation] = []
    for line, row in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        try:
            company = CompanyId.parse(cells.get("country", ""), cells.get("registration_number", ""))
        except RuleViolations as error:
            problems.extend(Violation(v.code, f"line {line}", v.message) for v in error.violations)
            continue
        if company not in names:
            companies.append(company)
        names[company] = cells.get("name", "")
    return ImportResult(tuple(companies), names, tuple(problems))


def to_csv(portfolio: Portfolio) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in portfolio.entries:
        writer.writerow(
            [
                e.company.country,
                e.company.number,
                _safe_cell(e.name),
                e.rating.value if e.rating else "",
                e.rating.description if e.rating else "",
                _amount(e.credit_limit.cents) if e.credit_limit else "",
                e.credit_limit.currency if e.credit_limit else "",
                e.state.value,
                e.last_event_date.isoformat() if e.last_event_date else "",
            ]
        )
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a leading =, +, - or @ is quoted."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _amount(cents: int) -> str:
    """Integer cents as a decimal amount, exactly (no float on the way)."""
    return f"{cents // 100}.{cents % 100:02d}"
