"""What every service's OpenAPI document says beyond FastAPI's defaults (issue #15).

- **Error codes.** A route declares the problems it can answer with
  `problems(*codes)` (`ErrorCode`: code, status, when): one response per status,
  `application/problem+json`, with one example body per code. Every route with a
  body also gets `400 malformed-body` and `422 validation`, with parameters `422
  validation` (FastAPI's own 422, whose schema is not what we answer, is replaced).
- **Examples.** Every JSON request and response body carries an example: the
  model's own (`json_schema_extra={"examples": [...]}`) when it has one, else one
  built from its schema, each field from its own example, default or enum, or
  from `SAMPLES` by its name (a French company, person, address, IBAN, order).
  A field nothing can fill leaves the body without example, which the docs test
  (`tests/docs/test_openapi_examples.py`) reports: give the field an example.

`install_openapi(app)` wires both in `app.openapi()` (the chassis app factory
does it for every service).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from chassis.errors import MALFORMED_BODY, PROBLEM_JSON, title_of

PROBLEM_SCHEMA = "Problem"
# The chassis's own routes (health, readiness, metrics, AsyncAPI): no business problem.
OPERATIONAL_TAGS = {"operations"}
PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"}


@dataclass(frozen=True)
class ErrorCode:
    """A problem a route can answer: its `code` (the problem `type`'s last segment), status and when."""

    code: str
    status: int
    when: str

    def example(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://creditdesk.dev/problems/{self.code}",
            "title": title_of(self.status),
            "status": self.status,
            "detail": self.when,
        }
        return body


# Problems every service can answer, named once.
MISSING_TOKEN = ErrorCode("missing-token", 401, "No bearer token")
INVALID_TOKEN = ErrorCode("invalid-token", 401, "The bearer token is expired, revoked or badly signed")
UNAUTHENTICATED = (MISSING_TOKEN, INVALID_TOKEN)
TOO_LARGE = ErrorCode("request-too-large", 413, "The body is larger than the route accepts (MAX_BODY_BYTES)")
MONGO_DOWN = ErrorCode("mongo-unavailable", 503, "The database is unreachable: retry after `Retry-After`")
VALIDATION = ErrorCode("validation", 422, "A field is missing or invalid: `errors` names each one")
MALFORMED = ErrorCode(MALFORMED_BODY, 400, "The body is not valid JSON: the detail gives the line and column")
RATE_LIMITED = ErrorCode("rate-limited", 429, "Too many requests from this address: retry after `Retry-After`")


def problems(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: its problems by status, each code an example."""
    by_status: dict[int, list[ErrorCode]] = {}
    for code in codes:
        by_status.setdefault(code.status, []).append(code)
    return {status: _response(listed) for status, listed in sorted(by_status.items())}


def _response(codes: list[ErrorCode]) -> dict[str, Any]:
    return {
        "description": "; ".join(f"`{c.code}`: {c.when}" for c in codes),
        "content": {
            PROBLEM_JSON: {
                "schema": PROBLEM_REF,
                "examples": {c.code: {"summary": c.when, "value": c.example()} for c in codes},
            }
        },
    }


PROBLEM_COMPONENT: dict[str, Any] = {
    "title": PROBLEM_SCHEMA,
    "description": "RFC 9457 problem details; `type` ends with the problem's code.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string", "description": "The status's phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "examples": [
        {
            "type": "https://creditdesk.dev/problems/validation",
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "siret: is not a valid SIRET (14 digits with a valid checksum)",
            "instance": "/accounts",
            "errors": [{"field": "siret", "message": "is not a valid SIRET (14 digits with a valid checksum)"}],
        }
    ],
}

# Realistic values by field name: one French creditor (Boulangerie Martin, Lyon),
# its manager Jeanne Martin, a buyer Paul Lefebvre and his order.
SAMPLES: dict[str, Any] = {
    "email": "jeanne.martin@boulangerie-martin.fr",
    "buyer_email": "paul.lefebvre@orange.fr",
    "payer_email": "paul.lefebvre@orange.fr",
    "password": "Correct-Horse-9!",
    "password_confirmation": "Correct-Horse-9!",
    "current_password": "Correct-Horse-9!",
    "new_password": "Battery-Staple-7?",
    "company_name": "Boulangerie Martin",
    "legal_form": "SARL",
    "siret": "73282932000074",
    "siren": "732829320",
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "iban_masked": "FR14 **** **** **** **** ***2 606",
    "bic": "PSSTFRPPXXX",
    "holder_name": "Jeanne Martin",
    "debtor_name": "Jeanne Martin",
    "first_name": "Jeanne",
    "last_name": "Martin",
    "display_name": "Boulangerie Martin",
    "name": "Boulangerie Martin",
    "buyer_name": "Paul Lefebvre",
    "merchant": "Boulangerie Martin",
    "line": "12 rue de la République",
    "complement": "Bâtiment B",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "FR",
    "order_number": "CMD-2026-00042",
    "schedule_id": "sch_5f2b9c0e8d7a4b1c9e3f6a2d4b8c0e1f",
    "account_id": "8f14e45fceea167a5a36dedd4bea2543",
    "client_id": "cli_2c9e1f7a4b8d",
    "invitation_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "claim_id": "c1a2b3c4d5e6f708192a3b4c5d6e7f80",
    "payment_id": "sch_5f2b9c0e8d7a4b1c9e3f6a2d4b8c0e1f:installment:1:1",
    "legacy_id": "CLI-004217",
    "mobile": "06 12 34 56 78",
    "mobile_masked": "061*******78",
    "phone": "+33 4 78 00 00 00",
    "token": "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE",
    "ticket": "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE",
    "code": "482915",
    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiI4ZjE0ZTQ1ZiJ9.c2lnbmF0dXJl",
    "refresh_token": "rt_Zk3pM1hY8aEq8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJr",
    "token_type": "Bearer",
    "client_secret": "cs_9d8c7b6a5f4e3d2c1b0a",
    "number": "4242424242424242",
    "last4": "4242",
    "brand": "visa",
    "expiry": "12/2030",
    "reference": "CD-8F14E45F-0001",
    "creditor_identifier": "FR72ZZZ123456",
    "version": "2026-01",
    "message": "Your request is taken into account.",
    "detail": "The details of this item.",
    "status": "active",
    "reason": "card_declined",
    "last_decline": "card_declined",
    "title": "Manage bank details",
    "extract": "JVBERi0xLjQKJSBFeHRyYWl0IEtiaXMKJSVFT0YK",
    "submit_to": "/api/identity/recovery/complete",
    "subject": "Votre échéance du 29/12/2026",
    "text": "Bonjour, votre échéance de 100,00 EUR a été prélevée.",
    "url": "https://creditdesk.dev/terms/2026-01",
    "changed_by": "8f14e45fceea167a5a36dedd4bea2543",
    "recorded_by": "8f14e45fceea167a5a36dedd4bea2543",
    "scheme": "CORE",
    "sequence": "FRST",
    "account_kind": "member",
    "person_kind": "legal",
    "actor_email": "support@creditdesk.dev",
    "login": "jeanne.martin@boulangerie-martin.fr",
    "migration_token": "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE",
    "action": "rights-changed",
    "company_id": "732829320",
    "payment_ids": "sch_5f2b9c0e8d7a4b1c9e3f6a2d4b8c0e1f:installment:1:1",
    "errors": "line 3: siret: is not a valid SIRET",
    "roles": "merchant",
    "role": "admin",
    "my_role": "admin",
    "actor": "8f14e45fceea167a5a36dedd4bea2543",
    "actor_id": "8f14e45fceea167a5a36dedd4bea2543",
    "invited_by": "8f14e45fceea167a5a36dedd4bea2543",
    "target": "c4ca4238a0b923820dcc509a6f75849b",
    "id": "66f1c2a9e4b0a1b2c3d4e5f6",
    "before": {"rights": ["bank-details"]},
    "after": {"rights": ["bank-details", "orders"]},
    "body": "Bonjour Madame Martin, votre relevé de décembre est disponible.",
    "inviter_name": "Jeanne Martin",
    "invitee_name": "Paul Lefebvre",
    "media_type": "application/pdf",
    "next": "/api/identity/legacy/migrations",
    "next_step": "bank_details",
    "read_at": "GET /api/billing/terms",
}
FORMATS: dict[str, Any] = {
    "date": "2026-12-29",
    "date-time": "2026-12-02T09:30:00Z",
    "email": SAMPLES["email"],
    "uuid": "3f2b9c0e-8d7a-4b1c-9e3f-6a2d4b8c0e1f",
    "uri": "https://creditdesk.dev/",
    "password": SAMPLES["password"],
}
_MISSING = object()


class _Builder:
    def __init__(self, components: dict[str, Any]) -> None:
        self._components = components

    def build(self, schema: dict[str, Any], name: str | None = None, depth: int = 0) -> Any:
        """An example of `schema` (a field called `name`), or _MISSING when nothing can fill it."""
        if depth > 40:  # a recursive schema
            return _MISSING
        if "$ref" in schema:
            target = self._components.get(schema["$ref"].rsplit("/", 1)[-1], {})
            return self.build(target, name, depth + 1)
        for key in ("example", "const"):
            if key in schema:
                return schema[key]
        if schema.get("examples"):
            return copy.deepcopy(schema["examples"][0])
        if schema.get("default") is not None:
            return schema["default"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            options = [o for o in schema.get(key, []) if o.get("type") != "null"]
            if options:
                built = self.build(options[0], name, depth + 1)
                nullable = len(options) < len(schema[key])
                return None if built is _MISSING and nullable else built
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            item = self.build(schema.get("items", {}), name, depth + 1)
            return _MISSING if item is _MISSING else [item]
        if kind == "string":
            if name in SAMPLES:
                return SAMPLES[name]
            return FORMATS.get(schema.get("format", ""), _MISSING)
        if kind == "integer":
            if name and name.endswith("_cents"):
                return 10000
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "number":
            return float(schema.get("minimum", 1))
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return SAMPLES.get(name or "", _MISSING)  # any value: only its name can tell

    def _object(self, schema: dict[str, Any], depth: int) -> Any:
        required = set(schema.get("required", []))
        value: dict[str, Any] = {}
        for field, sub in schema.get("properties", {}).items():
            built = self.build(sub, field, depth + 1)
            if built is _MISSING:
                if field in required:
                    return _MISSING
                continue
            value[field] = built
        extra = schema.get("additionalProperties")
        if not value and isinstance(extra, dict):
            built = self.build(extra, None, depth + 1)
            if built is not _MISSING:
                value["1"] = built
        return value


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Adds the problem responses and the examples to a FastAPI OpenAPI document."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[PROBLEM_SCHEMA] = PROBLEM_COMPONENT
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    builder = _Builder(components)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            _add_problems(operation)
            bodies = [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
            for body in bodies:
                for media_type, media in body.get("content", {}).items():
                    if media_type.endswith("json") and "example" not in media and "examples" not in media:
                        example = builder.build(media.get("schema", {}))
                        if example is not _MISSING:
                            media["example"] = example
    return document


def _add_problems(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    implied: list[ErrorCode] = []
    if not OPERATIONAL_TAGS & set(operation.get("tags", [])):
        implied.append(MONGO_DOWN)
    if "requestBody" in operation:
        implied += [MALFORMED, VALIDATION, TOO_LARGE]
    elif operation.get("parameters"):
        implied.append(VALIDATION)
    default_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
    if "HTTPValidationError" in str(default_422.get("schema", "")):
        del responses["422"]
    for status, response in problems(*implied).items():
        existing = responses.setdefault(str(status), response)
        if existing is not response:
            examples = existing.setdefault("content", {}).setdefault(PROBLEM_JSON, {})
            examples.setdefault("schema", PROBLEM_REF)
            examples.setdefault("examples", {})
            for code, example in response["content"][PROBLEM_JSON]["examples"].items():
                if code not in examples["examples"]:
                    examples["examples"][code] = example
                    existing["description"] = f"{existing['description']}; `{code}`: {example['summary']}"


def install_openapi(app: FastAPI) -> None:
    """`app.openapi()` returns the completed document (built once, like FastAPI's)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
