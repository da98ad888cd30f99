"""Log redaction and the in-memory revocation list (pure, no I/O)."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from chassis.redaction import REDACTED, RedactingFilter, redact
from chassis.revocation import RevocationList
from contracts import SessionsRevoked
from tests.clock import SettableClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_token_like_query_values_are_redacted_and_the_rest_kept() -> None:
    token = secrets.token_urlsafe(32) + "7"
    line = (
        f'127.0.0.1:5000 - "GET /api/identity/recovery/link?token={token}&email=a@example.fr HTTP/1.1" 200'
        f" /x?api_key=abc&page=2&access_token=t0k /y?state={token}#frag /z?code=123456"
    )
    out = redact(line)
    assert token not in out
    assert f"token={REDACTED}" in out
    assert f"api_key={REDACTED}" in out
    assert f"access_token={REDACTED}" in out
    assert f"state={REDACTED}" in out  # a long high-entropy value, whatever its name
    assert f"code={REDACTED}" in out
    assert "email=a@example.fr" in out
    assert "page=2" in out
    assert redact("no query here") == "no query here"


def test_the_filter_redacts_the_formatted_message() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s"', ("1.2.3.4", "GET", "/a?token=s3"), None
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f'1.2.3.4 - "GET /a?token={REDACTED}"'


def revoked(**fields: object) -> SessionsRevoked:
    return SessionsRevoked.model_validate({"account_id": "acc-1", "revoked_at": T0, "reason": "logout", **fields})


def test_a_revoked_session_is_refused_until_the_ttl_has_passed() -> None:
    clock = SettableClock(T0)
    revocations = RevocationList(timedelta(minutes=15), clock)
    revocations.add(revoked(session_ids=["s1"]))
    assert revocations.is_revoked({"sub": "acc-1", "sid": "s1", "iat": int(T0.timestamp()) - 5})
    assert not revocations.is_revoked({"sub": "acc-1", "sid": "s2", "iat": int(T0.timestamp()) - 5})
    clock.advance(minutes=15)
    assert not revocations.is_revoked({"sub": "acc-1", "sid": "s1", "iat": int(T0.timestamp()) - 5})
    assert len(revocations) == 0


def test_every_token_issued_before_the_instant_is_refused_later_ones_are_not() -> None:
    clock = SettableClock(T0)
    revocations = RevocationList(timedelta(minutes=15), clock)
    at = T0 + timedelta(seconds=0.6)
    revocations.add(revoked(issued_before=at, revoked_at=at, reason="logout-everywhere"))
    before = int(T0.timestamp()) - 1
    assert revocations.is_revoked({"sub": "acc-1", "sid": "old", "iat": before})
    assert not revocations.is_revoked({"sub": "acc-1", "sid": "new", "iat": int(T0.timestamp())})
    assert not revocations.is_revoked({"sub": "acc-2", "sid": "old", "iat": before})


def test_a_revocation_older_than_the_ttl_is_not_kept() -> None:
    revocations = RevocationList(timedelta(minutes=15), SettableClock(T0 + timedelta(hours=1)))
    revocations.add(revoked(session_ids=["s1"]))
    assert len(revocations) == 0
