from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identity.domain.sessions import RefreshVerdict, StoredRefreshToken, judge_refresh
from identity.domain.tokens import expiry, hash_secret, new_secret

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def token(**changes: object) -> StoredRefreshToken:
    base: dict[str, object] = dict(
        family_id="f", account_id="a", issued_at=T0, expires_at=T0 + timedelta(days=30), used_at=None, revoked=False
    )
    base.update(changes)
    return StoredRefreshToken(**base)  # type: ignore[arg-type]


def test_a_fresh_token_rotates() -> None:
    assert judge_refresh(token(), T0 + timedelta(minutes=1), None) is RefreshVerdict.ROTATE


def test_a_used_token_is_a_reuse() -> None:
    assert judge_refresh(token(used_at=T0), T0 + timedelta(minutes=1), None) is RefreshVerdict.REUSED


def test_revoked_expired_and_unknown_tokens_are_refused() -> None:
    later = T0 + timedelta(minutes=1)
    assert judge_refresh(token(revoked=True), later, None) is RefreshVerdict.REVOKED
    assert judge_refresh(token(used_at=T0, revoked=True), later, None) is RefreshVerdict.REVOKED
    assert judge_refresh(token(), T0 + timedelta(days=30), None) is RefreshVerdict.EXPIRED
    assert judge_refresh(None, later, None) is RefreshVerdict.UNKNOWN


def test_a_password_reset_kills_tokens_issued_before_it() -> None:
    assert judge_refresh(token(), T0 + timedelta(hours=1), T0 + timedelta(minutes=5)) is RefreshVerdict.REVOKED
    fresh = token(issued_at=T0 + timedelta(minutes=6))
    assert judge_refresh(fresh, T0 + timedelta(hours=1), T0 + timedelta(minutes=5)) is RefreshVerdict.ROTATE


def test_secrets_are_random_and_stored_hashed() -> None:
    a, a_hash = new_secret()
    b, _ = new_secret()
    assert a != b
    assert a_hash == hash_secret(a) != a
    assert len(a) >= 40


def test_expiry_is_the_ttl_after_now() -> None:
    assert expiry(T0, timedelta(hours=1)) == T0 + timedelta(hours=1)
