"""Support's import of a legacy account's portfolios and monitoring (role `support`)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from chassis.auth import CurrentCaller
from chassis.errors import Forbidden
from chassis.errors import NotFound as NotFoundProblem
from chassis.openapi import problems
from ratings.api import problems as p
from ratings.api.deps import PortsDep
from ratings.api.portfolios import parse_companies
from ratings.api.schemas import LegacyImportIn, LegacyImportPublic
from ratings.domain.errors import RuleViolations, Violation
from ratings.domain.legacy import LegacyImport, LegacyPortfolio
from ratings.handlers import legacy_portfolios

router = APIRouter(prefix="/legacy-imports", tags=["legacy migration"])


def shaped(record: LegacyImport) -> LegacyImportPublic:
    return LegacyImportPublic(
        legacy_id=record.legacy_id,
        portfolio_count=len(record.portfolios),
        imported_at=record.imported_at,
        attached_to=record.account_id,
        attached_at=record.attached_at,
    )


@router.put(
    "/{legacy_id}",
    operation_id="import_legacy_portfolios",
    response_model=LegacyImportPublic,
    responses=problems(*p.AUTH, p.SUPPORT_ONLY, p.LEGACY_ATTACHED, p.INVALID),
)
async def import_legacy(
    legacy_id: str, body: LegacyImportIn, caller: CurrentCaller, ports: PortsDep, request: Request
) -> LegacyImportPublic:
    """Import (or replace, until attached) a legacy account's portfolios; they are attached unchanged to
    the new account when the account migrates (`AccountMigrated`), or now if it did already."""
    if not caller.has_role(request.app.state.support_role):
        raise Forbidden("only support may import legacy portfolios", code="support-only")
    items: list[LegacyPortfolio] = []
    violations: list[Violation] = []
    for index, given in enumerate(body.portfolios):
        try:
            companies, names = parse_companies(given.companies, f"portfolios.{index}.companies")
        except RuleViolations as error:
            violations.extend(error.violations)
            continue
        items.append(
            LegacyPortfolio(
                given.name,
                companies,
                tuple(names.get(c, "") for c in companies),
                given.active,
                given.alert_on_new_event,
                given.last_monitored_at,
            )
        )
    if violations:
        raise RuleViolations(violations)
    record = await legacy_portfolios.import_portfolios(
        legacy_portfolios.ImportLegacyPortfolios(legacy_id, tuple(items)), ports
    )
    return shaped(record)


@router.get(
    "/{legacy_id}",
    operation_id="show_legacy_import",
    response_model=LegacyImportPublic,
    responses=problems(*p.AUTH, p.SUPPORT_ONLY, p.UNKNOWN_LEGACY_IMPORT),
)
async def show(legacy_id: str, caller: CurrentCaller, ports: PortsDep, request: Request) -> LegacyImportPublic:
    """A legacy import and whether it is attached (and to which account)."""
    if not caller.has_role(request.app.state.support_role):
        raise Forbidden("only support may see legacy imports", code="support-only")
    record = await ports.legacy.get(legacy_id)
    if record is None:
        raise NotFoundProblem(f"no legacy import {legacy_id}", code="unknown-legacy-import")
    return shaped(record)
