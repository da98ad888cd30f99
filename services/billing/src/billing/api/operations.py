"""Operator routes: run the due debits now (the scheduler does it on its own too)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from billing.api import problems as p
from billing.api.deps import BillingDep
from billing.api.schemas import DebitRunIn, DebitRunPublic
from billing.handlers import check_as_of, require_operator
from chassis.auth import CurrentCaller
from chassis.openapi import problems

router = APIRouter(prefix="/debit-runs", tags=["debit-runs"])


@router.post(
    "",
    operation_id="run_due_debits",
    response_model=DebitRunPublic,
    responses=problems(*p.AUTH, p.MISSING_ROLE),
)
async def run_due_debits(body: DebitRunIn, caller: CurrentCaller, billing: BillingDep) -> DebitRunPublic:
    """Debit every installment and regularisation payment due by `as_of` (default now), at once."""
    require_operator(billing.settings, caller.roles)
    window = timedelta(days=billing.settings.debit_run_as_of_window_days)
    check_as_of(body.as_of, billing.clock.now(), window)
    report = await billing.run_due_debits(as_of=body.as_of)
    return DebitRunPublic(
        debited=report.debited, succeeded=report.succeeded, rejected=report.rejected, payment_ids=report.payment_ids
    )
