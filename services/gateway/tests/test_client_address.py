"""The client's address at the gateway: a client's own X-Forwarded-For counts for
nothing (only a configured front's does), and the address forwarded to the
services is signed so that they can tell the gateway from anyone on the host."""

from __future__ import annotations

from typing import Any

from chassis.clientaddress import CLIENT_HEADER, SIGNATURE_HEADER, signed_address
from chassis.clock import SystemClock

KEY = "gateway-test-client-address-key"


def header_values(record: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in record["headers"] if key.lower() == name.lower()]


async def test_varied_forwarded_for_values_do_not_escape_the_limit(gateway: Any) -> None:
    async with gateway(rate_limit_burst=5, rate_limit_per_minute=1) as gw:
        statuses = [
            (await gw.client.get("/api/billing/echo/x", headers={"X-Forwarded-For": f"203.0.113.{n}"})).status_code
            for n in range(30)
        ]
    assert statuses == [200] * 5 + [429] * 25


async def test_behind_a_trusted_front_each_client_has_its_own_bucket(gateway: Any) -> None:
    async with gateway(rate_limit_burst=2, rate_limit_per_minute=1, trusted_proxies="192.0.2.0/28") as gw:
        alice = [
            (await gw.client.get("/api/billing/echo/x", headers={"X-Forwarded-For": "198.51.100.1"})).status_code
            for _ in range(3)
        ]
        # A client prepending entries of its choice is still the address the front saw.
        forged = {"X-Forwarded-For": "203.0.113.77, 198.51.100.1"}
        again = (await gw.client.get("/api/billing/echo/x", headers=forged)).status_code
        bob = (await gw.client.get("/api/billing/echo/x", headers={"X-Forwarded-For": "198.51.100.2"})).status_code
    assert alice == [200, 200, 429]
    assert again == 429
    assert bob == 200


async def test_the_forwarded_address_is_signed_and_a_clients_own_is_dropped(gateway: Any) -> None:
    forged = {CLIENT_HEADER: "203.0.113.9", SIGNATURE_HEADER: "t=1,s=00"}
    async with gateway(client_address_key=KEY) as gw:
        response = await gw.client.get("/api/billing/echo/addr", headers=forged)
    seen = response.json()
    assert header_values(seen, CLIENT_HEADER) == ["192.0.2.10"]
    [signature] = header_values(seen, SIGNATURE_HEADER)
    headers = {CLIENT_HEADER: "192.0.2.10", SIGNATURE_HEADER: signature}
    assert signed_address(headers, KEY.encode(), SystemClock().now()) == "192.0.2.10"
    assert signed_address(headers, b"another key", SystemClock().now()) is None
