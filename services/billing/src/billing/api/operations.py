"""Operator routes: run the due debits now (the scheduler does it on its own too)."""

from __future__ import annotations

from fastapi import APIRouter

from billing.api.deps import BillingDep
from billing.api.schemas import DebitRunIn, DebitRunPublic
from billing.handlers import require_operator
from chassis.auth import CurrentCaller

router = APIRouter(prefix="/debit-runs", tags=["operations"])


@router.post(
    "",
    operation_id="run_due_debits",
    response_model=DebitRunPublic,
    responses={401: {"description": "No valid token"}, 403: {"description": "Not an operator (production)"}},
)
async def run_due_debits(body: DebitRunIn, caller: CurrentCaller, billing: BillingDep) -> DebitRunPublic:
    """Debit every installment and regularisation payment due by `as_of` (default now), at once."""
    require_operator(billing.settings, caller.roles)
    report = await billing.run_due_debits(as_of=body.as_of)
    return DebitRunPublic(
        debited=report.debited, succeeded=report.succeeded, rejected=report.rejected, payment_ids=report.payment_ids
    )
