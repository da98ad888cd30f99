"""Password hashing (argon2id) and access tokens (EdDSA JWTs)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from identity.store.keys import SigningKey

# argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4).
HASHER = PasswordHasher()


async def hash_password(password: str) -> str:
    # Hashing is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(HASHER.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the email is unknown, so both cases take the same time.
DUMMY_HASH = HASHER.hash("not-a-password-Aa1!")


def access_token(
    key: SigningKey,
    *,
    account_id: str,
    email: str,
    roles: list[str],
    issuer: str,
    audience: str,
    now: datetime,
    ttl_seconds: int,
) -> str:
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": account_id,
        "email": email,
        "roles": roles,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
