"""What the portal's pages depend on: the gateway client, the session store, the clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypedDict, Unpack

from chassis.clock import Clock, SystemClock

__all__ = ["Api", "ApiAnswer", "ApiProblem", "Clock", "Session", "SessionStore", "SystemClock"]


@dataclass
class Session:
    """One browser's server-side session. The cookie holds only `id`; the tokens
    never leave the server."""

    id: str
    csrf_secret: str
    created_at: datetime
    expires_at: datetime
    locale: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    account_id: str | None = None
    email: str | None = None
    # Identity's roles plus the account kind (member, customer, staff...): what navigation shows.
    roles: list[str] = field(default_factory=list)
    # What pages need of the account without asking again (display name, person kind...).
    claims: dict[str, Any] = field(default_factory=dict)
    # Messages shown once on the next rendered page: (level, text).
    flashes: list[tuple[str, str]] = field(default_factory=list)
    # Set when anything above changed: the web layer saves the session after the response is built.
    dirty: bool = False
    # Not stored yet (no cookie was ever sent for it).
    new: bool = False

    @property
    def logged_in(self) -> bool:
        return self.access_token is not None

    def flash(self, text: str, level: str = "info") -> None:
        self.flashes.append((level, text))
        self.dirty = True

    def pop_flashes(self) -> list[tuple[str, str]]:
        shown, self.flashes = self.flashes, []
        if shown:
            self.dirty = True
        return shown

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class SessionStore(Protocol):
    async def load(self, session_id: str, now: datetime) -> Session | None:
        """The unexpired session of that id, or None."""
        ...

    async def save(self, session: Session) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def purge_expired(self, now: datetime) -> int: ...


@dataclass(frozen=True)
class ApiProblem:
    """A problem+json answer of the API, its field errors keyed by form field name."""

    status: int
    detail: str
    code: str | None = None
    title: str | None = None
    field_errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: Any  # parsed JSON, or None
    headers: Mapping[str, str]
    content: bytes
    problem: ApiProblem | None  # None on 2xx

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ApiRequest(TypedDict, total=False):
    """What one call sends besides its method and path (httpx's names), every part optional."""

    json: Any
    data: Mapping[str, Any] | None
    files: Any
    content: bytes | None
    params: Mapping[str, Any] | None
    headers: Mapping[str, str] | None


class Api(Protocol):
    async def call(self, session: Session | None, method: str, path: str, **request: Unpack[ApiRequest]) -> ApiAnswer:
        """One call of the gateway's public API as the session's user (or anonymously)."""
        ...

    async def aclose(self) -> None: ...
