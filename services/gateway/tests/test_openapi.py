"""The merged OpenAPI document: prefixed paths, renamed components, services that are down."""

from __future__ import annotations

import json
from typing import Any

from gateway.openapi import OpenApiAggregator, merge_documents, prefix_service_document
from gateway.proxy import UpstreamError


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in all_refs(item)]
    return []


async def test_merged_document_prefixes_paths_and_renames_schemas(gateway: Any) -> None:
    async with gateway(down=("teams",)) as gw:
        response = await gw.client.get("/openapi.json")
        docs = await gw.client.get("/docs")

    assert response.status_code == 200
    doc = response.json()
    # The gateway's own routes are there, unprefixed.
    assert {"/health", "/ready", "/metrics"} <= doc["paths"].keys()
    # Each available service's paths, prefixed.
    for service in ("identity", "billing", "recovery", "ratings"):
        assert f"/api/{service}/items" in doc["paths"]
        assert f"/api/{service}/items/{{item_id}}" in doc["paths"]
    assert not any(path.startswith("/api/teams/") for path in doc["paths"])
    assert doc["x-unavailable-services"] == ["teams"]

    schemas = doc["components"]["schemas"]
    assert {"Billing_Item", "Billing_Tag", "Billing_Cat", "Billing_Dog", "Billing_HTTPValidationError"} <= set(schemas)
    assert not {"Item", "Tag"} & set(schemas)
    item = schemas["Billing_Item"]
    assert item["properties"]["tags"]["items"]["$ref"] == "#/components/schemas/Billing_Tag"
    # Every reference in the document points at a component that exists.
    for ref in all_refs(doc):
        section, name = ref.removeprefix("#/components/").split("/", 1)
        assert name in doc["components"][section], ref
    assert "Billing_Cat" in json.dumps(item)  # discriminated union rewritten too

    create = doc["paths"]["/api/billing/items"]["post"]
    assert create["operationId"] == "billing_create_item"
    assert create["tags"] == ["items"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/Billing_Item"
    )
    operation_ids = [
        operation["operationId"]
        for item in doc["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert "items" in {tag["name"] for tag in doc["tags"]}

    assert docs.status_code == 200
    assert "/openapi.json" in docs.text


async def test_service_documents_are_cached(gateway: Any, upstream_state: Any) -> None:
    async with gateway() as gw:
        before = upstream_state.openapi_fetches
        first = await gw.client.get("/openapi.json")
        second = await gw.client.get("/openapi.json")
    assert first.json() == second.json()
    assert first.json()["x-unavailable-services"] == []
    assert upstream_state.openapi_fetches - before == 5  # once per service, not per request


async def test_aggregator_refetches_after_failure_and_after_ttl() -> None:
    now = [0.0]
    calls: list[str] = []
    failing = {"billing"}

    async def fetch(service: str) -> dict[str, Any]:
        calls.append(service)
        if service in failing:
            raise UpstreamError("billing is unreachable: refused")
        return {"openapi": "3.1.0", "paths": {}}

    aggregator = OpenApiAggregator(fetch, ["billing", "teams"], ttl=60, clock=lambda: now[0])
    assert await aggregator.documents() == {"billing": None, "teams": {"openapi": "3.1.0", "paths": {}}}
    failing.clear()
    now[0] = 1
    assert (await aggregator.documents())["billing"] is not None  # failure: fetched again at once
    assert calls == ["billing", "teams", "billing"]
    now[0] = 59
    await aggregator.documents()
    assert len(calls) == 3
    now[0] = 62
    await aggregator.documents()
    assert sorted(calls[3:]) == ["billing", "teams"]


def test_security_schemes_and_discriminator_mappings_follow_the_renaming() -> None:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "security": [{"bearer": []}],
        "paths": {
            "/pets": {
                "get": {"operationId": "list_pets", "responses": {"200": {"$ref": "#/components/responses/Pets"}}},
                "post": {"operationId": "add_pet", "security": []},
            }
        },
        "components": {
            "schemas": {
                "Pet": {
                    "oneOf": [{"$ref": "#/components/schemas/Cat"}],
                    "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}},
                },
                "Cat": {"type": "object"},
            },
            "responses": {"Pets": {"description": "pets", "content": {}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    part = prefix_service_document("recovery", doc)
    pets = part.paths["/api/recovery/pets"]
    assert pets["get"]["security"] == [{"Recovery_bearer": []}]
    assert pets["post"]["security"] == []  # an explicit "no auth" stays so
    assert pets["get"]["responses"]["200"]["$ref"] == "#/components/responses/Recovery_Pets"
    pet = part.components["schemas"]["Recovery_Pet"]
    assert pet["discriminator"]["mapping"] == {"cat": "#/components/schemas/Recovery_Cat"}
    assert set(part.components["securitySchemes"]) == {"Recovery_bearer"}
    assert doc["components"]["schemas"]["Pet"]["oneOf"][0]["$ref"] == "#/components/schemas/Cat"  # input untouched


def test_malformed_service_document_is_listed_unavailable() -> None:
    merged = merge_documents(
        {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}},
        {"billing": {"paths": {"/x": {"get": "not an operation"}}}, "teams": None},
    )
    assert merged["x-unavailable-services"] == ["billing", "teams"]
    assert merged["paths"] == {}
