""" "Check new events" for a whole portfolio: a job a client starts and polls."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from chassis.auth import CurrentCaller
from chassis.openapi import problems
from ratings.api import problems as p
from ratings.api.deps import PortsDep
from ratings.api.schemas import CheckIn, CheckPublic, check_public
from ratings.handlers import start_check

router = APIRouter(prefix="/portfolios/{portfolio_id}/checks", tags=["checks"])


@router.post(
    "",
    operation_id="start_check",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CheckPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.NO_PROVIDER_ACCOUNT, p.INVALID),
)
async def start(
    portfolio_id: str, caller: CurrentCaller, ports: PortsDep, response: Response, body: CheckIn | None = None
) -> CheckPublic:
    """Start checking every company of the portfolio for new events (202 and the job to poll); while
    one runs, the running job is answered."""
    job, _created = await start_check.handle(
        start_check.StartCheck(caller.account_id, portfolio_id, body.alert_on_new_event if body else None), ports
    )
    response.headers["Location"] = f"/api/ratings/portfolios/{portfolio_id}/checks/{job.job_id}"
    return check_public(job)


@router.get(
    "/{job_id}",
    operation_id="show_check",
    response_model=CheckPublic,
    responses=problems(*p.AUTH, p.UNKNOWN_PORTFOLIO, p.UNKNOWN_CHECK),
)
async def show(portfolio_id: str, job_id: str, caller: CurrentCaller, ports: PortsDep) -> CheckPublic:
    """The check's progress: done out of total, and each company's outcome."""
    return check_public(await start_check.show(start_check.ShowCheck(caller.account_id, portfolio_id, job_id), ports))
