"""What routes share: identity's adapters, the client's address, problem docs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from chassis.errors import Problem
from identity.handlers import Identity
from identity.handlers.recovery import PasswordRefused

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


def problem(description: str) -> dict[str, Any]:
    return {"description": description, **PROBLEM}


def get_identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]


def client_address(request: Request) -> str:
    """The client's address. Behind the gateway (setting `behind_gateway`), the
    last X-Forwarded-For entry: the one the gateway itself appended, which a
    client cannot forge; otherwise the socket peer."""
    identity = get_identity(request)
    if identity.settings.behind_gateway:
        entries = [entry.strip() for entry in request.headers.get("x-forwarded-for", "").split(",")]
        entries = [entry for entry in entries if entry]
        if entries:
            return entries[-1]
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


def password_problem(refused: PasswordRefused) -> Problem:
    errors = [{"field": field, "message": m} for field, messages in refused.errors.items() for m in messages]
    return Problem(str(refused), status=422, title="Invalid password", code="validation", errors=errors)
