"""Companies: search through the provider, credit files, "sync now", history charts; and the caller's
provider account that these need."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from chassis.auth import CurrentCaller
from chassis.errors import NotFound as NotFoundProblem
from chassis.openapi import problems
from ratings.api import problems as p
from ratings.api.deps import PortsDep
from ratings.api.schemas import (
    CompanyPublic,
    CreditFilePublic,
    HistoryPublic,
    ProviderAccountIn,
    ProviderAccountPublic,
    company_public,
    credit_file_public,
    points,
)
from ratings.domain.companies import CompanyId
from ratings.domain.history import Aggregate, Period
from ratings.handlers import (
    company_history,
    connect_provider_account,
    open_credit_file,
    search_companies,
    sync_company,
)

router = APIRouter(tags=["companies"])
# Opening or syncing a credit file: the company, the caller's provider account, the provider.
CREDIT_FILE_PROBLEMS = (
    *p.AUTH,
    p.INVALID_COMPANY,
    p.UNKNOWN_COMPANY,
    p.NO_PROVIDER_ACCOUNT,
    p.STALE_COMPANY,
    *p.PROVIDER,
)


@router.put(
    "/provider-account",
    operation_id="connect_provider_account",
    response_model=ProviderAccountPublic,
    responses=problems(*p.AUTH, p.INVALID, p.CREDENTIALS_REFUSED, p.PROVIDER_UNAVAILABLE, p.PROVIDER_ERROR),
)
async def connect(body: ProviderAccountIn, caller: CurrentCaller, ports: PortsDep) -> ProviderAccountPublic:
    """Connect (or replace) the caller's provider account: checked by logging in, stored encrypted."""
    at = await connect_provider_account.handle(
        connect_provider_account.ConnectProviderAccount(caller.account_id, body.username, body.password), ports
    )
    return ProviderAccountPublic(provider=ports.provider.name, username=body.username.strip(), connected_at=at)


@router.get(
    "/provider-account",
    operation_id="show_provider_account",
    response_model=ProviderAccountPublic,
    responses=problems(*p.AUTH, p.NO_ACCOUNT_TO_SHOW),
)
async def show_account(caller: CurrentCaller, ports: PortsDep) -> ProviderAccountPublic:
    """The caller's connected provider account (never its password)."""
    credentials = await ports.accounts.get(caller.account_id)
    at = await ports.accounts.connected_at(caller.account_id)
    if credentials is None or at is None:
        raise NotFoundProblem(
            "no provider account connected: PUT /api/ratings/provider-account", code="no-provider-account"
        )
    return ProviderAccountPublic(provider=ports.provider.name, username=credentials.username, connected_at=at)


@router.delete(
    "/provider-account",
    operation_id="disconnect_provider_account",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(*p.AUTH, p.NO_ACCOUNT_TO_SHOW),
)
async def disconnect(caller: CurrentCaller, ports: PortsDep) -> Response:
    """Forget the caller's provider account."""
    removed = await connect_provider_account.disconnect(
        connect_provider_account.DisconnectProviderAccount(caller.account_id), ports
    )
    if not removed:
        raise NotFoundProblem("no provider account connected", code="no-provider-account")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/companies",
    operation_id="search_companies",
    response_model=list[CompanyPublic],
    responses=problems(*p.AUTH, p.INVALID, p.NO_PROVIDER_ACCOUNT, *p.PROVIDER),
)
async def search(
    caller: CurrentCaller,
    ports: PortsDep,
    country: str = Query(min_length=2, max_length=2, description="ISO 3166-1 alpha-2", examples=["FR"]),
    number: str | None = Query(default=None, max_length=40, description="registration number", examples=["732829320"]),
    name: str | None = Query(default=None, max_length=200, description="a name, or its start"),
) -> list[CompanyPublic]:
    """Companies of a country by registration number (checked where its register is known) or by name."""
    found = await search_companies.handle(
        search_companies.SearchCompanies(caller.account_id, country, number, name), ports
    )
    return [company_public(c) for c in found]


@router.get(
    "/companies/{country}/{number}",
    operation_id="open_credit_file",
    response_model=CreditFilePublic,
    responses=problems(*CREDIT_FILE_PROBLEMS),
)
async def credit_file(country: str, number: str, caller: CurrentCaller, ports: PortsDep) -> CreditFilePublic:
    """The company's credit file as last synchronised (fetched once if never seen)."""
    company = CompanyId.parse(country, number)
    record = await open_credit_file.handle(open_credit_file.OpenCreditFile(caller.account_id, company), ports)
    return credit_file_public(record)


@router.post(
    "/companies/{country}/{number}/sync",
    operation_id="sync_credit_file",
    response_model=CreditFilePublic,
    responses=problems(*CREDIT_FILE_PROBLEMS),
)
async def sync(country: str, number: str, caller: CurrentCaller, ports: PortsDep) -> CreditFilePublic:
    """ "Sync now": fetch the credit file and history from the provider with the caller's account."""
    company = CompanyId.parse(country, number)
    record = await sync_company.handle(sync_company.SyncCompany(caller.account_id, company), ports)
    return credit_file_public(record)


@router.get(
    "/companies/{country}/{number}/history",
    operation_id="company_history",
    response_model=HistoryPublic,
    responses=problems(*p.AUTH, p.INVALID, p.UNKNOWN_COMPANY, p.NO_PROVIDER_ACCOUNT, p.STALE_COMPANY, *p.PROVIDER),
)
async def history(
    country: str,
    number: str,
    caller: CurrentCaller,
    ports: PortsDep,
    period: Annotated[Period, Query(description="month, quarter or year")] = Period.MONTH,
    aggregate: Annotated[
        Aggregate, Query(description="what a grouped period shows: its last month, or the mean (never a sum)")
    ] = Aggregate.LAST,
) -> HistoryPublic:
    """National score and credit limit, one point per period, as chart series."""
    company = CompanyId.parse(country, number)
    charts = await company_history.handle(
        company_history.CompanyHistory(caller.account_id, company, period, aggregate), ports
    )
    file = charts.record.file
    return HistoryPublic(
        company_id=company.key,
        period=period.value,
        aggregate=aggregate.value,
        currency=file.credit_limit.currency if file and file.credit_limit else None,
        national_score=points(charts.national_score),
        credit_limit_cents=points(charts.credit_limit_cents),
    )
