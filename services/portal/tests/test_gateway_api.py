"""GatewayApi over an httpx transport answering like the gateway: the access token sent,
refreshed once on a 401 (and saved), the login over when the refresh is refused, 503 kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from portal.adapters.api import GatewayApi
from portal.errors import LoginRequired, ServiceUnavailable
from portal.ports import Session
from portal.store.sessions import new_session

from .fakes import MemorySessions

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


def logged_in(sessions: MemorySessions) -> Session:
    session = new_session(NOW, timedelta(hours=1))
    session.access_token, session.refresh_token = "old-access", "refresh-1"
    return session


async def test_a_401_is_refreshed_once_and_the_new_pair_saved() -> None:
    sessions = MemorySessions()
    seen: list[tuple[str, str | None]] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization")))
        if request.url.path == "/api/identity/sessions/refresh":
            return httpx.Response(200, json={"access_token": "new-access", "refresh_token": "refresh-2"})
        if request.headers.get("authorization") == "Bearer new-access":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json={"status": 401, "detail": "expired"})

    api = GatewayApi("http://gateway", sessions, clock=Clock(), transport=httpx.MockTransport(gateway))
    session = logged_in(sessions)
    answer = await api.call(session, "GET", "/api/billing/profiles/me")
    assert answer.ok
    assert answer.problem is None
    assert answer.body == {"ok": True}
    assert [path for path, _ in seen] == [
        "/api/billing/profiles/me",
        "/api/identity/sessions/refresh",
        "/api/billing/profiles/me",
    ]
    assert sessions.saved[session.id].access_token == "new-access"
    assert sessions.saved[session.id].refresh_token == "refresh-2"


async def test_a_refused_refresh_ends_the_login() -> None:
    sessions = MemorySessions()

    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status": 401, "detail": "no", "code": "refresh-token-invalid"})

    api = GatewayApi("http://gateway", sessions, clock=Clock(), transport=httpx.MockTransport(gateway))
    session = logged_in(sessions)
    with pytest.raises(LoginRequired):
        await api.call(session, "GET", "/api/billing/profiles/me")
    assert session.access_token is None
    assert session.refresh_token is None


async def test_an_anonymous_401_is_an_answer() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={"status": 401, "detail": "wrong", "code": "invalid-credentials"},
            headers={"content-type": "application/problem+json"},
        )

    api = GatewayApi("http://gateway", MemorySessions(), clock=Clock(), transport=httpx.MockTransport(gateway))
    answer = await api.call(None, "POST", "/api/identity/sessions", json={"email": "a@b.fr", "password": "x"})
    assert answer.status == 401
    assert answer.problem is not None
    assert answer.problem.code == "invalid-credentials"


async def test_a_503_keeps_its_retry_after_and_an_unreachable_gateway_is_503() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"status": 503, "detail": "billing down"}, headers={"Retry-After": "7"})

    api = GatewayApi("http://gateway", MemorySessions(), clock=Clock(), transport=httpx.MockTransport(down))
    with pytest.raises(ServiceUnavailable) as raised:
        await api.call(None, "GET", "/api/billing/terms")
    assert raised.value.retry_after == "7"

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api = GatewayApi("http://gateway", MemorySessions(), clock=Clock(), transport=httpx.MockTransport(unreachable))
    with pytest.raises(ServiceUnavailable):
        await api.call(None, "GET", "/api/billing/terms")
