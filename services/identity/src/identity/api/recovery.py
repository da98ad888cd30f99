"""Routes of password recovery."""

from __future__ import annotations

from fastapi import APIRouter, status

from chassis.openapi import problems
from identity.api import problems as p
from identity.api.deps import ClientAddress, IdentityDep
from identity.api.schemas import Accepted, EmailIn, LinkStatus, LinkTokenIn, NewPasswordIn
from identity.handlers.recovery import account_for_recovery, complete_recovery, request_recovery

router = APIRouter(tags=["recovery"])
REQUESTED = "If this address is an account's email, a password reset link is on its way."
RESET = "Your password is changed and every session is closed. You can log in with the new password."


@router.post(
    "/recovery",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    operation_id="request_password_recovery",
    responses=problems(p.LIMITED),
)
async def request(body: EmailIn, identity: IdentityDep, address: ClientAddress) -> Accepted:
    """Ask for a password reset link; the answer is the same for any address."""
    await request_recovery(identity, body.email.lower(), address)
    return Accepted(message=REQUESTED)


@router.post(
    "/recovery/link",
    response_model=LinkStatus,
    operation_id="check_password_recovery_link",
    responses=problems(p.RECOVERY_INVALID),
)
async def check_link(body: LinkTokenIn, identity: IdentityDep) -> LinkStatus:
    """The recovery mail's token (from its link's fragment): says whether it is still usable (it is not consumed)."""
    await account_for_recovery(identity, body.token)
    return LinkStatus(
        status="valid",
        message="Choose a new password and enter it twice.",
        submit_to="/api/identity/recovery/complete",
    )


@router.post(
    "/recovery/complete",
    response_model=Accepted,
    operation_id="reset_password",
    responses=problems(p.RECOVERY_INVALID, p.REFUSED),
)
async def complete(body: NewPasswordIn, identity: IdentityDep) -> Accepted:
    """Set the new password (entered twice) with the link's token; all sessions are revoked."""
    await complete_recovery(identity, body.token, body.password, body.password_confirmation)
    return Accepted(message=RESET)
