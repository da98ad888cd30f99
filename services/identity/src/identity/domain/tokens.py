"""Single-use secrets mailed in links (activation, recovery, first connection,
migration) and refresh tokens: random, stored only as a hash, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta


def new_secret() -> tuple[str, str]:
    """A secret for a link or a client, and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_secret(token)


def hash_secret(token: str) -> str:
    # 256 random bits need no salt nor slow hash: a lookup by hash is enough.
    return hashlib.sha256(token.encode()).hexdigest()


def expiry(now: datetime, ttl: timedelta) -> datetime:
    return now + ttl


def is_live(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and now < expires_at
