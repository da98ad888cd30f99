"""The first flow across the bus, driven through the gateway: identity's
registration and activation emit AccountActivated; billing consumes it and
opens the creditor's billing profile."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contracts import AccountActivated, AccountRegistered
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, activation_link, eventually, find_event, legal_person, mongo, new_email

pytestmark = pytest.mark.e2e


async def test_activation_opens_a_billing_profile(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        registered = await http.post("/api/identity/accounts", json=legal_person(email))
        assert registered.status_code == 202, registered.text

        # Logging in before activation is refused, and says why.
        early = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
        assert early.status_code == 403
        assert early.headers["content-type"].startswith("application/problem+json")
        assert "not activated" in early.json()["detail"]

        mail = await stack.mailbox.wait_for(email, timeout=30)
        link = activation_link(mail.text)
        assert link.startswith("/api/identity/accounts/activation?token=")
        activated = await http.get(link)
        assert activated.status_code == 200, activated.text
        assert (await http.get(link)).status_code == 400  # single use

        login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        me = await http.get("/api/identity/accounts/me", headers={"Authorization": f"Bearer {token}"})
        account_id = me.json()["account_id"]

        # The events crossed the bus, keyed by the account.
        event = await find_event(stack, AccountActivated.topic, lambda e: e.subject == account_id)
        assert event.payload["email"] == email
        assert event.payload["siren"] == "732829320"
        assert event.source == "identity"
        assert event.trace is not None  # the request's trace continues on the bus
        await find_event(stack, AccountRegistered.topic, lambda e: e.subject == account_id)

        # Billing opened the profile: through the gateway with the caller's token...
        async def profile() -> dict[str, Any] | None:
            answer = await http.get("/api/billing/profiles/me", headers={"Authorization": f"Bearer {token}"})
            return answer.json() if answer.status_code == 200 else None

        public = await eventually(profile)
        assert public["status"] == "awaiting_onboarding"
        assert public["display_name"] == "ACME Recouvrement"

        # Billing's metrics saw it: handled once, no lag left, nothing dead-lettered.
        metrics = (await http.get(f"{stack.service_url('billing')}/metrics")).text
        assert 'events_handled_total{event_type="AccountActivated",outcome="applied"}' in metrics
        assert "kafka_consumer_lag{" in metrics
        assert 'http_requests_total{method="GET",route="/profiles/me",status="200"}' in metrics
        identity_metrics = (await http.get(f"{stack.service_url('identity')}/metrics")).text
        assert "outbox_published_total" in identity_metrics

    # ...and in billing's own store, exactly once.
    client = mongo(stack)
    try:
        profiles = client["billing"]["profiles"]
        assert await profiles.count_documents({"_id": account_id}) == 1
        stored = await profiles.find_one({"_id": account_id})
        assert stored is not None
        assert stored["opened_by_event"] == str(event.event_id)
        assert await client["billing"]["inbox"].count_documents({"_id": f"billing:{event.event_id}"}) == 1
    finally:
        await client.close()


async def test_the_gateway_refuses_a_forged_token(running_services: Stack) -> None:
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=30) as http:
        answer = await http.get("/api/billing/profiles/me", headers={"Authorization": "Bearer not.a.token"})
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_bad_registration_gets_field_errors(running_services: Stack) -> None:
    body = legal_person(new_email())
    body.update(password="short", siret="73282932000075")
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=30) as http:
        answer = await http.post("/api/identity/accounts", json=body)
    assert answer.status_code == 422
    fields = {error["field"] for error in answer.json()["errors"]}
    assert {"password", "password_confirmation", "siret"} <= fields
