"""Several instances of a service (`GATEWAY_BILLING_URL=url1,url2`, ADR 0037): calls go to them in
turn, and a dead instance's refusal is retried on the next only for a call without a body.

The two instances are the one fake upstream under two names (127.0.0.1 and localhost): the Host
header it received says which instance a call went to."""

from __future__ import annotations

import socket
from collections import Counter
from typing import Any


def host_of(record: dict[str, Any]) -> str:
    host: str = next(value for key, value in record["headers"] if key.lower() == "host")
    return host.split(":")[0]


def closed_port() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_calls_go_to_the_instances_in_turn(gateway: Any, upstream_state: Any) -> None:
    second = upstream_state.url.replace("127.0.0.1", "localhost")
    async with gateway(billing_url=f"{upstream_state.url},{second}") as gw:
        answers = [await gw.client.get(f"/api/billing/echo/turn/{n}") for n in range(6)]
    assert [a.status_code for a in answers] == [200] * 6
    assert Counter(host_of(a.json()) for a in answers) == {"127.0.0.1": 3, "localhost": 3}


async def test_a_dead_instance_is_skipped_for_a_call_without_a_body_only(gateway: Any, upstream_state: Any) -> None:
    async with gateway(billing_url=f"{closed_port()},{upstream_state.url}") as gw:
        reads = [await gw.client.get(f"/api/billing/echo/read/{n}") for n in range(4)]
        # The next turn is the dead instance's: a call with a body is not sent twice, it gets the 503.
        write = await gw.client.post("/api/billing/echo/write", content=b'{"amount": 1}')
    assert [r.status_code for r in reads] == [200] * 4
    assert write.status_code == 503
    assert "retry-after" in write.headers
    assert upstream_state.requests_to("/echo/write") == []
