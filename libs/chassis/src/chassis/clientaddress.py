"""The client's real address, for rate limits and lockouts: one rule for the
gateway and every service.

On one host every process is 127.0.0.1, so an address allow-list cannot tell
the gateway from an attacker on the same host. The gateway therefore signs the
client address it forwards: `X-Creditdesk-Client: <address>` and
`X-Creditdesk-Client-Signature: t=<unix seconds>,s=<hex HMAC-SHA256>` over
`<address>\\n<t>`, keyed by a secret shared through settings
(`<PREFIX>_CLIENT_ADDRESS_KEY`). A service trusts the address only with a valid
signature no older than `MAX_AGE_SECONDS`; anything else is the socket peer.
`X-Forwarded-For` is read only when the socket peer is one of the configured
proxies (`<PREFIX>_TRUSTED_PROXIES`, CIDRs, default none): the gateway's own front.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

    from chassis.settings import ProcessSettings

CLIENT_HEADER = "x-creditdesk-client"
SIGNATURE_HEADER = "x-creditdesk-client-signature"
FORWARDED_FOR = "x-forwarded-for"
# A signed address older (or further in the future) than this is not trusted.
MAX_AGE_SECONDS = 60
UNKNOWN = "unknown"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """Parse CIDRs (`10.0.0.0/8`, `192.0.2.7`); raises ValueError naming a bad one."""
    networks = []
    for cidr in cidrs:
        text = cidr.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as error:
            raise ValueError(f"{text!r} is not an IP network: {error}") from error
    return tuple(networks)


def is_proxy(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def _digest(key: bytes, address: str, timestamp: int) -> str:
    return hmac.new(key, f"{address}\n{timestamp}".encode(), hashlib.sha256).hexdigest()


def signed_headers(address: str, key: bytes, now: datetime) -> list[tuple[bytes, bytes]]:
    """The headers with which the gateway forwards a client's address."""
    timestamp = int(now.timestamp())
    signature = f"t={timestamp},s={_digest(key, address, timestamp)}"
    return [(CLIENT_HEADER.encode(), address.encode("latin-1")), (SIGNATURE_HEADER.encode(), signature.encode())]


def signed_address(headers: Mapping[str, str], key: bytes, now: datetime) -> str | None:
    """The address the gateway signed, if the signature is valid and fresh."""
    address = headers.get(CLIENT_HEADER, "").strip()
    fields = dict(part.split("=", 1) for part in headers.get(SIGNATURE_HEADER, "").split(",") if "=" in part)
    if not address or not fields.get("t", "").isdigit() or "s" not in fields:
        return None
    timestamp = int(fields["t"])
    if abs(now.timestamp() - timestamp) > MAX_AGE_SECONDS:
        return None
    if not hmac.compare_digest(_digest(key, address, timestamp), fields["s"]):
        return None
    return address


def client_address(
    headers: Mapping[str, str],
    peer: str | None,
    *,
    key: bytes | None,
    trusted_proxies: Sequence[Network],
    now: datetime | None = None,
) -> str:
    """The real client's address: a valid gateway signature's, else the nearest
    X-Forwarded-For entry that is not a trusted proxy (read only when the socket
    peer is one), else the socket peer. A signature is checked only with a key and `now`."""
    if key and now is not None:
        signed = signed_address(headers, key, now)
        if signed is not None:
            return signed
    address = peer or UNKNOWN
    if trusted_proxies and is_proxy(address, trusted_proxies):
        entries = [entry.strip() for entry in headers.get(FORWARDED_FOR, "").split(",") if entry.strip()]
        # Walk from the nearest hop back: the first one that is not our own proxy is the client.
        for entry in reversed(entries):
            address = entry
            if not is_proxy(entry, trusted_proxies):
                break
    return address


def of_request(request: Request, settings: ProcessSettings, now: datetime) -> str:
    """`client_address` of a request to a process with these settings (its key and trusted proxies)."""
    peer = request.client.host if request.client else None
    return client_address(
        request.headers, peer, key=settings.client_key, trusted_proxies=settings.proxy_networks, now=now
    )
