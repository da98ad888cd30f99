"""The person's address reaches the gateway: the portal forwards it as `X-Forwarded-For`
with every API call made for their request (the gateway's rate limits count people), read
by the platform's one rule (`chassis.clientaddress`) from what the portal itself received."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from chassis.clientaddress import client_address, proxy_networks
from portal.adapters.api import GatewayApi
from portal.app import create_app
from portal.settings import PortalSettings

from .fakes import MemorySessions

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PORTAL = "172.28.0.200"  # the portal as the gateway sees it (compose gives it this address)


def portal_and_gateway(settings: PortalSettings) -> tuple[TestClient, list[httpx.Request]]:
    """The real app and its real GatewayApi, whose transport answers like a refusing gateway."""
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"status": 401, "detail": "wrong", "code": "invalid-credentials"})

    app = create_app(settings, sessions=MemorySessions())
    api = app.state.portal.api
    assert isinstance(api, GatewayApi)
    api.client = httpx.AsyncClient(base_url="http://gateway", transport=httpx.MockTransport(gateway))
    return TestClient(app, follow_redirects=False), seen


def log_in(client: TestClient, headers: dict[str, str] | None = None) -> None:
    page = client.get("/login", headers=headers)
    token = CSRF.search(page.text)
    assert token
    form = {"email": "a@b.fr", "password": "wrong", "csrf_token": token.group(1)}
    assert client.post("/login", data=form, headers=headers).status_code == 401


def test_each_call_carries_the_persons_address() -> None:
    settings = PortalSettings(environment="test", cookie_secure=False)
    client, seen = portal_and_gateway(settings)
    client = TestClient(client.app, client=("203.0.113.7", 50000), follow_redirects=False)
    # A person's own X-Forwarded-For is not believed: the portal trusts no proxy by default.
    log_in(client, headers={"X-Forwarded-For": "198.51.100.1"})
    assert [request.url.path for request in seen] == ["/api/identity/sessions"]
    assert seen[0].headers["x-forwarded-for"] == "203.0.113.7"


def test_behind_its_trusted_front_the_portal_forwards_the_person_not_the_front() -> None:
    settings = PortalSettings(environment="test", cookie_secure=False, trusted_proxies="10.0.0.0/8")
    client, seen = portal_and_gateway(settings)
    client = TestClient(client.app, client=("10.1.2.3", 50000), follow_redirects=False)
    log_in(client, headers={"X-Forwarded-For": "192.0.2.66, 198.51.100.9"})
    # The nearest entry that is not the front is the person; anything before it is theirs to forge.
    assert seen[0].headers["x-forwarded-for"] == "198.51.100.9"


def test_the_gateway_tells_two_people_apart_only_when_it_trusts_the_portal() -> None:
    settings = PortalSettings(environment="test", cookie_secure=False)
    forwarded: list[str] = []
    for person in ("203.0.113.7", "203.0.113.8"):
        client, seen = portal_and_gateway(settings)
        log_in(TestClient(client.app, client=(person, 50000), follow_redirects=False))
        forwarded.append(seen[0].headers["x-forwarded-for"])
    trusting = proxy_networks([f"{PORTAL}/32"])
    as_gateway = [client_address({"x-forwarded-for": f}, PORTAL, key=None, trusted_proxies=trusting) for f in forwarded]
    assert as_gateway == ["203.0.113.7", "203.0.113.8"]
    # Without the trust every person is the portal: one shared bucket, the limit for all.
    untrusting = [client_address({"x-forwarded-for": f}, PORTAL, key=None, trusted_proxies=()) for f in forwarded]
    assert untrusting == [PORTAL, PORTAL]


async def test_a_call_outside_any_request_sends_no_address() -> None:
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    api = GatewayApi("http://gateway", MemorySessions(), transport=httpx.MockTransport(gateway))
    await api.call(None, "GET", "/api/billing/terms")
    assert "x-forwarded-for" not in seen[0].headers
