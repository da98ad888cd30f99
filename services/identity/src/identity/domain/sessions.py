"""Refresh tokens: rotation with reuse detection (OAuth 2.0 Security BCP, 4.14).

Each login starts a *family*; each refresh consumes the presented token and
issues the next one of the same family. A token presented a second time means
it was copied: the whole family is revoked, so both the thief and the user
must log in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RefreshVerdict(StrEnum):
    ROTATE = "rotate"  # valid: consume it and issue the next one
    REUSED = "reused"  # already consumed: revoke the family
    REVOKED = "revoked"  # logged out, reset or revoked after a reuse
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class StoredRefreshToken:
    family_id: str
    account_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked: bool


def judge_refresh(
    token: StoredRefreshToken | None, now: datetime, sessions_revoked_before: datetime | None
) -> RefreshVerdict:
    """What to do with a presented refresh token. `sessions_revoked_before` is
    the account's cut-off (a password reset): tokens issued earlier are dead."""
    if token is None:
        return RefreshVerdict.UNKNOWN
    if token.used_at is not None:
        return RefreshVerdict.REUSED if not token.revoked else RefreshVerdict.REVOKED
    if token.revoked or (sessions_revoked_before is not None and token.issued_at <= sessions_revoked_before):
        return RefreshVerdict.REVOKED
    if now >= token.expires_at:
        return RefreshVerdict.EXPIRED
    return RefreshVerdict.ROTATE
