"""Which address identity counts a login under (real Kafka and Mongo server): a
forged X-Forwarded-For counts for nothing; the address the gateway signed does."""

from __future__ import annotations

from typing import Any

import pytest

from chassis.clientaddress import signed_headers
from chassis.clock import SystemClock
from tests.e2e.helpers import PASSWORD

pytestmark = pytest.mark.infra

KEY = "identity-test-client-address-key"


def from_gateway(address: str, key: str = KEY) -> dict[str, str]:
    return {name.decode(): value.decode() for name, value in signed_headers(address, key.encode(), SystemClock().now())}


async def test_a_forged_forwarded_for_is_counted_under_the_real_address(make_harness: Any) -> None:
    # `behind_gateway` was the devstack's setting before signed addresses: it made identity
    # take the last X-Forwarded-For entry from anyone. It is ignored now.
    h = await make_harness(
        lockout_address_failures=2, lockout_account_failures=100, client_address_key=KEY, behind_gateway=True
    )
    for n in range(2):  # two addresses of the caller's choosing, one real address
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        await h.http.post("/sessions", json={"email": h.new_email(), "password": "Wrong-1!"}, headers=headers)
    email = h.new_email()
    await h.register_and_activate(email)
    forged = {"X-Forwarded-For": "198.51.100.99"}
    locked = await h.http.post("/sessions", json={"email": email, "password": PASSWORD}, headers=forged)
    assert locked.status_code == 429, locked.text


async def test_the_address_the_gateway_signed_is_used(make_harness: Any) -> None:
    h = await make_harness(lockout_address_failures=2, lockout_account_failures=100, client_address_key=KEY)
    for _ in range(2):
        headers = from_gateway("198.51.100.1")
        await h.http.post("/sessions", json={"email": h.new_email(), "password": "Wrong-1!"}, headers=headers)
    email = h.new_email()
    await h.register_and_activate(email)
    body = {"email": email, "password": PASSWORD}
    # The locked-out client is that one, not every client the gateway forwards.
    assert (await h.http.post("/sessions", json=body, headers=from_gateway("198.51.100.1"))).status_code == 429
    assert (await h.http.post("/sessions", json=body, headers=from_gateway("198.51.100.2"))).status_code == 200
    # Signed with another key: not the gateway, so the socket peer (which has not failed).
    other = from_gateway("198.51.100.1", key="not-the-gateway")
    assert (await h.http.post("/sessions", json=body, headers=other)).status_code == 200
