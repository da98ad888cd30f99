"""Identity's HTTP routes: parse, call a handler, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from chassis.auth import CurrentCaller
from chassis.errors import NotFound, Problem
from contracts import PersonKind
from identity.api.schemas import (
    Accepted,
    AccountCreate,
    AccountPublic,
    ActivationIn,
    ActivationOut,
    Credentials,
    TokenOut,
)
from identity.domain import accounts as rules
from identity.handlers import Identity, activate_account, log_in, register_account

router = APIRouter()
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


def get_identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]
REGISTERED = "If this address can be registered, a confirmation mail is on its way: follow its link to activate."


@router.post(
    "/accounts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    tags=["accounts"],
    operation_id="register_account",
    responses={422: {"description": "A field is invalid", **PROBLEM}},
)
async def register(body: AccountCreate, identity: IdentityDep) -> Accepted:
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
    try:
        await register_account(identity, form)
    except rules.RegistrationRefused as refused:
        errors = [{"field": field, "message": m} for field, messages in refused.errors.items() for m in messages]
        raise Problem(
            str(refused), status=422, title="Invalid registration", code="validation", errors=errors
        ) from refused
    return Accepted(message=REGISTERED)


ACTIVATED = "Your account is activated. You can now log in."


@router.get(
    "/accounts/activation",
    response_model=ActivationOut,
    tags=["accounts"],
    operation_id="activate_account_by_link",
    responses={400: {"description": "Invalid, used or expired link", **PROBLEM}},
)
async def activate_by_link(identity: IdentityDep, token: Annotated[str, Query(min_length=10, max_length=200)]) -> Any:
    """Activate an account from the link of its activation mail (single use)."""
    await activate_account(identity, token)
    return ActivationOut(status="active", message=ACTIVATED)


@router.post(
    "/accounts/activation",
    response_model=ActivationOut,
    tags=["accounts"],
    operation_id="activate_account",
    responses={400: {"description": "Invalid, used or expired token", **PROBLEM}},
)
async def activate(body: ActivationIn, identity: IdentityDep) -> Any:
    """Activate an account with the token of its activation mail (single use)."""
    await activate_account(identity, body.token)
    return ActivationOut(status="active", message=ACTIVATED)


@router.post(
    "/sessions",
    response_model=TokenOut,
    tags=["sessions"],
    operation_id="log_in",
    responses={401: {"description": "Wrong credentials", **PROBLEM}, 403: {"description": "Not activated", **PROBLEM}},
)
async def login(body: Credentials, identity: IdentityDep) -> TokenOut:
    """Log in with email and password: a short-lived access token."""
    token, ttl = await log_in(identity, body.email.lower(), body.password)
    return TokenOut(access_token=token, expires_in=ttl)


@router.get(
    "/accounts/me",
    response_model=AccountPublic,
    tags=["accounts"],
    operation_id="get_my_account",
    responses={401: {"description": "No valid token", **PROBLEM}},
)
async def me(caller: CurrentCaller, identity: IdentityDep) -> AccountPublic:
    """The caller's own account."""
    account = await identity.accounts.by_id(caller.account_id)
    if account is None:
        raise NotFound("account not found")
    return AccountPublic(
        account_id=account["_id"],
        email=account["email"],
        person_kind=account["person_kind"],
        display_name=account["display_name"],
        status=account["status"],
    )


@router.get("/.well-known/jwks.json", tags=["keys"], operation_id="jwks")
async def jwks(identity: IdentityDep) -> dict[str, Any]:
    """Public keys that verify the access tokens identity signs."""
    return await identity.keys.jwks()
