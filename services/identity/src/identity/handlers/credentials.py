"""Checking a legacy-portal account's credentials (PBKDF2 or argon2 hash, or
a one-time migration secret), for the legacy login and the usual login's redirect."""

from __future__ import annotations

import asyncio
import hmac

from identity.domain.legacy import ARGON2_PREFIX, PBKDF2_PREFIX, LegacyCredentials, verify_pbkdf2
from identity.domain.tokens import hash_secret
from identity.handlers.context import Identity


async def legacy_credentials_valid(identity: Identity, legacy: LegacyCredentials | None, password: str) -> bool:
    if legacy is None:
        await identity.passwords.verify(None, password)  # same time as a known login
        return False
    stored = legacy.password_hash
    if stored and stored.startswith(PBKDF2_PREFIX):
        return await asyncio.to_thread(verify_pbkdf2, stored, password)
    if stored and stored.startswith(ARGON2_PREFIX):
        return (await identity.passwords.verify(stored, password)).valid
    secret_hash = legacy.migration_secret_hash
    return bool(secret_hash) and hmac.compare_digest(hash_secret(password), str(secret_hash))
