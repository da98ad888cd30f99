"""Portfolios (watch lists): create, list, show, edit, duplicate, delete; add and remove companies;
import and export CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from chassis.auth import CurrentCaller
from chassis.errors import Problem
from chassis.openapi import problems
from ratings.api import problems as p
from ratings.api.deps import PortsDep
from ratings.api.schemas import (
    CompaniesIn,
    CompanyRef,
    DuplicateIn,
    ImportPublic,
    LineProblem,
    PortfolioCreate,
    PortfolioPublic,
    PortfolioSummary,
    PortfolioUpdate,
    portfolio_public,
    portfolio_summary,
)
from ratings.domain.companies import CompanyId
from ratings.domain.errors import RuleViolations, Violation
from ratings.handlers import (
    change_companies,
    create_portfolio,
    delete_portfolio,
    duplicate_portfolio,
    edit_portfolio,
    list_portfolios,
    portfolio_csv,
)

router = APIRouter(prefix="/portfolios", tags=["portfolios"])
CSV_MAX_BYTES = 2_000_000


def parse_companies(
    refs: list[CompanyRef], field: str = "companies"
) -> tuple[tuple[CompanyId, ...], dict[CompanyId, str]]:
    """Every company checked; every bad one reported with its index."""
    companies: list[CompanyId] = []
    names: dict[CompanyId, str] = {}
    violations: list[Violation] = []
    for index, ref in enumerate(refs):
        try:
            company = CompanyId.parse(ref.country, ref.registration_number)
        except RuleViolations as error:
            violations.extend(Violation(v.code, f"{field}.{index}.{v.field}", v.message) for v in error.violations)
            continue
        companies.append(company)
        if ref.name:
            names[company] = ref.name
    if violations:
        raise RuleViolations(violations)
    return tuple(companies), names


@router.post(
    "",
    operation_id="create_portfolio",
    status_code=status.HTTP_201_CREATED,
    response_model=PortfolioPublic,
    responses=problems(*p.AUTH, p.INVALID, p.PORTFOLIO_EXISTS),
)
async def create(body: PortfolioCreate, caller: CurrentCaller, ports: PortsDep) -> PortfolioPublic:
    """Create a portfolio, the caller's (shared in a company space if given and the caller holds right 1 there)."""
    companies, _ = parse_companies(body.companies)
    portfolio = await create_portfolio.handle(
        create_portfolio.CreatePortfolio(
            caller.account_id, body.name, body.company_space, body.alert_on_new_event, companies
        ),
        ports,
    )
    return portfolio_public(portfolio)


@router.get("", operation_id="list_portfolios", response_model=list[PortfolioSummary], responses=problems(*p.AUTH))
async def list_(caller: CurrentCaller, ports: PortsDep) -> list[PortfolioSummary]:
    """The caller's portfolios and those shared with them (right 1 in their company space)."""
    found = await list_portfolios.handle(list_portfolios.ListPortfolios(caller.account_id), ports)
    return [portfolio_summary(p) for p in found]


@router.get(
    "/{portfolio_id}",
    operation_id="show_portfolio",
    response_model=PortfolioPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO),
)
async def show(portfolio_id: str, caller: CurrentCaller, ports: PortsDep) -> PortfolioPublic:
    """A portfolio with its companies: last event date, current rating and its description, limit, state."""
    return portfolio_public(
        await list_portfolios.show(list_portfolios.ShowPortfolio(caller.account_id, portfolio_id), ports)
    )


@router.patch(
    "/{portfolio_id}",
    operation_id="edit_portfolio",
    response_model=PortfolioPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.NOT_OWNER, p.STALE_PORTFOLIO, p.INVALID),
)
async def edit(portfolio_id: str, body: PortfolioUpdate, caller: CurrentCaller, ports: PortsDep) -> PortfolioPublic:
    """Rename, activate or deactivate, or set the "alert on each new event" option."""
    portfolio = await edit_portfolio.handle(
        edit_portfolio.EditPortfolio(caller.account_id, portfolio_id, body.name, body.active, body.alert_on_new_event),
        ports,
    )
    return portfolio_public(portfolio)


@router.post(
    "/{portfolio_id}/duplicate",
    operation_id="duplicate_portfolio",
    status_code=status.HTTP_201_CREATED,
    response_model=PortfolioPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.INVALID, p.PORTFOLIO_EXISTS),
)
async def duplicate(
    portfolio_id: str, caller: CurrentCaller, ports: PortsDep, body: DuplicateIn | None = None
) -> PortfolioPublic:
    """A copy with the same companies, the caller's, not yet monitored."""
    copy = await duplicate_portfolio.handle(
        duplicate_portfolio.DuplicatePortfolio(caller.account_id, portfolio_id, body.name if body else None), ports
    )
    return portfolio_public(copy)


