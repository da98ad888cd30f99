"""What routes share: identity's handlers' context, the client's address, the 422 of a refused password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from chassis import clientaddress
from chassis.errors import Problem
from identity.handlers import Identity
from identity.handlers.recovery import PasswordRefused

# A JSON object that is free-form on purpose: an OpenAPI fragment, or a body the route documents by
# example rather than by a model (the JWKS, RFC 7517, typed `domain.keys.Jwks` behind the route).
JsonObject = dict[str, Any]


def get_identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]


def client_address(request: Request) -> str:
    """The client's address (`chassis.clientaddress`): the one the gateway signed,
    else the socket peer; a client's own X-Forwarded-For counts for nothing."""
    identity = get_identity(request)
    return clientaddress.of_request(request, identity.settings, identity.now())


ClientAddress = Annotated[str, Depends(client_address)]


def password_problem(refused: PasswordRefused) -> Problem:
    errors = [{"field": field, "message": m} for field, messages in refused.errors.items() for m in messages]
    return Problem(str(refused), status=422, code="validation", errors=errors)
