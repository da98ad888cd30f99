"""Refresh tokens and API-client secrets: random, stored only as a hash, expiring. (The single-use
links identity mails, and the migration ticket, are `chassis.tokens` tokens: ADR 0034.)"""

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
