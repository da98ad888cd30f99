"""A dependency that is down is a 503 with Retry-After and one log line; any
other unexpected error is a 500 logged once and kept from the server (which
logged it a second time)."""

from __future__ import annotations

import logging

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI
from pymongo.errors import AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError

from chassis.errors import dependency_of, install_problem_handlers

FAILURES: dict[str, Exception] = {
    "selection": ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused, Timeout: 1.0s"),
    "network": NetworkTimeout("timed out"),
    "reconnect": AutoReconnect("connection closed"),
    "kafka": KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9092)]"),
    "bug": RuntimeError("boom"),
}


def failing_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/fail/{kind}")
    async def fail(kind: str) -> None:
        raise FAILURES[kind]

    return app


def served(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the app logged (the test client's own request log aside)."""
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]


@pytest.fixture
def client() -> httpx.AsyncClient:
    # raise_app_exceptions=True: an exception escaping the app is what the server logs a second time.
    transport = httpx.ASGITransport(app=failing_app(), raise_app_exceptions=True)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.parametrize(
    ("kind", "dependency"), [("selection", "mongo"), ("network", "mongo"), ("reconnect", "mongo"), ("kafka", "kafka")]
)
async def test_an_unreachable_dependency_is_a_503_with_retry_after_and_one_warning(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, kind: str, dependency: str
) -> None:
    with caplog.at_level(logging.INFO):
        answer = await client.get(f"/fail/{kind}")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    body = answer.json()
    assert body["type"].endswith(f"/{dependency}-unavailable")
    assert body["title"] == "Service Unavailable"
    assert dependency in body["detail"]
    records = served(caplog)
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.WARNING, None)]
    assert dependency in records[0].getMessage()


async def test_an_unexpected_error_is_a_500_logged_once_and_not_raised_to_the_server(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        answer = await client.get("/fail/bug")  # before: RuntimeError re-raised to the server, logged again there
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "boom" not in answer.text
    records = served(caplog)
    assert len(records) == 1
    assert records[0].exc_info is not None


def test_dependency_of_names_the_dependency() -> None:
    assert dependency_of(FAILURES["selection"]) == "mongo"
    assert dependency_of(FAILURES["kafka"]) == "kafka"
    assert dependency_of(FAILURES["bug"]) is None