@router.delete(
    "/{portfolio_id}",
    operation_id="delete_portfolio",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.NOT_OWNER, p.STALE_PORTFOLIO),
)
async def delete(portfolio_id: str, caller: CurrentCaller, ports: PortsDep) -> Response:
    """Delete a portfolio (its owner only)."""
    await delete_portfolio.handle(delete_portfolio.DeletePortfolio(caller.account_id, portfolio_id), ports)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{portfolio_id}/companies",
    operation_id="add_portfolio_companies",
    response_model=PortfolioPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.NOT_OWNER, p.STALE_PORTFOLIO, p.INVALID),
)
async def add(portfolio_id: str, body: CompaniesIn, caller: CurrentCaller, ports: PortsDep) -> PortfolioPublic:
    """Add companies (one already there is left as it is)."""
    companies, names = parse_companies(body.companies)
    portfolio = await change_companies.add(
        change_companies.AddCompanies(caller.account_id, portfolio_id, companies, names), ports
    )
    return portfolio_public(portfolio)


@router.delete(
    "/{portfolio_id}/companies/{country}/{number}",
    operation_id="remove_portfolio_company",
    response_model=PortfolioPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.NOT_OWNER, p.STALE_PORTFOLIO, p.INVALID),
)
async def remove(
    portfolio_id: str, country: str, number: str, caller: CurrentCaller, ports: PortsDep
) -> PortfolioPublic:
    """Remove a company from the portfolio."""
    company = CompanyId.parse(country, number)
    portfolio = await change_companies.remove(
        change_companies.RemoveCompanies(caller.account_id, portfolio_id, (company,)), ports
    )
    return portfolio_public(portfolio)


@router.post(
    "/{portfolio_id}/import",
    operation_id="import_portfolio_csv",
    response_model=ImportPublic,
    responses=problems(
        *p.AUTH,
        p.UNKNOWN_PORTFOLIO,
        p.NOT_OWNER,
        p.STALE_PORTFOLIO,
        p.CSV_HEADER,
        p.CSV_TOO_LARGE,
        p.CSV_MEDIA_TYPE,
        p.CSV_NOT_UTF8,
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "country;registration_number;name\nFR;552100554;Boulangerie Martin SARL\n"
                    "GB;00445790;Tesco PLC\n",
                }
            },
        }
    },
)
async def import_csv(portfolio_id: str, request: Request, caller: CurrentCaller, ports: PortsDep) -> ImportPublic:
    """Add the companies of a CSV (header with country and registration_number; comma or semicolon);
    a bad line is reported with its number and the good ones are added."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("text/csv", "text/plain"):
        raise Problem("send the CSV as text/csv", status=415, code="unsupported-media-type")
    raw = await request.body()
    if len(raw) > CSV_MAX_BYTES:
        raise Problem("the CSV is larger than 2 MB", status=413, code="too-large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Problem("the CSV is not UTF-8", status=415, code="not-utf8") from error
    imported = await portfolio_csv.import_csv(
        portfolio_csv.ImportPortfolioCsv(caller.account_id, portfolio_id, text), ports
    )
    return ImportPublic(
        added=imported.added,
        problems=[LineProblem(field=v.field, code=v.code, message=v.message) for v in imported.problems],
        portfolio=portfolio_public(imported.portfolio),
    )


@router.get(
    "/{portfolio_id}/export",
    operation_id="export_portfolio_csv",
    response_class=Response,
    responses={
        **problems(*p.AUTH, p.UNKNOWN_PORTFOLIO),
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "country,registration_number,name,rating,rating_description,credit_limit,"
                    "currency,state,last_event_date\r\nFR,552100554,Boulangerie Martin SARL,B,Low risk,"
                    "15000.00,EUR,up_to_date,2026-11-14\r\n",
                }
            }
        },
    },
)
async def export_csv(portfolio_id: str, caller: CurrentCaller, ports: PortsDep) -> Response:
    """The portfolio as CSV: country, number, name, rating and its description, limit, state, last event."""
    portfolio, text = await portfolio_csv.export_csv(
        portfolio_csv.ExportPortfolioCsv(caller.account_id, portfolio_id), ports
    )
    filename = f"portfolio-{portfolio.portfolio_id}.csv"
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
