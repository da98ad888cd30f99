"""The request's session: loaded by its cookie, created when first needed, saved after
the response is built when it changed (`SessionMiddleware`), its id renewed at login
and logout."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from portal.errors import LoginRequired
from portal.ports import Session
from portal.store.sessions import new_session
from portal.web.context import portal_of

# Paths that never need a session (no Mongo read for them).
UNSESSIONED = ("/static/", "/health", "/ready", "/metrics", "/favicon.ico")


async def current_session(request: Request) -> Session:
    """The browser's session (anonymous until login); stored only once something needs it."""
    cached = getattr(request.state, "session", None)
    if isinstance(cached, Session):
        return cached
    portal = portal_of(request)
    now = portal.clock.now()
    session_id = request.cookies.get(portal.settings.session_cookie)
    session = await portal.sessions.load(session_id, now) if session_id else None
    if session is None:
        session = new_session(now, timedelta(minutes=portal.settings.anonymous_session_minutes))
    request.state.session = session
    return session


def next_of(request: Request) -> str:
    """This page's path and query, for `/login?next=`."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_url(next_path: str) -> str:
    return "/login" if next_path in ("", "/") else f"/login?next={quote(next_path, safe='/')}"


def safe_next(value: str | None) -> str:
    """A redirect target from a form or query: a path of this site only, never `//host` or `https:`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


async def require_login(request: Request) -> Session:
    """A page for logged-in people: anonymous ones are sent to `/login?next=<this page>`."""
    session = await current_session(request)
    if not session.logged_in:
        raise LoginRequired(next_of(request))
    return session


SessionDep = Annotated[Session, Depends(current_session)]
LoggedIn = Annotated[Session, Depends(require_login)]


async def start_login(request: Request, tokens: dict[str, Any], account: dict[str, Any]) -> Session:
    """A new session (new id: no fixation) holding the tokens of a login and what navigation needs."""
    portal = portal_of(request)
    old = await current_session(request)
    now = portal.clock.now()
    session = new_session(now, timedelta(minutes=portal.settings.session_idle_minutes))
    session.locale = old.locale
    session.access_token = tokens["access_token"]
    session.refresh_token = tokens.get("refresh_token")
    remember_account(session, account)
    session.dirty = True
    if not old.new:
        await portal.sessions.delete(old.id)
    request.state.session = session
    return session


def remember_account(session: Session, account: dict[str, Any]) -> None:
    """What the session keeps of `GET /api/identity/accounts/me`."""
    session.account_id = account.get("account_id")
    session.email = account.get("email")
    kind = account.get("account_kind") or "member"
    session.roles = sorted({kind, *account.get("roles", [])})
    session.claims = {
        key: account[key] for key in ("display_name", "person_kind", "status", "legacy_id") if key in account
    }
    session.dirty = True


async def end_session(request: Request) -> Session:
    """Forget the session (logout): a fresh anonymous one takes its place."""
    portal = portal_of(request)
    old = await current_session(request)
    if not old.new:
        await portal.sessions.delete(old.id)
    session = new_session(portal.clock.now(), timedelta(minutes=portal.settings.anonymous_session_minutes))
    session.locale = old.locale
    request.state.session = session
    return session


class SessionMiddleware(BaseHTTPMiddleware):
    """Saves the request's session after the page is built (if it changed, or to extend an
    active one) and sends its cookie: `HttpOnly`, `SameSite=Lax`, `Secure` outside development."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        unsessioned = request.url.path.startswith(UNSESSIONED)
        if not unsessioned:
            await current_session(request)  # loaded before the page: `render` reads it
        response = await call_next(request)
        session = getattr(request.state, "session", None)
        if unsessioned or not isinstance(session, Session):
            # A page rendered there (a 404 of /favicon.ico) had a throwaway session: never
            # stored, never replacing the browser's cookie.
            return response
        portal = portal_of(request)
        settings = portal.settings
        now = portal.clock.now()
        if session.logged_in:
            idle = timedelta(minutes=settings.session_idle_minutes)
            ceiling = session.created_at + timedelta(hours=settings.session_max_hours)
            wanted = min(now + idle, ceiling)
            if wanted - session.expires_at > idle / 4:  # extend, without a write per request
                session.expires_at = wanted
                session.dirty = True
        if not session.dirty:
            return response
        was_new = session.new
        await portal.sessions.save(session)
        if was_new or request.cookies.get(settings.session_cookie) != session.id:
            response.set_cookie(
                settings.session_cookie,
                session.id,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
                path="/",
            )
        return response
