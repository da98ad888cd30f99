"""Legacy portfolios and monitoring, keyed by the legacy account id.

The former portal's portfolios are imported before or after their user
migrates; they are attached, unchanged (names, companies, active or not, the
alert option, the last monitoring date), to the new account when both the
import and `AccountMigrated` are known, whichever came first. Each attached
portfolio's id derives from the legacy id and its rank, so attaching twice
attaches once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ratings.domain import portfolios
from ratings.domain.companies import CompanyId
from ratings.domain.errors import RuleViolations, Violation
from ratings.domain.portfolios import Entry, Portfolio, PortfolioChange

MAX_LEGACY_PORTFOLIOS = 200


@dataclass(frozen=True)
class LegacyPortfolio:
    name: str
    companies: tuple[CompanyId, ...]
    names: tuple[str, ...] = ()  # the company names, as the old portal showed them
    active: bool = True
    alert_on_new_event: bool = False
    last_monitored_at: datetime | None = None


@dataclass(frozen=True)
class LegacyImport:
    legacy_id: str
    portfolios: tuple[LegacyPortfolio, ...]
    imported_at: datetime
    account_id: str | None = None  # set once attached
    attached_at: datetime | None = None


def check_import(legacy_id: str, items: tuple[LegacyPortfolio, ...]) -> None:
    problems: list[Violation] = []
    if not legacy_id.strip():
        problems.append(Violation("missing-legacy-id", "legacy_id", "the legacy account id is empty"))
    if not items:
        problems.append(Violation("no-portfolio", "portfolios", "an import holds at least one portfolio"))
    if len(items) > MAX_LEGACY_PORTFOLIOS:
        problems.append(Violation("too-many", "portfolios", f"at most {MAX_LEGACY_PORTFOLIOS} portfolios"))
    for rank, item in enumerate(items):
        try:
            portfolios.check_name(item.name)
        except RuleViolations as error:
            problems.extend(Violation(v.code, f"portfolios.{rank}.{v.field}", v.message) for v in error.violations)
        if len(item.companies) > portfolios.MAX_COMPANIES:
            problems.append(
                Violation("portfolio-full", f"portfolios.{rank}.companies", f"at most {portfolios.MAX_COMPANIES}")
            )
    if problems:
        raise RuleViolations(problems)


def portfolio_id(legacy_id: str, rank: int) -> str:
    return f"legacy-{legacy_id}-{rank + 1}"


def attach(record: LegacyImport, account_id: str, provider: str, now: datetime) -> tuple[LegacyImport, list[Portfolio]]:
    """The import marked attached and the portfolios it gives the account, as they were."""
    made = []
    for rank, item in enumerate(record.portfolios):
        names = item.names + ("",) * (len(item.companies) - len(item.names))
        made.append(
            Portfolio(
                portfolio_id(record.legacy_id, rank),
                portfolios.check_name(item.name),
                account_id,
                provider,
                active=item.active,
                alert_on_new_event=item.alert_on_new_event,
                last_monitored_at=item.last_monitored_at,
                entries=tuple(Entry(c, n) for c, n in zip(item.companies, names, strict=True)),
            )
        )
    return replace(record, account_id=account_id, attached_at=now), made


def attached_event(portfolio: Portfolio) -> PortfolioChange:
    return PortfolioChange(portfolio.portfolio_id, "created", portfolio.companies)
