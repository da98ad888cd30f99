"""Identity's flows through the gateway: login with refresh and a protected
route of another service, recovery, lockout, enumeration-safe answers, a
buyer's first connection from billing's ScheduleCreated, and support changes."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from contracts.events.identity import PasswordReset
from devstack.stack import Stack
from tests.e2e.helpers import (
    PASSWORD,
    activation_link,
    bearer,
    eventually,
    find_event,
    legal_person,
    merchant,
    new_email,
    order,
)

pytestmark = pytest.mark.e2e
API = "/api/identity"
NEW_PASSWORD = "Brand-New-Horse-8?"


def link_token(text: str, path: str) -> str:
    match = re.search(re.escape(path) + r"[?#]token=([\w-]+)", text)
    assert match, f"no {path} link in:\n{text}"
    return match.group(1)


async def active_account(stack: Stack, http: httpx.AsyncClient, email: str) -> dict[str, Any]:
    assert (await http.post(f"{API}/accounts", json=legal_person(email))).status_code == 202
    mail = await stack.mailbox.wait_for(email, lambda m: "Activez" in m.subject, timeout=30)
    assert (await http.get(activation_link(mail.text))).status_code == 200
    login = await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    session: dict[str, Any] = login.json()
    return session


async def test_refreshed_tokens_reach_another_service_and_logout_revokes(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        session = await active_account(stack, http, email)
        refreshed = await http.post(f"{API}/sessions/refresh", json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        token = refreshed.json()["access_token"]

        async def profile() -> bool:
            answer = await http.get("/api/billing/profiles/me", headers=bearer(token))
            return answer.status_code == 200

        await eventually(profile)
        # The first refresh token was consumed: presenting it again revokes the login.
        reused = await http.post(f"{API}/sessions/refresh", json={"refresh_token": session["refresh_token"]})
        assert reused.status_code == 401
        latest = refreshed.json()["refresh_token"]
        assert (await http.post(f"{API}/sessions/refresh", json={"refresh_token": latest})).status_code == 401

        other = (await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})).json()
        assert (
            await http.post(f"{API}/sessions/logout", json={"refresh_token": other["refresh_token"]})
        ).status_code == 204
        assert (
            await http.post(f"{API}/sessions/refresh", json={"refresh_token": other["refresh_token"]})
        ).status_code == 401


async def test_password_recovery_end_to_end(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        session = await active_account(stack, http, email)
        assert (await http.post(f"{API}/recovery", json={"email": email})).status_code == 202
        mail = await stack.mailbox.wait_for(email, lambda m: "Réinitialisation" in m.subject, timeout=30)
        # A portal page with the token in the fragment; the page POSTs it to the API.
        assert f"{stack.portal_url}/recovery#token=" in mail.text
        token = link_token(mail.text, f"{stack.portal_url}/recovery")
        assert (await http.post(f"{API}/recovery/link", json={"token": token})).status_code == 200
        body = {"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
        assert (await http.post(f"{API}/recovery/complete", json=body)).status_code == 200
        assert (await http.post(f"{API}/recovery/complete", json=body)).status_code == 400

        # Every session is gone; only the new password works.
        old = await http.post(f"{API}/sessions/refresh", json={"refresh_token": session["refresh_token"]})
        assert old.status_code == 401
        assert (await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})).status_code == 401
        new = await http.post(f"{API}/sessions", json={"email": email, "password": NEW_PASSWORD})
        assert new.status_code == 200
        me = (await http.get(f"{API}/accounts/me", headers=bearer(new.json()["access_token"]))).json()
    event = await find_event(stack, PasswordReset.topic, lambda e: e.subject == me["account_id"])
    assert event.payload["email"] == email


async def test_repeated_failures_lock_the_login(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        await active_account(stack, http, email)
        for _ in range(5):
            wrong = await http.post(f"{API}/sessions", json={"email": email, "password": "Wrong-Horse-1!"})
            assert wrong.status_code == 401
        locked = await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert int(locked.headers["retry-after"]) > 0
    assert "blocked" in locked.json()["detail"]


async def test_answers_never_tell_whether_an_email_is_registered(running_services: Stack) -> None:
    stack = running_services
    known, unknown = new_email(), new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        await active_account(stack, http, known)
        pairs = {
            "registration": [
                await http.post(f"{API}/accounts", json=legal_person(email)) for email in (known, unknown)
            ],
            "resend": [
                await http.post(f"{API}/accounts/activation/resend", json={"email": email})
                for email in (known, unknown)
            ],
            "recovery": [await http.post(f"{API}/recovery", json={"email": email}) for email in (known, unknown)],
            "first connection": [
                await http.post(f"{API}/customers/first-connection", json={"email": email})
                for email in (known, unknown)
            ],
            "login": [
                await http.post(f"{API}/sessions", json={"email": email, "password": "Wrong-Horse-1!"})
                for email in (known, unknown)
            ],
        }
    for flow, (a, b) in pairs.items():
        assert a.status_code == b.status_code, flow
        assert sorted(a.json()) == sorted(b.json()), flow
        assert {k: v for k, v in a.json().items() if k != "instance"} == {
            k: v for k, v in b.json().items() if k != "instance"
        }, flow
    # The owner of the taken address heard of the attempt.
    await stack.mailbox.wait_for(known, lambda m: "Tentative" in m.subject, timeout=30)


async def test_a_buyer_creates_access_from_the_order_email_and_sees_the_schedule(running_services: Stack) -> None:
    stack = running_services
    buyer = f"buyer-{uuid.uuid4().hex[:10]}@example.fr"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        _, seller = await merchant(stack, http)
        body = order(buyer)
        created = await http.post("/api/billing/schedules", json=body, headers=seller)
        assert created.status_code == 201, created.text

        # Identity learns of the order from billing's ScheduleCreated: then the first connection mails a link.
        async def link_mailed() -> bool:
            await http.post(f"{API}/customers/first-connection", json={"email": buyer})
            return bool(stack.mailbox.for_recipient(buyer))

        await eventually(link_mailed, timeout=60, interval=1.0)
        mail = await stack.mailbox.wait_for(buyer, lambda m: "Créez" in m.subject, timeout=30)
        token = link_token(mail.text, f"{stack.portal_url}/first-connection")
        completion = {"token": token, "password": PASSWORD, "password_confirmation": PASSWORD}
        access = await http.post(f"{API}/customers/first-connection/complete", json=completion)
        assert access.status_code == 201, access.text
        login = await http.post(f"{API}/sessions", json={"email": buyer, "password": PASSWORD})
        assert login.status_code == 200
        mine = await http.get("/api/billing/schedules/mine", headers=bearer(login.json()["access_token"]))
        assert mine.status_code == 200, mine.text
        assert [s["order_number"] for s in mine.json()] == [body["order_number"]]
