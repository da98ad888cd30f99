"""Issue 9 through the gateway: free text refuses control characters; only a
merchant creates schedules, in its own name (its login or an API client with
the client-credentials grant); bodies above the limit get 413 early; a
service's /metrics is not reachable through the gateway; every response says
nosniff; a problem's title follows its status."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from contracts.events.billing import ScheduleCreated
from devstack.stack import OPERATOR_EMAIL, Stack
from tests.e2e.helpers import activated_creditor, bearer, find_event, legal_person, merchant, new_email, order, problem

pytestmark = pytest.mark.e2e
API = "/api/identity"


@pytest.mark.parametrize(
    "name",
    ["ACME\r\nBcc: evil@example.org", "ACME\u2028Bcc: evil@example.org", "ACME\u202eLIVE", "ACME\x00", "ACME\x85"],
)
async def test_a_name_with_control_characters_is_refused_naming_the_field(running_services: Stack, name: str) -> None:
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=30) as http:
        email = new_email()
        answer = await http.post(f"{API}/accounts", json={**legal_person(email), "company_name": name})
        body = problem(answer, 422)
        assert body["title"] == "Unprocessable Entity"
        assert [e["field"] for e in body["errors"]] == ["company_name"]
        assert "control or invisible formatting characters" in body["errors"][0]["message"]
        address = {"line": "1 rue\nBcc: x", "postal_code": "75008", "city": "Paris"}
        answer = await http.post(f"{API}/accounts", json={**legal_person(email), "address": address})
        assert [e["field"] for e in problem(answer, 422)["errors"]] == ["address.line"]
    assert not running_services.mailbox.for_recipient(email)  # nothing was registered


async def test_only_a_merchant_creates_schedules_in_its_own_name(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        # Any logged-in account (not onboarded: a buyer, say) is refused.
        buyer_email, buyer = await activated_creditor(stack, http)
        refused = problem(await http.post("/api/billing/schedules", json=order(buyer_email), headers=buyer), 403)
        assert refused["type"].endswith("/not-a-merchant")
        assert refused["title"] == "Forbidden"

        # Two merchants may use the same order number: uniqueness is per merchant.
        _, first = await merchant(stack, http)
        _, second = await merchant(stack, http)
        body = order(buyer_email)
        created = await http.post("/api/billing/schedules", json=body, headers=first)
        assert created.status_code == 201, created.text
        assert created.json()["merchant"] == "ACME Recouvrement"  # the merchant's own name, from its profile
        assert created.json()["buyer_name"] == "Jeanne Martin"
        assert created.json()["buyer_address"]["city"] == "Paris"
        other = await http.post("/api/billing/schedules", json=body, headers=second)
        assert other.status_code == 201, other.text
        again = await http.post("/api/billing/schedules", json=body, headers=first)
        assert problem(again, 409)["type"].endswith("/order-has-schedule")

        event = await find_event(stack, ScheduleCreated.topic, lambda e: e.subject == created.json()["schedule_id"])
        first_id = (await http.get(f"{API}/accounts/me", headers=first)).json()["account_id"]
        assert event.payload["merchant_id"] == first_id
        assert event.payload["buyer_name"] == "Jeanne Martin"
        assert event.payload["buyer_address"]["postal_code"] == "75002"


async def test_a_merchant_api_client_gets_a_token_and_creates_schedules(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, owner = await merchant(stack, http)
        owner_id = (await http.get(f"{API}/accounts/me", headers=owner)).json()["account_id"]
        registered = await http.post(f"{API}/clients", json={"name": "web shop"}, headers=owner)
        assert registered.status_code == 201, registered.text
        assert registered.headers["cache-control"] == "no-store"
        client = registered.json()
        listed = (await http.get(f"{API}/clients", headers=owner)).json()
        assert [c["client_id"] for c in listed] == [client["client_id"]]
        assert client["client_secret"] not in str(listed)  # shown once

        form = {"grant_type": "client_credentials", "client_id": client["client_id"]}
        wrong = await http.post(f"{API}/oauth/token", data={**form, "client_secret": "x" * 43})
        assert problem(wrong, 401)["type"].endswith("/invalid_client")
        unknown = await http.post(
            f"{API}/oauth/token", data={**form, "client_id": "cli_" + "0" * 24, "client_secret": "y"}
        )
        assert {k: v for k, v in unknown.json().items() if k != "instance"} == {
            k: v for k, v in wrong.json().items() if k != "instance"
        }
        assert problem(await http.post(f"{API}/oauth/token", data={"grant_type": "password"}), 400)["type"].endswith(
            "/unsupported_grant_type"
        )
        issued = await http.post(f"{API}/oauth/token", data={**form, "client_secret": client["client_secret"]})
        assert issued.status_code == 200, issued.text
        assert issued.headers["cache-control"] == "no-store"
        assert issued.json()["token_type"] == "Bearer"
        assert issued.json()["expires_in"] <= 3600
        basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
        by_basic = await http.post(
            f"{API}/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
        )
        assert by_basic.status_code == 200, by_basic.text
        token = bearer(issued.json()["access_token"])

        me = await http.get(f"{API}/accounts/me", headers=token)
        assert me.status_code in (200, 404)  # a client token is verified like any other
        created = await http.post("/api/billing/schedules", json=order(new_email()), headers=token)
        assert created.status_code == 201, created.text
        event = await find_event(stack, ScheduleCreated.topic, lambda e: e.subject == created.json()["schedule_id"])
        assert event.payload["merchant_id"] == owner_id
        assert event.payload["merchant"] == "ACME Recouvrement"

        # A client cannot make clients; a revoked client gets no token.
        assert problem(await http.post(f"{API}/clients", json={"name": "x"}, headers=token), 403)
        revoked = await http.delete(f"{API}/clients/{client['client_id']}", headers=owner)
        assert revoked.status_code == 204
        after = await http.post(f"{API}/oauth/token", data={**form, "client_secret": client["client_secret"]})
        problem(after, 401)


async def test_a_non_creditor_cannot_register_an_api_client(running_services: Stack) -> None:
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=30) as http:
        problem(await http.post(f"{API}/clients", json={"name": "web shop"}), 401)
        _, auth = await activated_creditor(running_services, http)
        bad = await http.post(f"{API}/clients", json={"name": "shop\r\nX-Evil: 1"}, headers=auth)
        assert problem(bad, 422)["errors"][0]["field"] == "name"


async def test_large_bodies_get_413_early_at_the_gateway_and_at_the_services(running_services: Stack) -> None:
    stack = running_services
    big = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        declared = await http.post(f"{API}/accounts", content=big, headers=headers)
        body = problem(declared, 413)
        assert body["title"] == "Content Too Large"
        assert declared.headers["x-content-type-options"] == "nosniff"
        streamed = await http.post(f"{API}/accounts", content=chunks(), headers=headers)
        assert "content-length" not in streamed.request.headers
        problem(streamed, 413)
        small = await http.post(f"{API}/accounts", json={"email": "x"})
        assert small.status_code == 422
    for name in ("identity", "billing", "teams"):
        async with httpx.AsyncClient(base_url=stack.service_url(name), timeout=60) as direct:
            problem(await direct.post("/anything", content=big, headers=headers), 413)  # refused before routing
    async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=60) as direct:
        problem(await direct.post("/accounts", content=chunks(), headers=headers), 413)


async def test_service_metrics_are_not_reachable_through_the_gateway(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        for path in ("/api/billing/metrics", "/api/identity/metrics/", "/api/teams/%6Detrics", "/api/billing//metrics"):
            answer = await http.get(path)
            assert problem(answer, 404)["title"] == "Not Found", path
            assert "http_requests" not in answer.text
        assert (await http.get("/api/billing/health")).status_code == 200  # the rest is forwarded
    async with httpx.AsyncClient(base_url=stack.service_url("billing"), timeout=30) as direct:
        assert (await direct.get("/metrics")).status_code == 200  # Prometheus scrapes the service itself


async def test_every_response_says_nosniff_and_titles_follow_the_status(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        answers = [
            await http.get("/health"),
            await http.get("/api/billing/health"),
            await http.get(f"/api/teams/companies/{uuid.uuid4().int % 10**9:09d}"),
            await http.get("/api/nope/x"),
        ]
        for answer in answers:
            assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
        assert problem(answers[2], 401)["title"] == "Unauthorized"
        assert problem(answers[3], 404)["title"] == "Not Found"
        _, auth = await activated_creditor(stack, http)
        forbidden = await http.post("/api/billing/debit-runs", json={}, headers=auth)
        assert problem(forbidden, 403)["title"] == "Forbidden"
    async with httpx.AsyncClient(base_url=stack.service_url("teams"), timeout=30) as direct:
        assert (await direct.get("/health")).headers["x-content-type-options"] == "nosniff"


async def test_the_devstack_operator_account_may_run_debits(running_services: Stack) -> None:
    stack = running_services
    said = stack.ensure_operator()  # what `devstack up` does for the dev profile
    saved = stack.config.state_dir / "operator.txt"
    assert str(saved) in said
    email, password = saved.read_text(encoding="utf-8").split()
    assert email == OPERATOR_EMAIL
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        login = await http.post(f"{API}/sessions", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        run = await http.post("/api/billing/debit-runs", json={}, headers=bearer(login.json()["access_token"]))
        assert run.status_code == 200, run.text


async def test_the_claim_of_a_company_space_may_carry_an_extract_larger_than_other_bodies(
    running_services: Stack,
) -> None:
    extract = base64.b64encode(b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 64)).decode()  # a 1 MiB Kbis, 1.33 MiB sent
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=60) as http:
        _, auth = await activated_creditor(running_services, http)
        body = {"siren": "732829320", "mobile": "+33612345678", "extract": extract}
        claimed = await http.post("/api/teams/companies", json=body, headers=auth)
        assert claimed.status_code not in (413, 500), claimed.text  # judged by teams, not cut by the limit
        elsewhere = await http.post("/api/teams/companies/732829320/invitations", json=body, headers=auth)
        problem(elsewhere, 413)
