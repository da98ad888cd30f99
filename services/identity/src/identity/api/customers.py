"""Routes of the customers' first connection (buy-now-pay-later payers)."""

from __future__ import annotations

from fastapi import APIRouter, status

from chassis.openapi import problems
from identity.api import problems as p
from identity.api.deps import ClientAddress, IdentityDep
from identity.api.schemas import Accepted, CustomerAccessOut, EmailIn, LinkStatus, LinkTokenIn, NewPasswordIn
from identity.handlers.customers import complete_first_connection, order_email_for, request_first_connection

router = APIRouter(tags=["customers"])
REQUESTED = "If an order was placed with this address, a link to create your access is on its way."


@router.post(
    "/customers/first-connection",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    operation_id="request_customer_first_connection",
    responses=problems(p.LIMITED),
)
async def request(body: EmailIn, identity: IdentityDep, address: ClientAddress) -> Accepted:
    """First connection: mail a link to the email given at purchase (same answer for any address)."""
    await request_first_connection(identity, body.email.lower(), address)
    return Accepted(message=REQUESTED)


@router.post(
    "/customers/first-connection/link",
    response_model=LinkStatus,
    operation_id="check_customer_first_connection_link",
    responses=problems(p.FIRST_CONNECTION_INVALID),
)
async def check_link(body: LinkTokenIn, identity: IdentityDep) -> LinkStatus:
    """The first-connection mail's token (from its link's fragment): says whether it is still usable."""
    await order_email_for(identity, body.token)
    return LinkStatus(
        status="valid",
        message="Choose your password and enter it twice; your login is your order's email.",
        submit_to="/api/identity/customers/first-connection/complete",
    )


@router.post(
    "/customers/first-connection/complete",
    status_code=status.HTTP_201_CREATED,
    response_model=CustomerAccessOut,
    operation_id="create_customer_access",
    responses=problems(p.FIRST_CONNECTION_INVALID, p.ACCESS_EXISTS, p.REFUSED),
)
async def complete(body: NewPasswordIn, identity: IdentityDep) -> CustomerAccessOut:
    """Create the customer's access with the link's token and a password entered twice."""
    account_id = await complete_first_connection(identity, body.token, body.password, body.password_confirmation)
    return CustomerAccessOut(account_id=account_id, message="Your access is created: log in with your email.")
