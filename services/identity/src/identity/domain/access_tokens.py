"""Access tokens: the claims identity signs (EdDSA JWTs) with its current key. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import jwt

from identity.domain.keys import SigningKey


def access_token(
    key: SigningKey,
    *,
    account_id: str,
    email: str | None,
    roles: list[str],
    issuer: str,
    audience: str,
    now: datetime,
    ttl_seconds: int,
    session_id: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """An access token; `email` None (an API client's token) leaves the claim out."""
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": audience,
        "sub": account_id,
        "roles": roles,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        **(extra or {}),
    }
    if session_id is not None:
        claims["sid"] = session_id  # the login a logout closes (revocation)
    if email is not None:
        claims["email"] = email
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
