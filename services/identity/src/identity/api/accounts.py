"""Routes of registration, activation and the caller's own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from chassis.auth import CurrentCaller
from chassis.openapi import problems
from contracts import PersonKind
from identity.api import problems as p
from identity.api.deps import ClientAddress, IdentityDep
from identity.api.schemas import Accepted, AccountCreate, AccountPublic, ActivationIn, ActivationOut, EmailIn
from identity.domain import accounts as rules
from identity.handlers.accounts import activate_account, my_account, register_account, resend_activation

router = APIRouter(tags=["accounts"])
REGISTERED = "If this address can be registered, a confirmation mail is on its way: follow its link to activate."
RESENT = "If this address has an account waiting for activation, a new activation mail is on its way."
ACTIVATED = "Your account is activated. You can now log in."


@router.post(
    "/accounts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    operation_id="register_account",
    responses=problems(p.REFUSED, p.LIMITED),
)
async def register(body: AccountCreate, identity: IdentityDep, address: ClientAddress) -> Accepted:
    """Register a natural or legal person; an activation mail follows."""
    form = rules.Registration(
        email=body.email.lower(),
        password=body.password,
        password_confirmation=body.password_confirmation,
        person_kind=PersonKind(body.person_kind),
        civility=body.civility,
        last_name=body.last_name,
        first_name=body.first_name,
        company_name=body.company_name,
        legal_form=body.legal_form,
        siret=body.siret.replace(" ", "") if body.siret else None,
        address=rules.Address(
            line=body.address.line,
            complement=body.address.complement,
            postal_code=body.address.postal_code,
            city=body.address.city,
        ),
    )
    await register_account(identity, form, address)  # refused: a 422 (`api.deps.on_refused`)
    return Accepted(message=REGISTERED)


@router.get(
    "/accounts/activation",
    response_model=ActivationOut,
    operation_id="activate_account_by_link",
    responses=problems(p.ACTIVATION_INVALID),
)
async def activate_by_link(
    identity: IdentityDep, token: Annotated[str, Query(min_length=10, max_length=200)]
) -> ActivationOut:
    """Activate an account from the link of its activation mail (single use)."""
    await activate_account(identity, token)
    return ActivationOut(status="active", message=ACTIVATED)


@router.post(
    "/accounts/activation",
    response_model=ActivationOut,
    operation_id="activate_account",
    responses=problems(p.ACTIVATION_INVALID),
)
async def activate(body: ActivationIn, identity: IdentityDep) -> ActivationOut:
    """Activate an account with the token of its activation mail (single use)."""
    await activate_account(identity, body.token)
    return ActivationOut(status="active", message=ACTIVATED)


@router.post(
    "/accounts/activation/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    operation_id="resend_activation",
    responses=problems(p.LIMITED),
)
async def resend(body: EmailIn, identity: IdentityDep, address: ClientAddress) -> Accepted:
    """Mail a new activation link (throttled); same answer for any address."""
    await resend_activation(identity, body.email.lower(), address)
    return Accepted(message=RESENT)


@router.get(
    "/accounts/me",
    response_model=AccountPublic,
    operation_id="get_my_account",
    responses=problems(*p.AUTH, p.ACCOUNT_NOT_FOUND),
)
async def me(caller: CurrentCaller, identity: IdentityDep) -> AccountPublic:
    """The caller's own account."""
    return AccountPublic.of(await my_account(identity, caller.account_id))
