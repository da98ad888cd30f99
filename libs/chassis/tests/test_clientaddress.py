"""`chassis.clientaddress`: which address is the client's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chassis.clientaddress import CLIENT_HEADER, SIGNATURE_HEADER, client_address, proxy_networks, signed_headers

KEY = b"shared-client-address-key"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FRONT = proxy_networks(["10.0.0.0/8"])


def signed(address: str, at: datetime = NOW, key: bytes = KEY) -> dict[str, str]:
    return {name.decode(): value.decode() for name, value in signed_headers(address, key, at)}


def test_a_clients_own_forwarded_for_is_ignored() -> None:
    headers = {"x-forwarded-for": "203.0.113.9"}
    assert client_address(headers, "127.0.0.1", key=KEY, trusted_proxies=(), now=NOW) == "127.0.0.1"


def test_a_valid_signature_gives_the_gateways_address() -> None:
    assert client_address(signed("198.51.100.4"), "127.0.0.1", key=KEY, trusted_proxies=(), now=NOW) == "198.51.100.4"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(signed("198.51.100.4", key=b"another key"), id="other-key"),
        pytest.param(signed("198.51.100.4", at=NOW - timedelta(seconds=120)), id="stale"),
        pytest.param({**signed("198.51.100.4"), CLIENT_HEADER: "203.0.113.1"}, id="address-changed"),
        pytest.param({CLIENT_HEADER: "203.0.113.1", SIGNATURE_HEADER: "garbage"}, id="malformed"),
    ],
)
def test_a_bad_signature_falls_back_to_the_peer(headers: dict[str, str]) -> None:
    assert client_address(headers, "127.0.0.1", key=KEY, trusted_proxies=(), now=NOW) == "127.0.0.1"


def test_without_a_key_no_signature_is_trusted() -> None:
    assert client_address(signed("198.51.100.4"), "127.0.0.1", key=None, trusted_proxies=(), now=NOW) == "127.0.0.1"


def test_forwarded_for_is_read_from_a_trusted_proxy_only() -> None:
    chain = {"x-forwarded-for": "203.0.113.66, 198.51.100.5, 10.1.2.3"}
    assert client_address(chain, "10.0.0.1", key=None, trusted_proxies=FRONT) == "198.51.100.5"
    assert client_address(chain, "192.0.2.1", key=None, trusted_proxies=FRONT) == "192.0.2.1"
    assert client_address({}, "10.0.0.1", key=None, trusted_proxies=FRONT) == "10.0.0.1"


def test_bad_proxy_networks_are_refused() -> None:
    with pytest.raises(ValueError, match="not an IP network"):
        proxy_networks(["10.0.0.0/8", "front.example"])
