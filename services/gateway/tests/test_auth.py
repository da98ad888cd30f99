"""Bearer tokens are checked before forwarding; X-Caller-Id comes only from a verified token."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def header_values(record: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in record["headers"] if key.lower() == name.lower()]


async def test_valid_token_sets_caller_id_and_keeps_authorization(gateway: Any, upstream_state: Any) -> None:
    token = upstream_state.token("acc-42")
    async with gateway() as gw:
        response = await gw.client.get("/api/billing/echo/me", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    record = response.json()
    assert header_values(record, "x-caller-id") == ["acc-42"]
    assert header_values(record, "authorization") == [f"Bearer {token}"]


async def test_spoofed_caller_id_is_stripped_without_token(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/billing/echo/me", headers={"x-caller-id": "admin"})
    assert response.status_code == 200
    assert header_values(response.json(), "x-caller-id") == []


async def test_spoofed_caller_id_is_replaced_by_the_verified_one(gateway: Any, upstream_state: Any) -> None:
    token = upstream_state.token("acc-7")
    async with gateway() as gw:
        response = await gw.client.get(
            "/api/billing/echo/me", headers={"authorization": f"Bearer {token}", "x-caller-id": "admin"}
        )
    assert header_values(response.json(), "x-caller-id") == ["acc-7"]


async def test_no_token_passes_through(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.post("/api/identity/echo/register", json={"email": "a@example.test"})
    assert response.status_code == 200
    assert header_values(response.json(), "authorization") == []


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda up: up.token(expires_in=-60), id="expired"),
        pytest.param(lambda up: up.token(key=Ed25519PrivateKey.generate()), id="bad-signature"),
        pytest.param(lambda up: up.token(kid="rotated-away"), id="unknown-kid"),
        pytest.param(lambda up: up.token(audience="someone-else"), id="wrong-audience"),
        pytest.param(lambda up: "not-a-jwt", id="garbage"),
    ],
)
async def test_bad_tokens_are_401_problems_and_never_forwarded(
    gateway: Any, upstream_state: Any, make_token: Any
) -> None:
    async with gateway() as gw:
        response = await gw.client.get(
            "/api/billing/echo/secret", headers={"authorization": f"Bearer {make_token(upstream_state)}"}
        )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    # One fixed message, never the JWT library's text (which check failed).
    assert response.json()["detail"] == "the access token is invalid or expired: log in again"
    assert upstream_state.requests_to("/echo/secret") == []


async def test_identity_down_means_tokens_cannot_be_checked(gateway: Any, upstream_state: Any) -> None:
    token = upstream_state.token()
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with gateway(jwks_url=f"http://127.0.0.1:{port}/.well-known/jwks.json") as gw:
        response = await gw.client.get("/api/billing/echo/x", headers={"authorization": f"Bearer {token}"})
    # Not the caller's fault: 503, not 401.
    assert response.status_code == 503
    assert "keys that verify tokens cannot be fetched" in response.json()["detail"]
