"""What billing's routes are given: the handlers object and the rights view."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from billing.handlers import Billing
from chassis.rights import RightsView


def get_billing(request: Request) -> Billing:
    billing: Billing = request.app.state.billing
    return billing


def get_rights(request: Request) -> RightsView:
    view: RightsView = request.app.state.rights
    return view


BillingDep = Annotated[Billing, Depends(get_billing)]
RightsDep = Annotated[RightsView, Depends(get_rights)]
