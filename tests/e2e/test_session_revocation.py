"""A closed session's access tokens are refused everywhere within seconds:
after a logout, a logout everywhere and a password reset, through the gateway
and straight at a service. And tokens sent in a URL stay out of the logs."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx
import pytest

from contracts import SessionsRevoked
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, bearer, eventually, find_event, new_email
from tests.e2e.test_identity_flows import active_account

pytestmark = pytest.mark.e2e
API = "/api/identity"
NEW_PASSWORD = "Brand-New-Horse-8?"
INVALID = "the access token is invalid or expired: log in again"


async def two_logins(stack: Stack, http: httpx.AsyncClient, email: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two logins (sessions) of a new account, both accepted by billing."""
    first = await active_account(stack, http, email)
    second = await log_in(http, email)
    await accepted_at_billing(stack, second["access_token"])
    return first, second


async def log_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    login = await http.post(f"{API}/sessions", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    session: dict[str, Any] = login.json()
    return session


async def accepted_at_billing(stack: Stack, token: str) -> None:
    """Billing opens a creditor's profile from AccountActivated: wait for it, with this token."""
    async with httpx.AsyncClient(base_url=stack.service_url("billing"), timeout=30) as billing:

        async def ok() -> bool:
            return (await billing.get("/profiles/me", headers=bearer(token))).status_code == 200

        await eventually(ok, timeout=60)


async def refused_everywhere(stack: Stack, http: httpx.AsyncClient, token: str) -> None:
    """The token gets 401 at the gateway and at billing itself, within seconds."""
    async with httpx.AsyncClient(base_url=stack.service_url("billing"), timeout=30) as billing:

        async def refused() -> bool:
            at_gateway = await http.get(f"{API}/accounts/me", headers=bearer(token))
            at_billing = await billing.get("/profiles/me", headers=bearer(token))
            return at_gateway.status_code == at_billing.status_code == 401

        await eventually(refused, timeout=15, interval=0.2)
        answer = await billing.get("/profiles/me", headers=bearer(token))
        assert answer.json()["detail"] == INVALID


async def test_a_logged_out_session_is_refused_and_the_others_are_not(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        other, session = await two_logins(stack, http, new_email())
        logout = await http.post(f"{API}/sessions/logout", json={"refresh_token": session["refresh_token"]})
        assert logout.status_code == 204
        await refused_everywhere(stack, http, session["access_token"])
        # The other login of the same account goes on.
        me = await http.get(f"{API}/accounts/me", headers=bearer(other["access_token"]))
        assert me.status_code == 200
    event = await find_event(stack, SessionsRevoked.topic, lambda e: e.subject == me.json()["account_id"])
    assert event.payload["reason"] == "logout"
    assert event.payload["session_ids"]


async def test_logout_everywhere_refuses_every_session_of_the_account(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        first, second = await two_logins(stack, http, email)
        answer = await http.post(f"{API}/sessions/logout-everywhere", headers=bearer(first["access_token"]))
        assert answer.status_code == 200, answer.text
        for session in (first, second):
            await refused_everywhere(stack, http, session["access_token"])
        # A login after it is a new session.
        fresh = await log_in(http, email)
        assert (await http.get(f"{API}/accounts/me", headers=bearer(fresh["access_token"]))).status_code == 200


async def test_a_password_reset_refuses_every_session_of_the_account(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        session = await active_account(stack, http, email)
        await accepted_at_billing(stack, session["access_token"])
        assert (await http.post(f"{API}/recovery", json={"email": email})).status_code == 202
        mail = await stack.mailbox.wait_for(email, lambda m: "Réinitialisation" in m.subject, timeout=30)
        token = mail.text.split("/recovery#token=", 1)[1].split()[0]
        body = {"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
        assert (await http.post(f"{API}/recovery/complete", json=body)).status_code == 200
        await refused_everywhere(stack, http, session["access_token"])
        fresh = await log_in(http, email, NEW_PASSWORD)
        assert (await http.get(f"{API}/accounts/me", headers=bearer(fresh["access_token"]))).status_code == 200


async def test_a_token_in_a_query_string_never_reaches_the_logs(running_services: Stack) -> None:
    stack = running_services
    secret = secrets.token_urlsafe(32) + "9"
    request_id = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        # An old-style link, or any client putting a token in a URL.
        await http.get(f"{API}/recovery/link", params={"token": secret}, headers={"X-Request-ID": request_id})
        await http.get(f"{API}/accounts/activation", params={"token": secret}, headers={"X-Request-ID": request_id})
        await http.get("/api/teams/invitations/acceptance", params={"session": secret, "email": "a@example.fr"})

    logs = [stack.component(name).log_file for name in ("gateway", "identity", "teams")]

    async def logged() -> bool:  # the last request's lines are written, at the gateway and at teams
        gateway, _, teams = (path.read_text(encoding="utf-8", errors="replace") for path in logs)
        return "acceptance?session=[redacted]" in gateway and "acceptance?session=[redacted]" in teams

    await eventually(logged, timeout=15)
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert secret not in text, f"{path.name} logged the token"
    gateway_log = logs[0].read_text(encoding="utf-8", errors="replace")
    assert "token=[redacted]" in gateway_log
    assert "email=a%40example.fr" in gateway_log  # what is no secret stays readable


async def test_token_answers_through_the_gateway_are_not_cacheable(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        session = await active_account(stack, http, email)
        login = await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
        refreshed = await http.post(f"{API}/sessions/refresh", json={"refresh_token": session["refresh_token"]})
    for answer in (login, refreshed):
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["pragma"] == "no-cache"
