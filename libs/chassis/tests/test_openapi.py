"""The chassis's OpenAPI completion: error codes as problem+json examples, bodies' examples."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

from chassis.openapi import ErrorCode, install_openapi, problems

NOT_FOUND = ErrorCode("item-not-found", 404, "No such item")
GONE = ErrorCode("item-gone", 404, "The item was deleted")


class Company(BaseModel):
    siret: str
    company_name: str
    amount_cents: int
    note: str | None = None


class Unknowable(BaseModel):
    mystery: str


def app() -> FastAPI:
    api = FastAPI()

    @api.post("/companies", response_model=Company, responses=problems(NOT_FOUND, GONE))
    async def create(company: Company) -> Company:
        return company

    @api.get("/mystery", response_model=Unknowable)
    async def mystery() -> Unknowable:
        return Unknowable(mystery="x")

    install_openapi(api)
    return api


def test_each_code_is_an_example_of_its_status_and_bodies_get_examples() -> None:
    document = app().openapi()
    operation = document["paths"]["/companies"]["post"]
    not_found = operation["responses"]["404"]["content"]["application/problem+json"]["examples"]
    assert set(not_found) == {"item-not-found", "item-gone"}
    assert not_found["item-gone"]["value"]["title"] == "Not Found"
    # A body implies the malformed-body and validation problems, and FastAPI's 422 shape is gone.
    assert "malformed-body" in operation["responses"]["400"]["content"]["application/problem+json"]["examples"]
    assert "validation" in operation["responses"]["422"]["content"]["application/problem+json"]["examples"]
    assert "HTTPValidationError" not in str(document)
    example = operation["requestBody"]["content"]["application/json"]["example"]
    assert example == {
        "siret": "73282932000074",
        "company_name": "Boulangerie Martin",
        "amount_cents": 10000,
        "note": None,
    }


def test_a_field_nothing_can_fill_leaves_the_body_without_example() -> None:
    media = app().openapi()["paths"]["/mystery"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "example" not in media
