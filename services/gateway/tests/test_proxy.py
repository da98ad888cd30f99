"""Forwarding to a real upstream server: what goes up, what comes back, and failures."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

PROBLEM_JSON = "application/problem+json"


def header_values(record: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in record["headers"] if key.lower() == name.lower()]


async def test_forwards_method_path_query_body_headers_and_response(gateway: Any, upstream_state: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.post(
            "/api/billing/echo/a%2Fb/c?x=1&y=two&y=three",
            content=json.dumps({"amount": 12}).encode(),
            headers={"content-type": "application/json", "x-custom": "kept", "x-echo-status": "201"},
        )

    assert response.status_code == 201
    record = response.json()
    assert record["method"] == "POST"
    assert record["path"] == "/echo/a%2Fb/c"  # encoding preserved, prefix removed
    assert record["query"] == "x=1&y=two&y=three"
    assert json.loads(record["body"]) == {"amount": 12}
    assert header_values(record, "x-custom") == ["kept"]
    assert header_values(record, "content-type") == ["application/json"]
    assert header_values(record, "x-forwarded-for") == ["192.0.2.10"]
    # The response comes back as the service sent it.
    assert response.headers["x-upstream"] == "fake"
    assert response.headers["content-type"] == "application/json"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert upstream_state.requests_to("/echo/a%2Fb/c") == [record]


async def test_every_method_is_forwarded(gateway: Any) -> None:
    async with gateway() as gw:
        for method in ("GET", "PUT", "PATCH", "DELETE", "OPTIONS"):
            response = await gw.client.request(method, "/api/teams/echo/m", content=b"x" if method != "GET" else None)
            assert response.status_code == 200, method
            assert response.json()["method"] == method
        head = await gw.client.head("/api/teams/echo/m")
        assert head.status_code == 200
        assert head.content == b""


async def test_large_body_is_streamed_through(gateway: Any) -> None:
    payload = b"0123456789abcdef" * 65536  # 1 MiB
    async with gateway() as gw:
        response = await gw.client.put("/api/recovery/echo/big", content=payload)
    assert response.status_code == 200
    assert len(response.json()["body"]) == len(payload)


async def test_hop_by_hop_headers_are_dropped_both_ways(gateway: Any, upstream_state: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get(
            "/api/ratings/echo/hop",
            headers={
                "connection": "x-drop-me",
                "x-drop-me": "1",
                "keep-alive": "timeout=5",
                "te": "trailers",
                "upgrade": "h2c",
                "proxy-authorization": "Basic abc",
                "trailer": "x-later",
                "x-kept": "yes",
            },
        )

    assert response.status_code == 200
    record = response.json()
    received = {key.lower() for key, _ in record["headers"]}
    for name in ("x-drop-me", "keep-alive", "te", "upgrade", "proxy-authorization", "trailer"):
        assert name not in received, name
    assert header_values(record, "x-kept") == ["yes"]
    # Host is the service's, not the gateway's.
    assert header_values(record, "host") == [upstream_state.url.removeprefix("http://")]
    for name in ("keep-alive", "proxy-authenticate", "x-hop"):
        assert name not in response.headers, name
    assert response.headers.get("connection") is None
    # Date and Server come from the gateway's own HTTP server, not twice.
    assert "date" not in response.headers


async def test_unknown_service_is_a_404_problem(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/payroll/anything")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "payroll" in response.json()["detail"]


async def test_dot_segments_are_refused(gateway: Any, upstream_state: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/billing/echo/%2e%2e/secret")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert upstream_state.seen == []


async def test_unreachable_service_is_a_503_problem_naming_it_with_retry_after(gateway: Any) -> None:
    async with gateway(down=("teams",)) as gw:
        response = await gw.client.get("/api/teams/echo/x")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["status"] == 503
    assert body["type"].endswith("/upstream-unreachable")
    assert "teams" in body["detail"]
    assert response.headers["x-request-id"]


@contextlib.asynccontextmanager
async def broken_server() -> AsyncIterator[str]:
    """A server that answers every request with something that is not HTTP."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_bad_answer_from_the_service_is_a_502_problem(gateway: Any) -> None:
    async with broken_server() as url, gateway(billing_url=url) as gw:
        response = await gw.client.get("/api/billing/echo/x")
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "retry-after" not in response.headers
    assert "billing" in response.json()["detail"]


async def test_slow_service_is_a_504_problem(gateway: Any) -> None:
    async with gateway(upstream_timeout_seconds=0.3) as gw:
        response = await gw.client.get("/api/billing/slow", params={"seconds": "2"})
    assert response.status_code == 504
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "billing" in response.json()["detail"]


async def test_upstream_errors_pass_through_unchanged(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/billing/echo/x", headers={"x-echo-status": "503"})
        missing = await gw.client.get("/api/billing/no-such-route")
    assert response.status_code == 503
    assert response.json()["path"] == "/echo/x"
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}  # the service's body, not a gateway problem


async def test_request_id_is_generated_sent_upstream_and_returned(gateway: Any) -> None:
    async with gateway() as gw:
        generated = await gw.client.get("/api/billing/echo/rid")
        kept = await gw.client.get("/api/billing/echo/rid", headers={"x-request-id": "req-123"})
        replaced = await gw.client.get("/api/billing/echo/rid", headers={"x-request-id": "bad id\twith spaces"})

    request_id = generated.headers["x-request-id"]
    assert len(request_id) == 32
    assert header_values(generated.json(), "x-request-id") == [request_id]
    assert kept.headers["x-request-id"] == "req-123"
    assert header_values(kept.json(), "x-request-id") == ["req-123"]
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert header_values(replaced.json(), "x-request-id") == [replaced.headers["x-request-id"]]


async def test_request_id_is_on_gateway_problems_too(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/nope/x", headers={"x-request-id": "abc"})
    assert response.status_code == 404
    assert response.headers.get_list("x-request-id") == ["abc"]


async def test_client_forwarded_for_is_not_trusted_by_default(gateway: Any) -> None:
    async with gateway() as gw:
        response = await gw.client.get("/api/billing/echo/xff", headers={"x-forwarded-for": "203.0.113.9"})
    assert header_values(response.json(), "x-forwarded-for") == ["192.0.2.10"]


async def test_forwarded_for_chain_is_kept_from_a_trusted_proxy(gateway: Any) -> None:
    async with gateway(trusted_proxies="192.0.2.0/28") as gw:
        response = await gw.client.get("/api/billing/echo/xff", headers={"x-forwarded-for": "203.0.113.9"})
    assert header_values(response.json(), "x-forwarded-for") == ["203.0.113.9, 192.0.2.10"]


async def test_service_root_without_trailing_slash(gateway: Any, upstream_state: Any) -> None:
    async with gateway() as gw:
        bare = await gw.client.get("/api/billing", params={"q": "1"})
        slash = await gw.client.get("/api/billing/")
    # The fake service has no route at "/": its own 404 comes back, not a redirect.
    assert bare.status_code == slash.status_code == 404
    assert bare.json() == slash.json() == {"detail": "Not Found"}


async def test_a_service_s_cookies_are_never_kept_for_other_callers(gateway: Any, upstream_state: Any) -> None:
    # By name, not by address: a cookie jar keeps cookies of named hosts (compose's `billing:8002`).
    by_name = upstream_state.url.replace("127.0.0.1", "localhost")
    async with gateway(billing_url=by_name) as gw:
        first = await gw.client.get("/api/billing/echo/one")
        second = await gw.from_ip("192.0.2.99").get("/api/billing/echo/two")
    assert first.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]  # passed to its caller
    assert header_values(second.json(), "cookie") == []
