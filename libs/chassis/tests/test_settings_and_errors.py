from __future__ import annotations

from http import HTTPStatus

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, SecretStr, ValidationError

from chassis.errors import Conflict, Problem, install_problem_handlers
from chassis.settings import ServiceSettings


class ExampleSettings(ServiceSettings):
    service_name: str = "example"
    api_key: SecretStr | None = None

    def model_post_init(self, context: object) -> None:
        self.require_secret("EXAMPLE_API_KEY", self.api_key)


def test_database_and_client_id_default_to_the_service_name() -> None:
    settings = ExampleSettings()
    assert settings.mongo_db == "example"
    assert settings.kafka_client_id == "example"


@pytest.mark.parametrize("value", [None, "changeme", "  secret "])
def test_production_refuses_missing_or_placeholder_secrets(value: str | None) -> None:
    with pytest.raises(ValidationError, match="EXAMPLE_API_KEY must be set"):
        ExampleSettings(environment="production", api_key=value)  # type: ignore[arg-type]


def test_development_accepts_no_secret_and_production_a_real_one() -> None:
    assert ExampleSettings(environment="development").api_key is None
    production = ExampleSettings(environment="production", api_key="a-real-key-9f8e7d")  # type: ignore[arg-type]
    assert production.api_key is not None
    assert production.api_key.get_secret_value() == "a-real-key-9f8e7d"


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_settings import SettingsConfigDict

    class Prefixed(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="EXAMPLE_", frozen=True)
        service_name: str = "example"

    monkeypatch.setenv("EXAMPLE_HTTP_PORT", "9999")
    monkeypatch.setenv("EXAMPLE_MONGO_DB", "other")
    settings = Prefixed()
    assert (settings.http_port, settings.mongo_db) == (9999, "other")


class Item(BaseModel):
    amount_cents: int


def problem_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/items")
    async def create(item: Item) -> Item:
        if item.amount_cents == 0:
            raise Conflict("an item of 0 cents already exists", code="duplicate-item")
        if item.amount_cents < 0:
            raise RuntimeError("boom")
        return item

    return app


@pytest.fixture
async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=problem_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_problems_are_problem_json(client: httpx.AsyncClient) -> None:
    answer = await client.post("/items", json={"amount_cents": 0})
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "https://creditdesk.dev/problems/duplicate-item",
        "title": "Conflict",
        "status": 409,
        "detail": "an item of 0 cents already exists",
        "instance": "/items",
    }


async def test_validation_errors_name_each_field(client: httpx.AsyncClient) -> None:
    answer = await client.post("/items", json={"amount_cents": "twelve"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["errors"][0]["field"] == "amount_cents"
    assert "amount_cents" in body["detail"]


async def test_unknown_route_and_unexpected_errors_keep_the_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nowhere")
    assert (missing.status_code, missing.json()["title"]) == (404, "Not Found")
    crash = await client.post("/items", json={"amount_cents": -1})
    assert crash.status_code == 500
    assert "boom" not in crash.text  # internals are logged, not shown


def test_a_problem_carries_its_field_errors() -> None:
    problem = Problem("bad", errors=[{"field": "iban", "message": "bad checksum"}])
    assert problem.body()["errors"] == [{"field": "iban", "message": "bad checksum"}]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'{"amount_cents": 1 "x": 2}', "line 1, column 20: expecting ',' delimiter"),
        (b'{\n  "amount_cents": tru\n}', "line 2, column 19: expecting value"),
        (b'{"amount_cents": "\xff"}', "it cannot be read"),
    ],
)
async def test_an_unparsable_body_is_one_400_with_its_position_in_words(
    client: httpx.AsyncClient, content: bytes, where: str
) -> None:
    answer = await client.post("/items", content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["type"].endswith("/malformed-body")
    assert body["title"] == "Bad Request"
    assert where in body["detail"]
    assert body["errors"] == [{"field": "body", "message": body["errors"][0]["message"]}]


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 413, 422, 429, 499, 503])
def test_a_problem_is_titled_by_its_status(status: int) -> None:
    title = Problem("x", status=status, code="some-code").body()["title"]
    assert title == ({499: "Client Closed Request"}.get(status) or HTTPStatus(status).phrase)


class Transfer(BaseModel):
    iban: str
    amount_cents: int

    @classmethod
    def rule_errors(cls, body: dict[str, object]) -> list[dict[str, object]]:
        iban = body.get("iban")
        return [{"field": "iban", "message": "not French"}] if isinstance(iban, str) and iban[:2] != "FR" else []


async def test_schema_and_rule_errors_come_in_one_round() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/transfers")
    async def create(transfer: Transfer) -> Transfer:
        return transfer

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post("/transfers", json={"iban": "DE89370400440532013000"})
        assert answer.status_code == 422
        assert [e["field"] for e in answer.json()["errors"]] == ["amount_cents", "iban"]
        # A field the schema already refused is not reported twice.
        answer = await client.post("/transfers", json={"iban": 12})
        assert [e["field"] for e in answer.json()["errors"]] == ["iban", "amount_cents"]


def test_a_title_given_by_older_code_is_ignored_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="ADR 0031"):
        problem = Problem("x", status=409, title="Refused", code="busy")
    assert problem.body()["title"] == "Conflict"
