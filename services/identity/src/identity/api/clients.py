"""Routes of merchant API clients: a creditor registers, lists and revokes its
clients; a client gets an access token with the client-credentials grant."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from chassis.auth import CurrentCaller
from chassis.errors import Problem
from chassis.openapi import problems
from chassis.text import SingleLine
from identity.api import problems as p
from identity.api.deps import IdentityDep, JsonObject
from identity.domain.clients import ApiClient
from identity.handlers.clients import client_credentials_token, clients_of, register_client, revoke_client

router = APIRouter(tags=["merchant clients"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
ClientId = Annotated[str, Path(pattern=r"^cli_[0-9a-f]{24}$")]


class ClientCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Boutique Durand - web shop"}]})

    name: Annotated[str, SingleLine(max_length=100)] = Field(description="What the client is, for your own records.")


class ClientPublic(BaseModel):
    client_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class NewClientOut(ClientPublic):
    client_secret: str = Field(description="Shown this once: only its hash is kept.")


class ClientTokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds the access token lives (no refresh token: ask again).")


def client_public(client: ApiClient) -> ClientPublic:
    return ClientPublic(
        client_id=client.client_id, name=client.name, created_at=client.created_at, revoked_at=client.revoked_at
    )


@router.post(
    "/clients",
    status_code=status.HTTP_201_CREATED,
    response_model=NewClientOut,
    operation_id="register_api_client",
    responses=problems(*p.AUTH, p.NOT_A_USER, p.NOT_A_CREDITOR),
)
async def register(
    body: ClientCreate, caller: CurrentCaller, identity: IdentityDep, response: Response
) -> NewClientOut:
    """Register an API client for the calling creditor: its id, and its secret shown once."""
    created = await register_client(identity, caller, body.name)
    response.headers.update(NO_STORE)
    return NewClientOut(**client_public(created.client).model_dump(), client_secret=created.client_secret)


@router.get(
    "/clients",
    response_model=list[ClientPublic],
    operation_id="list_api_clients",
    responses=problems(*p.AUTH),
)
async def list_clients(caller: CurrentCaller, identity: IdentityDep) -> list[ClientPublic]:
    """The caller's API clients, revoked ones included (never their secrets)."""
    return [client_public(client) for client in await clients_of(identity, caller)]


@router.delete(
    "/clients/{client_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revoke_api_client",
    responses=problems(*p.AUTH, p.CLIENT_NOT_FOUND),
)
async def revoke(client_id: ClientId, caller: CurrentCaller, identity: IdentityDep) -> Response:
    """Revoke an API client: it gets no new token (tokens already issued expire within minutes)."""
    await revoke_client(identity, caller, client_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _basic(header: str) -> tuple[str | None, str | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 section 2.3.1: both are form-urlencoded before Basic encoding.
    return unquote(client_id), unquote(secret)


async def _token_request(request: Request) -> dict[str, str]:
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "application/json":
        try:
            parsed = json.loads(body or b"{}")
        except ValueError as error:
            raise Problem("the body is not valid JSON", code="invalid_request") from error
        if not isinstance(parsed, dict):
            raise Problem("the body must be a JSON object", code="invalid_request")
        return {str(k): v for k, v in parsed.items() if isinstance(v, str)}
    if content_type in ("application/x-www-form-urlencoded", ""):
        try:
            fields = parse_qs(body.decode(), strict_parsing=False, max_num_fields=10)
        except (UnicodeDecodeError, ValueError) as error:
            raise Problem("the form is not valid", code="invalid_request") from error
        return {name: values[0] for name, values in fields.items() if values}
    raise Problem("send application/x-www-form-urlencoded (or JSON)", status=415, code="invalid_request")


TOKEN_FORM: JsonObject = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string", "description": "Or in HTTP Basic."},
        "client_secret": {"type": "string", "description": "Or in HTTP Basic."},
    },
}


@router.post(
    "/oauth/token",
    response_model=ClientTokenOut,
    operation_id="client_credentials_token",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": TOKEN_FORM},
                "application/json": {"schema": TOKEN_FORM},
            },
        }
    },
    responses=problems(p.INVALID_REQUEST, p.UNSUPPORTED_GRANT, p.INVALID_CLIENT, p.NOT_A_FORM),
)
async def token(request: Request, identity: IdentityDep, response: Response) -> ClientTokenOut:
    """OAuth 2.0 client-credentials grant: an access token (role `merchant`, subject the creditor)."""
    fields = await _token_request(request)
    basic_id, basic_secret = _basic(request.headers.get("authorization", ""))
    issued = await client_credentials_token(
        identity,
        fields.get("grant_type"),
        basic_id or fields.get("client_id"),
        basic_secret or fields.get("client_secret"),
    )
    response.headers.update(NO_STORE)
    return ClientTokenOut(access_token=issued.access_token, expires_in=issued.expires_in)
