"""SMS codes: made here, only their digests are stored. (The invitation's mailed link is a
`chassis.tokens` token: ADR 0034.)

A 6-digit code has a million values: a plain hash of it is reversed by trying
them all, so codes are digested with a keyed HMAC (the key is a service
secret) bound to the invitation they confirm. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6


def new_code() -> str:
    """A uniformly random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(key: bytes, invitation_id: str, code: str) -> str:
    return hmac.new(key, f"{invitation_id}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(key: bytes, invitation_id: str, code: str, digest: str) -> bool:
    return hmac.compare_digest(code_digest(key, invitation_id, code), digest)
