"""Fast, honest failure: with the Mongo-wire server or Kafka stopped, a request
that needs it answers 503 problem+json with Retry-After within about a
second (through a service and through the gateway), `/ready` names what is
down, each failure is one log line, nothing is half-written; once the
dependency is back, the stack recovers on its own."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor, eventually, legal_person, mongo, new_email

pytestmark = pytest.mark.e2e
# A loose bound against the 5 s driver timeout seen before; the figure itself goes in the report.
BOUND_SECONDS = 3.0


def assert_unavailable(answer: httpx.Response, dependency: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert int(answer.headers["retry-after"]) >= 1
    body = answer.json()
    assert body["status"] == 503
    assert dependency in body["detail"]


async def timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    answer: httpx.Response = await call
    return answer, time.perf_counter() - started


def log_lines(log_file: Path, request_id: str) -> list[dict[str, Any]]:
    """The service's own log lines about one request (the access log aside)."""
    lines = []
    for line in log_file.read_text(errors="replace").splitlines():
        if request_id not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            lines.append({"raw": line})
            continue
        if entry.get("logger") != "uvicorn.access":
            lines.append(entry)
    return lines


async def test_a_mongo_outage_answers_503_with_retry_after_at_once_and_the_stack_recovers(
    running_services: Stack,
) -> None:
    stack = running_services
    billing = stack.services["billing"]
    client = mongo(stack)
    never_registered = new_email()
    rid = {name: f"outage-{name}-{uuid.uuid4().hex[:8]}" for name in ("gw-read", "gw-write", "direct")}
    try:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
            _, auth = await activated_creditor(stack, http)
            await stack.mongo.stop_async()
            try:
                # A read through the gateway, a write through the gateway, a read straight to the service.
                read, read_took = await timed(
                    http.get("/api/billing/profiles/me", headers={**auth, "x-request-id": rid["gw-read"]})
                )
                write, write_took = await timed(
                    http.post(
                        "/api/identity/accounts",
                        json=legal_person(never_registered),
                        headers={"x-request-id": rid["gw-write"]},
                    )
                )
                direct, direct_took = await timed(
                    http.get(f"{billing.url}/profiles/me", headers={**auth, "x-request-id": rid["direct"]})
                )
                ready, ready_took = await timed(http.get(f"{billing.url}/ready"))
                gateway_ready = await http.get("/ready")
            finally:
                await stack.mongo.up_async()

            print(  # the figures, for the report (pytest -s)
                f"503 after: gateway read {read_took:.2f}s, gateway write {write_took:.2f}s, "
                f"direct {direct_took:.2f}s, /ready {ready_took:.2f}s"
            )
            for answer in (read, write, direct):
                assert_unavailable(answer, "mongo")
            assert max(read_took, write_took, direct_took, ready_took) < BOUND_SECONDS, (
                read_took,
                write_took,
                direct_took,
                ready_took,
            )
            assert ready.status_code == 503
            assert ready.headers["retry-after"]
            assert ready.json()["checks"] == {"mongo": "down", "kafka": "up"}
            assert gateway_ready.status_code == 503

            # One log line per failure, in the service that met it (the gateway passed the 503 on).
            assert len(log_lines(billing.log_file, rid["gw-read"])) == 1
            assert len(log_lines(billing.log_file, rid["direct"])) == 1
            assert len(log_lines(stack.services["identity"].log_file, rid["gw-write"])) == 1
            assert log_lines(stack.services["gateway"].log_file, rid["gw-read"]) == []

            # The stack recovers on its own once Mongo is back.
            async def profile_served() -> bool:
                return (await http.get("/api/billing/profiles/me", headers=auth)).status_code == 200

            await eventually(profile_served, timeout=60)
            assert (await http.get(f"{billing.url}/ready")).status_code == 200
        # Nothing half-written: the refused registration left no account behind.
        assert await client["identity"]["accounts"].count_documents({"email": never_registered}) == 0
    finally:
        await client.close()


async def test_ready_names_kafka_when_it_is_down(running_services: Stack) -> None:
    stack = running_services
    billing = stack.services["billing"]
    async with httpx.AsyncClient(timeout=30) as http:
        await stack.kafka.stop_async()
        try:
            ready, took = await timed(http.get(f"{billing.url}/ready"))
        finally:
            await stack.kafka.up_async()
        assert ready.status_code == 503
        assert ready.headers["retry-after"]
        assert ready.json()["checks"] == {"mongo": "up", "kafka": "down"}
        assert took < BOUND_SECONDS, took

        async def ready_again() -> bool:
            return (await http.get(f"{billing.url}/ready")).status_code == 200

        await eventually(ready_again, timeout=90)
