"""Verification of identity's JWTs against its published JWKS.

Keys are fetched over HTTP and cached; a token signed with an unknown key id
triggers one refresh (key rotation), at most once per `min_refresh_seconds`.
A failed fetch is remembered for `failure_cache_seconds`: meanwhile requests
get today's answer at once (503 without keys, or the cached keys) instead of
each waiting for identity again.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request, Response

from chassis.errors import Problem, Unauthorized
from chassis.revocation import RevocationList

ALGORITHMS = ["EdDSA", "ES256", "RS256"]
# One answer for every token that does not verify: the JWT library's own text
# (which check failed, which claim) helps an attacker more than a client.
INVALID_TOKEN = "the access token is invalid or expired: log in again"


class KeysUnavailable(Problem):
    status = 503


@dataclass(frozen=True)
class Caller:
    """Who is calling, from a verified access token."""

    account_id: str
    email: str | None
    roles: tuple[str, ...]
    claims: dict[str, Any]

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def session_id(self) -> str | None:
        """The login this token belongs to (`sid`), which a logout revokes."""
        sid = self.claims.get("sid")
        return sid if isinstance(sid, str) else None


def invalid_token() -> Unauthorized:
    return Unauthorized(INVALID_TOKEN, code="invalid-token")


class JwksVerifier:
    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str,
        audience: str,
        cache_seconds: float = 300.0,
        min_refresh_seconds: float = 5.0,
        failure_cache_seconds: float = 3.0,
        http: httpx.AsyncClient | None = None,
        revocations: RevocationList | None = None,
        verified_cache_size: int = 10_000,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = jwks_url
        self.revocations = revocations
        self._issuer = issuer
        self._audience = audience
        self._cache_seconds = cache_seconds
        self._min_refresh = min_refresh_seconds
        self._http = http or httpx.AsyncClient(timeout=5.0)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._failure_cache = failure_cache_seconds
        self._failed: tuple[float, str] | None = None  # (when, why) of the last failed fetch
        self._lock = asyncio.Lock()
        # Tokens already verified, by their SHA-256, with their claims: a token's signature and
        # claims are checked once for its lifetime; a hit still checks expiry and revocation.
        self._verified: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
        self._verified_max = verified_cache_size
        self._wall_clock = wall_clock

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if (force and age < self._min_refresh) or (not force and age < self._cache_seconds):
                return
            if self._failed is not None and time.monotonic() - self._failed[0] < self._failure_cache:
                self._unavailable(self._failed[1])  # failed a moment ago: do not wait for identity again
                return
            try:
                response = await self._http.get(self._url)
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json()).keys
            except (httpx.HTTPError, jwt.PyJWKSetError, ValueError) as error:
                self._failed = (time.monotonic(), str(error))
                self._unavailable(str(error))
                return
            self._failed = None
            self._keys = {key.key_id: key for key in keys if key.key_id}
            self._fetched_at = time.monotonic()

    def _unavailable(self, why: str) -> None:
        if not self._keys:
            # Not the caller's fault: identity is unreachable.
            raise KeysUnavailable(f"the keys that verify tokens cannot be fetched: {why}")
        # else keep serving with the keys we have

    async def key_for(self, token: str) -> jwt.PyJWK:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.DecodeError as error:
            raise invalid_token() from error
        if not kid:
            raise invalid_token()
        await self._refresh(force=False)
        if kid not in self._keys:
            await self._refresh(force=True)
        if kid not in self._keys:
            raise invalid_token()
        return self._keys[kid]

    async def verify(self, token: str) -> Caller:
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._verified.get(digest)
        if claims is None:
            claims = await self._decode(token)
            self._remember(digest, claims)
        elif claims["exp"] <= self._wall_clock():
            del self._verified[digest]
            raise invalid_token()  # expired since it was verified
        else:
            self._verified.move_to_end(digest)
        if self.revocations is not None and self.revocations.is_revoked(claims):
            self._verified.pop(digest, None)
            raise invalid_token()  # a closed session (logout, reset): same answer as any dead token
        return Caller(
            account_id=str(claims["sub"]),
            email=claims.get("email"),
            roles=tuple(claims.get("roles", ())),
            claims=dict(claims),  # the cached claims stay as verified, whatever a caller does
        )

    async def _decode(self, token: str) -> dict[str, Any]:
        key = await self.key_for(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as error:  # expired, bad signature, wrong claim: one answer
            raise invalid_token() from error
        return claims

    def _remember(self, digest: bytes, claims: dict[str, Any]) -> None:
        if self._verified_max <= 0 or not isinstance(claims.get("exp"), int | float):
            return
        self._verified[digest] = claims
        if len(self._verified) > self._verified_max:
            self._verified.popitem(last=False)  # the least recently used


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


async def current_caller(request: Request) -> Caller:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("missing bearer token", code="missing-token")
    verifier: JwksVerifier = request.app.state.runtime.verifier
    return await verifier.verify(token)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def no_store(response: Response) -> None:
    """A route dependency for responses that carry a token (login, refresh,
    tickets): no cache, shared or private, may keep them (RFC 6749 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


NoStore = Depends(no_store)
