"""CSRF: a per-session secret token. Every POST form carries it as the hidden field
`csrf_token`, htmx sends it as the `X-CSRF-Token` header (portal.js sets it from the
page's meta tag); a state-changing request without it, or with another, is 403."""

from __future__ import annotations

import hmac

from fastapi import Request

from portal.errors import CsrfRefused
from portal.ports import Session
from portal.web.session import current_session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(session: Session) -> str:
    """The token to put in a form; a session nobody stored yet is stored with the page."""
    if session.new:
        session.dirty = True
    return session.csrf_secret


def token_matches(session: Session, sent: str | None) -> bool:
    return bool(sent) and not session.new and hmac.compare_digest(session.csrf_secret, sent or "")


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuses an unsafe method whose token is not the session's."""
    if request.method in SAFE_METHODS:
        return
    session = await current_session(request)
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not token_matches(session, sent):
        raise CsrfRefused()
