"""Routes of login, refresh, logout and the signing keys."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from chassis.auth import CurrentCaller, NoStore
from chassis.openapi import problems
from identity.api import problems as p
from identity.api.deps import ClientAddress, IdentityDep, JsonObject
from identity.api.schemas import Credentials, RefreshIn, RevokedOut, SessionOut
from identity.domain.keys import Jwks
from identity.handlers.sessions import SessionTokens, log_in, log_out, log_out_everywhere, refresh_session

router = APIRouter(tags=["sessions"])


def session_out(tokens: SessionTokens) -> SessionOut:
    return SessionOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_in=tokens.refresh_expires_in,
    )


@router.post(
    "/sessions",
    response_model=SessionOut,
    operation_id="log_in",
    dependencies=[NoStore],
    responses=problems(p.INVALID_CREDENTIALS, p.NOT_ACTIVATED, p.MIGRATION_REQUIRED, p.LOCKED),
)
async def login(body: Credentials, identity: IdentityDep, address: ClientAddress) -> SessionOut:
    """Log in with email and password: a short-lived access token and a refresh token."""
    return session_out(await log_in(identity, body.email.lower(), body.password, address))


@router.post(
    "/sessions/refresh",
    response_model=SessionOut,
    operation_id="refresh_session",
    dependencies=[NoStore],
    responses=problems(p.REFRESH_INVALID, p.REFRESH_REUSED),
)
async def refresh(body: RefreshIn, identity: IdentityDep) -> SessionOut:
    """Trade a refresh token (single use) for new tokens; a reused one revokes its login."""
    return session_out(await refresh_session(identity, body.refresh_token))


@router.post("/sessions/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="log_out")
async def logout(body: RefreshIn, identity: IdentityDep) -> Response:
    """Log out: revoke the refresh token's login (idempotent)."""
    await log_out(identity, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/sessions/logout-everywhere",
    response_model=RevokedOut,
    operation_id="log_out_everywhere",
    responses=problems(*p.AUTH),
)
async def logout_everywhere(caller: CurrentCaller, identity: IdentityDep) -> RevokedOut:
    """Revoke every refresh token of the caller's account."""
    return RevokedOut(revoked=await log_out_everywhere(identity, caller.account_id))


JWKS_EXAMPLE = {
    "keys": [
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "kid": "k1",
            "use": "sig",
            "alg": "EdDSA",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        }
    ]
}


@router.get(
    "/.well-known/jwks.json",
    response_model=JsonObject,
    tags=["keys"],
    operation_id="jwks",
    responses={200: {"content": {"application/json": {"example": JWKS_EXAMPLE}}}},
)
async def jwks(identity: IdentityDep) -> Jwks:
    """Public keys that verify the access tokens identity signs."""
    return await identity.keys.jwks()
