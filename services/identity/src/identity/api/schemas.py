"""Request and response bodies of identity's routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from identity.domain.accounts import Civility

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AddressIn(BaseModel):
    line: Name = Field(description="Main address.")
    complement: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] = Field(description="5-digit French code.")
    city: Name


class AccountCreate(BaseModel):
    """RegisterAccount: a natural or a legal person."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "marie.durand@example.fr",
                    "password": "Correct-Horse-9",
                    "password_confirmation": "Correct-Horse-9",
                    "person_kind": "natural",
                    "civility": "mrs",
                    "last_name": "Durand",
                    "first_name": "Marie",
                    "address": {"line": "12 rue de la Paix", "postal_code": "75002", "city": "Paris"},
                },
                {
                    "email": "compta@acme.fr",
                    "password": "Correct-Horse-9",
                    "password_confirmation": "Correct-Horse-9",
                    "person_kind": "legal",
                    "company_name": "ACME",
                    "legal_form": "SAS",
                    "siret": "73282932000074",
                    "address": {"line": "1 avenue des Champs", "postal_code": "75008", "city": "Paris"},
                },
            ]
        }
    )

    email: EmailStr
    password: str = Field(max_length=256)
    password_confirmation: str = Field(max_length=256)
    person_kind: Literal["natural", "legal"]
    civility: Civility | None = None
    last_name: Name | None = None
    first_name: Name | None = None
    company_name: Name | None = None
    legal_form: Name | None = None
    siret: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[\d ]{14,17}$")] | None = None
    address: AddressIn


class Accepted(BaseModel):
    message: str


class ActivationIn(BaseModel):
    token: str = Field(min_length=10, max_length=200)


class ActivationOut(BaseModel):
    status: Literal["active"]
    message: str


class Credentials(BaseModel):
    email: EmailStr
    password: str = Field(max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class AccountPublic(BaseModel):
    account_id: str
    email: str
    person_kind: str
    display_name: str
    status: str
