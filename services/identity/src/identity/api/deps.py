"""What routes share: identity's handlers' context, the client's address, the 422 of a refused password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from chassis import clientaddress
from chassis.errors import invalid, problem_response
from identity.domain.problems import Refused
from identity.handlers import Identity

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


async def on_refused(request: Request, error: Exception) -> JSONResponse:
    """A command its rules refused (`domain.problems.Refused`): the 422 naming every problem."""
    assert isinstance(error, Refused)
    return problem_response(invalid(str(error), error.field_errors()), request.url.path)
