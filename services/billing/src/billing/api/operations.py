"""Operator routes: run the due debits now (the scheduler does it on its own too)."""

from __future__ import annotations

from fastapi import APIRouter

from billing.api import problems as p
from billing.api.deps import BillingDep
from billing.api.schemas import DebitRunIn, DebitRunPublic
from billing.handlers.debits import run_debits_by_hand
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
    report = await run_debits_by_hand(billing, caller.roles, body.as_of)
    return DebitRunPublic(
        debited=report.debited, succeeded=report.succeeded, rejected=report.rejected, payment_ids=report.payment_ids
    )
