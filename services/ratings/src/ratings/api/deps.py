"""What ratings' routes are given: the ports every handler takes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from ratings.ports import RatingsPorts


def get_ports(request: Request) -> RatingsPorts:
    ports: RatingsPorts = request.app.state.ports
    return ports


PortsDep = Annotated[RatingsPorts, Depends(get_ports)]


def problem(description: str, example: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAPI response of problem+json, with an example body."""
    body = example or {
        "type": "https://creditdesk.dev/problems/...",
        "title": "...",
        "status": 0,
        "detail": description,
    }
    return {"description": description, "content": {"application/problem+json": {"example": body}}}


Responses = dict[int | str, dict[str, Any]]
AUTH: Responses = {401: problem("No valid access token")}
INVALID: Responses = {422: problem("Bad input: every problem is listed in `errors`, each with its field")}
UNKNOWN_PORTFOLIO: Responses = {404: problem("No such portfolio, or not one the caller may see")}
NO_ACCOUNT: Responses = {
    409: problem(
        "The caller has no provider account connected: the detail says how to connect one",
        {
            "type": "https://creditdesk.dev/problems/no-provider-account",
            "title": "Conflict",
            "status": 409,
            "detail": "connect your provider account first: PUT /api/ratings/provider-account ...",
        },
    )
}
PROVIDER_DOWN: Responses = {
    503: problem("The provider is unreachable or rate-limits us: retry after Retry-After seconds")
}
