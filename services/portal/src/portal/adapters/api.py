"""GatewayApi: the portal's only way to the platform, the gateway's public API over httpx.

Every page calls `await api.call(session, method, path, ...)`. The session's access
token is sent; on a 401 the refresh token is traded once for a new pair (saved at
once: a refresh token is single use) and the call is tried again. A 503/504 or an
unreachable gateway raises `ServiceUnavailable` (a page saying so, Retry-After kept).
Every call carries the person's address as `X-Forwarded-For` (`portal.web.clientaddress`):
the gateway's rate limits are per person, not per portal.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
from collections.abc import Callable
from typing import Any, Unpack

import httpx

from portal.errors import LoginRequired, ServiceUnavailable
from portal.ports import ApiAnswer, ApiProblem, ApiRequest, Clock, Session, SessionStore, SystemClock

log = logging.getLogger("portal.api")

REFRESH_PATH = "/api/identity/sessions/refresh"
# Error locations that are not part of a form field's name.
LOCATION_PREFIXES = frozenset({"body", "query", "path", "header"})
# Between the messages of one field (a password lacking two things); `tr` translates each.
MESSAGE_SEPARATOR = "; "


def field_name(location: Any) -> str:
    """A form field's name from an API error location: `["body", "iban"]` or `body.iban` -> `iban`,
    `billing_address.city` -> `billing_address.city`, `["body", "items", 0, "x"]` -> `items.0.x`."""
    parts = [str(p) for p in location] if isinstance(location, list | tuple) else str(location).split(".")
    while parts and parts[0] in LOCATION_PREFIXES:
        parts = parts[1:]
    return ".".join(parts)


def problem_code(body: dict[str, Any]) -> str | None:
    """The problem's stable code: the chassis puts it at the end of `type`
    (`https://creditdesk.dev/problems/mandate-required`); a `code` member wins if present."""
    if isinstance(body.get("code"), str):
        return str(body["code"])
    kind = body.get("type")
    if isinstance(kind, str) and "/problems/" in kind:
        code = kind.rsplit("/", 1)[-1]
        return code if code and not code.isdigit() else None
    return None


def parse_problem(status: int, body: Any) -> ApiProblem:
    """The problem of a non-2xx answer, whatever its shape (problem+json, FastAPI's own, or none)."""
    if not isinstance(body, dict):
        return ApiProblem(status=status, detail=f"HTTP {status}")
    fields: dict[str, str] = {}
    raw_errors = body.get("errors")
    if raw_errors is None and isinstance(body.get("detail"), list):  # FastAPI's own validation shape
        raw_errors = [{"field": e.get("loc", ()), "message": e.get("msg", "")} for e in body["detail"]]
    for error in raw_errors if isinstance(raw_errors, list) else []:
        if not isinstance(error, dict):
            continue
        location = error.get("field", error.get("loc", ""))
        # A location naming no field ("body": the JSON itself) keeps its name: shown above the form.
        raw = ".".join(map(str, location)) if isinstance(location, list | tuple) else str(location)
        name = field_name(location) or raw
        message = str(error.get("message", error.get("msg", "")))
        if name and message:
            fields[name] = f"{fields[name]}{MESSAGE_SEPARATOR}{message}" if name in fields else message
    detail = body.get("detail")
    return ApiProblem(
        status=status,
        detail=detail if isinstance(detail, str) else str(body.get("title") or f"HTTP {status}"),
        code=problem_code(body),
        title=body.get("title") if isinstance(body.get("title"), str) else None,
        field_errors=fields,
    )


def answer_of(response: httpx.Response) -> ApiAnswer:
    content = response.content
    body: Any = None
    if "json" in response.headers.get("content-type", ""):
        try:
            body = jsonlib.loads(content) if content else None
        except ValueError:
            body = None
    ok = 200 <= response.status_code < 300
    return ApiAnswer(
        status=response.status_code,
        body=body,
        headers=dict(response.headers),
        content=content,
        problem=None if ok else parse_problem(response.status_code, body),
    )


class GatewayApi:
    def __init__(
        self,
        base_url: str,
        sessions: SessionStore,
        *,
        timeout: float = 30.0,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        client_address: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.clock = clock or SystemClock()
        # The address of the person the call is made for (None: the portal's own call).
        self.client_address = client_address
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        self.sessions = sessions
        # One refresh at a time per session in this process: a refresh token is single use,
        # and its reuse revokes the whole login.
        self._refreshing: dict[str, asyncio.Lock] = {}

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(self, session: Session | None, method: str, path: str, **request: Unpack[ApiRequest]) -> ApiAnswer:
        sent_token = session.access_token if session else None
        response = await self._send(sent_token, method, path, request)
        if response.status_code == 401 and session is not None and sent_token is not None:
            if await self._refresh(session, sent_token):
                response = await self._send(session.access_token, method, path, request)
            else:
                raise LoginRequired()
        if response.status_code in (503, 504):
            raise ServiceUnavailable(response.headers.get("retry-after"))
        return answer_of(response)

    async def _send(self, token: str | None, method: str, path: str, request: ApiRequest) -> httpx.Response:
        """One call (again after a token refresh: `request` is kept for that)."""
        sent = dict(request.get("headers") or {})
        address = self.client_address()
        if address:
            sent["X-Forwarded-For"] = address
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            return await self.client.request(
                method,
                path,
                json=request.get("json"),
                data=request.get("data"),
                files=request.get("files"),
                content=request.get("content"),
                params=request.get("params"),
                headers=sent,
            )
        except httpx.TransportError as exc:
            log.warning("gateway unreachable: %s %s: %s", method, path, type(exc).__name__)
            raise ServiceUnavailable("5") from exc

    async def _refresh(self, session: Session, stale_token: str) -> bool:
        """Trade the refresh token for a new pair, saved at once. False when the login is over."""
        lock = self._refreshing.setdefault(session.id, asyncio.Lock())
        try:
            async with lock:
                return await self._refresh_once(session, stale_token)
        finally:
            if not lock.locked():
                self._refreshing.pop(session.id, None)

    async def _refresh_once(self, session: Session, stale_token: str) -> bool:
        if session.access_token != stale_token:
            return True  # another request of this session refreshed meanwhile
        stored = await self.sessions.load(session.id, self.clock.now())
        if stored is not None and stored.access_token not in (None, stale_token):
            session.access_token, session.refresh_token = stored.access_token, stored.refresh_token
            return True  # refreshed by another process of the portal
        if not session.refresh_token:
            return self._logged_out(session)
        response = await self._send(None, "POST", REFRESH_PATH, {"json": {"refresh_token": session.refresh_token}})
        if response.status_code in (503, 504):
            raise ServiceUnavailable(response.headers.get("retry-after"))
        if response.status_code != 200:
            return self._logged_out(session)
        pair = response.json()
        session.access_token = pair["access_token"]
        session.refresh_token = pair["refresh_token"]
        session.dirty = True
        await self.sessions.save(session)
        return True

    @staticmethod
    def _logged_out(session: Session) -> bool:
        session.access_token = session.refresh_token = None
        session.roles = []
        session.claims = {}
        session.dirty = True
        return False
