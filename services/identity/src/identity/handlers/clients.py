"""Merchant API clients (OAuth 2.0 client credentials, RFC 6749 section 4.4):
a creditor registers clients for its own account; a client trades its id and
secret for a short-lived access token with the role `merchant` whose subject is
the creditor. Same keys, same verification as users' tokens."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from chassis.auth import Caller
from chassis.errors import Forbidden, NotFound, Problem, Unauthorized
from identity.domain.access_tokens import access_token
from identity.domain.accounts import Account
from identity.domain.clients import ApiClient
from identity.domain.tokens import hash_secret, new_secret
from identity.handlers.context import Identity

MERCHANT_ROLE = "merchant"
CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_secret: str  # shown this once: only its hash is kept


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int


async def _creditor(identity: Identity, account_id: str) -> Account | None:
    """The account, if it is an active creditor (a member, not a customer)."""
    account = await identity.accounts.by_id(account_id)
    return account if account is not None and account.is_creditor() else None


async def register_client(identity: Identity, caller: Caller, name: str) -> NewClient:
    """RegisterApiClient: by the creditor itself, for its own account. The secret is shown once."""
    if MERCHANT_ROLE in caller.roles:
        raise Forbidden("an API client cannot register API clients: log in as the creditor", code="not-a-user")
    if await _creditor(identity, caller.account_id) is None:
        raise Forbidden("only an active creditor account registers API clients", code="not-a-creditor")
    client = ApiClient(f"cli_{secrets.token_hex(12)}", caller.account_id, name, identity.now())
    secret, secret_hash = new_secret()
    await identity.clients.add(client, secret_hash)
    return NewClient(client, secret)


async def clients_of(identity: Identity, caller: Caller) -> list[ApiClient]:
    return await identity.clients.of_account(caller.account_id)


async def revoke_client(identity: Identity, caller: Caller, client_id: str) -> None:
    if not await identity.clients.revoke(client_id, caller.account_id, identity.now()):
        raise NotFound(f"no live API client {client_id} of yours", code="client-not-found")


def invalid_client() -> Unauthorized:
    # One answer for an unknown client, a wrong secret, a revoked client or an inactive creditor.
    return Unauthorized("invalid client id or secret", code="invalid_client", headers={"WWW-Authenticate": "Basic"})


async def client_credentials_token(
    identity: Identity, grant_type: str | None, client_id: str | None, client_secret: str | None
) -> ClientToken:
    """The client-credentials grant: an access token for the client's creditor, role `merchant`."""
    if grant_type != CLIENT_CREDENTIALS:
        raise Problem(
            f"grant_type must be {CLIENT_CREDENTIALS} (users log in at /sessions)", code="unsupported_grant_type"
        )
    if not client_id or not client_secret:
        raise Problem("client_id and client_secret are required (form fields or HTTP Basic)", code="invalid_request")
    found = await identity.clients.credentials(client_id)
    expected = found.secret_hash if found else hash_secret(secrets.token_urlsafe(32))
    matches = hmac.compare_digest(expected, hash_secret(client_secret))
    if found is None or not matches or not found.client.is_live():
        raise invalid_client()
    account = await _creditor(identity, found.client.account_id)
    if account is None:
        raise invalid_client()
    ttl = identity.settings.client_token_ttl_seconds
    token = access_token(
        await identity.signing_keys.current(),
        account_id=account.account_id,
        email=None,
        roles=[MERCHANT_ROLE],
        issuer=identity.settings.jwt_issuer,
        audience=identity.settings.jwt_audience,
        now=identity.now(),
        ttl_seconds=ttl,
        extra={"client_id": client_id},
    )
    return ClientToken(token, ttl)
