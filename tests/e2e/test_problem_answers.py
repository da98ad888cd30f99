"""Issue #15, 3: errors that do not mislead, through the gateway.

Every unparsable body gets one answer in every service: 400 `malformed-body`,
with the position in words, never a byte offset shown as a field name. Every
problem's title is its status's phrase."""

from __future__ import annotations

from http import HTTPStatus

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor, eventually

pytestmark = pytest.mark.e2e
BROKEN = b'{"version": "2026-01" "other": 1}'  # a comma missing at column 23


def malformed(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["type"].endswith("/malformed-body")
    assert body["title"] == "Bad Request"
    assert [e["field"] for e in body["errors"]] == ["body"]
    detail: str = body["detail"]
    return detail


async def test_an_unparsable_body_gets_400_with_its_position_in_every_service(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, auth = await activated_creditor(stack, http)
        json_headers = {**auth, "Content-Type": "application/json"}
        routes = [
            ("POST", "/api/identity/accounts"),
            ("POST", "/api/identity/sessions"),
            ("PUT", "/api/billing/profiles/me/terms-acceptance"),
            ("POST", "/api/billing/schedules"),
            ("POST", "/api/teams/companies"),
        ]
        for method, path in routes:
            detail = malformed(await http.request(method, path, content=BROKEN, headers=json_headers))
            assert "line 1, column 23: expecting ',' delimiter" in detail, (path, detail)
            # Not UTF-8 at all: the same answer, not a 422.
            malformed(await http.request(method, path, content=b'{"version": "\xff\xfe"}', headers=json_headers))
        multiline = b'{\n  "version": "2026-01",\n  "x": tru\n}'
        detail = malformed(
            await http.put("/api/billing/profiles/me/terms-acceptance", content=multiline, headers=json_headers)
        )
        assert "line 3, column 8" in detail, detail


async def test_each_problem_is_titled_by_its_status(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, auth = await activated_creditor(stack, http)

        async def claimed() -> httpx.Response | None:
            body = {"siren": "552100554", "mobile": "06 12 34 56 78", "extract": "JVBERi0xLjQK"}
            answer = await http.post("/api/teams/companies", json=body, headers=auth)
            return None if answer.status_code == 409 and "account-not-synchronised" in answer.text else answer

        answers = {
            "not-the-company-account": await eventually(claimed),
            "terms-version": await http.put(
                "/api/billing/profiles/me/terms-acceptance", json={"version": "2025-01"}, headers=auth
            ),
            "no-such-schedule": await http.get("/api/billing/schedules/sch_unknown", headers=auth),
            "activation-token-invalid": await http.get(
                "/api/identity/accounts/activation", params={"token": "not-a-live-token"}
            ),
            "validation": await http.post("/api/identity/accounts", json={"email": "x@example.fr"}),
        }
        seen = {}
        for code, answer in answers.items():
            body = answer.json()
            seen[code] = body["status"]
            assert body["title"] == HTTPStatus(answer.status_code).phrase, (code, body)
        assert seen["not-the-company-account"] == 403
        assert seen["terms-version"] == 422
        assert seen["no-such-schedule"] == 404
        assert seen["activation-token-invalid"] == 400  # was titled "Invalid activation link"
        assert seen["validation"] == 422  # was titled "Invalid request"


async def test_the_gateways_openapi_documents_error_codes_and_examples(running_services: Stack) -> None:
    """Issue #15, 6, as a client reads it: the merged document at the gateway."""
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=60) as http:
        answer = await http.get("/openapi.json")
        assert answer.status_code == 200, answer.text
        document = answer.json()
    register = document["paths"]["/api/identity/accounts"]["post"]
    assert register["requestBody"]["content"]["application/json"].get("examples") or register["requestBody"]["content"][
        "application/json"
    ].get("example")
    codes = register["responses"]["422"]["content"]["application/problem+json"]["examples"]
    assert "validation" in codes
    assert "malformed-body" in register["responses"]["400"]["content"]["application/problem+json"]["examples"]
    regularise = document["paths"]["/api/billing/schedules/{schedule_id}/regularisation"]["post"]
    refusals = regularise["responses"]["422"]["content"]["application/problem+json"]["examples"]
    assert {"expires-before-last-installment", "brand-not-accepted", "card-invalid"} <= set(refusals)
    assert regularise["responses"]["200"]["content"]["application/json"]["example"]["schedule_id"].startswith("sch_")
