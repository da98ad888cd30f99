"""Issue #15, 6: every exported OpenAPI document gives an example of every JSON
request and response body, and every business route documents its error codes
(problem+json, one example per `code`, titled by its status); the AsyncAPI
documents carry no FastStream artefact.

Walks docs/ as exported (`make docs`), so it covers every service, recovery's
and ratings' routes too as they come. Routes tagged `operations` (health,
readiness, metrics, AsyncAPI) are the chassis's own and answer no business error."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from devstack.docs import SERVICES

# A real adapter at work (PDF rendering, an HTTP server, the OpenAPI export): in `make test`, not `make test-unit`.
pytestmark = pytest.mark.adapter

DOCS = Path(__file__).resolve().parents[2] / "docs"
OPERATIONAL = {"operations", "gateway"}
PHRASES = {499: "Client Closed Request"}


def operations(name: str) -> list[tuple[str, dict[str, Any]]]:
    document = json.loads((DOCS / "openapi" / f"{name}.json").read_text())
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def business(operation: dict[str, Any]) -> bool:
    return not OPERATIONAL & set(operation.get("tags", []))


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_every_json_body_has_an_example(name: str) -> None:
    missing = []
    for label, operation in operations(name):
        bodies = {"request": operation.get("requestBody", {})} | operation.get("responses", {})
        for which, body in bodies.items():
            for media_type, media in body.get("content", {}).items():
                if media_type == "application/json" and "example" not in media and not media.get("examples"):
                    missing.append(f"{label} {which} {media_type}")
    assert not missing, "bodies without example:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", SERVICES)
def test_every_business_route_documents_its_error_codes(name: str) -> None:
    undocumented = []
    for label, operation in operations(name):
        if not business(operation):
            continue
        errors = {s: r for s, r in operation.get("responses", {}).items() if int(s) >= 400}
        if not errors:
            undocumented.append(f"{label}: no error response")
        for status, response in errors.items():
            examples = response.get("content", {}).get("application/problem+json", {}).get("examples", {})
            if not examples:
                undocumented.append(f"{label} {status}: no problem+json example naming its code")
            for code, example in examples.items():
                body = example["value"]
                assert body["type"].endswith(f"/{code}"), (label, code)
                assert body["status"] == int(status), (label, code)
                phrase = PHRASES.get(int(status)) or HTTPStatus(int(status)).phrase
                assert body["title"] == phrase, (label, code, body["title"])
    assert not undocumented, "\n".join(undocumented)


@pytest.mark.parametrize("name", SERVICES)
def test_no_route_documents_fastapis_validation_shape(name: str) -> None:
    document = (DOCS / "openapi" / f"{name}.json").read_text()
    assert "HTTPValidationError" not in document  # we answer problem+json, never that


@pytest.mark.parametrize("name", SERVICES)
def test_the_asyncapi_documents_carry_no_faststream_artefact(name: str) -> None:
    assert "EmptyPayload" not in (DOCS / "asyncapi" / f"{name}.json").read_text()


# Codes raised in a service's code that no route answers: each with why.
NEVER_ANSWERED = {
    # A debit run meeting a recorded attempt: internal to the debit path. The fee ledger's own
    # refusals (a fee of no cents or of another creditor, collecting without a signed or with a lapsed
    # mandate) guard the FeeIncurred consumer and the collection job, which no route reaches.
    "billing": {"debit-recorded", "fee-amount", "fee-creditor", "no-signed-mandate", "mandate-lapsed"},
    "teams": {"not-company-member"},  # the route answers company-not-found first (spaces hide from non-members)
}
RAISED = (
    re.compile(r'code="([a-z0-9_-]+)"'),
    re.compile(r'(?:TeamsRefused|InvitationRefused)\(\s*"([a-z0-9_-]+)"'),
)


@pytest.mark.parametrize("name", SERVICES)
def test_every_code_a_service_raises_is_documented_on_a_route(name: str) -> None:
    """Iterates the error codes in the service's code: each is an example of some route's problems."""
    business_routes = [op for _, op in operations(name) if business(op)]
    assert business_routes, f"{name} has no business route"
    documented = {
        code
        for operation in business_routes
        for response in operation.get("responses", {}).values()
        for code in response.get("content", {}).get("application/problem+json", {}).get("examples", {})
    }
    source = Path(__file__).resolve().parents[2] / "services" / name / "src"
    raised = {code for f in source.rglob("*.py") for pattern in RAISED for code in pattern.findall(f.read_text())}
    assert raised - documented - NEVER_ANSWERED.get(name, set()) == set()


@pytest.mark.parametrize("name", SERVICES)
def test_every_example_is_valid_against_its_schema(name: str) -> None:
    document = json.loads((DOCS / "openapi" / f"{name}.json").read_text())
    invalid = []
    for label, operation in operations(name):
        bodies = {"request": operation.get("requestBody", {})} | operation.get("responses", {})
        for which, body in bodies.items():
            for media in body.get("content", {}).values():
                if "example" not in media or "schema" not in media:
                    continue
                schema = {**media["schema"], "components": document.get("components", {})}
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(media["example"]))
                invalid += [f"{label} {which}: {e.message}" for e in errors]
    assert not invalid, "\n".join(invalid)
