"""What billing's routes are given: the handlers' ports (`billing.ports.Billing`, `Fees`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from billing.ports import Billing, Fees


def get_billing(request: Request) -> Billing:
    billing: Billing = request.app.state.billing
    return billing


def get_fees(request: Request) -> Fees:
    fees: Fees = request.app.state.fees
    return fees


BillingDep = Annotated[Billing, Depends(get_billing)]
FeesDep = Annotated[Fees, Depends(get_fees)]
