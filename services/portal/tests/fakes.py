"""In-memory fakes of the portal's ports (`portal.ports.Api`, `portal.ports.SessionStore`) and
the answers the gateway gives, for tests without a stack: one fake of each for every test file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from portal.adapters.api import parse_problem
from portal.ports import ApiAnswer, ApiProblem, Session

Reply = ApiAnswer | Callable[[dict[str, Any]], ApiAnswer]
# What `Api.call` takes besides the session, method and path.
SENT = ("json", "data", "files", "content", "params", "headers")


def ok(body: Any, status: int = 200, content: bytes = b"", headers: Mapping[str, str] | None = None) -> ApiAnswer:
    return ApiAnswer(status, body, dict(headers or {"content-type": "application/json"}), content, None)


def answer(status: int, body: Any) -> ApiAnswer:
    """Any answer with a JSON body, its problem parsed as the gateway client parses it."""
    found = None if 200 <= status < 300 else parse_problem(status, body)
    return ApiAnswer(status, body, {"content-type": "application/json"}, b"", found)


def refused(status: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None) -> ApiAnswer:
    """A problem+json answer as the chassis writes it (its code at the end of `type`)."""
    body: dict[str, Any] = {"type": f"https://creditdesk.dev/problems/{code}", "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return ApiAnswer(status, body, {"content-type": "application/problem+json"}, b"", parse_problem(status, body))


def problem(status: int, detail: str, **fields: str) -> ApiAnswer:
    """A problem already parsed: its detail and its field errors by form field name."""
    return ApiAnswer(status, None, {}, b"", ApiProblem(status, detail, field_errors=fields))


@dataclass
class FakeApi:
    """Implements `portal.ports.Api`: canned replies by (method, path) (an answer, or a function
    of the call that returns one), every call recorded with the token and what it sent. A call with
    no reply is a 404 problem, or fails the test when `strict`."""

    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    strict: bool = False

    async def call(self, session: Session | None, method: str, path: str, **sent: Any) -> ApiAnswer:
        unknown = set(sent) - set(SENT)
        assert not unknown, f"Api.call takes no {sorted(unknown)}"
        call = {"method": method, "path": path, "token": session.access_token if session else None, **sent}
        self.calls.append(call)
        reply = self.replies.get((method, path))
        if reply is None:
            assert not self.strict, f"unexpected call {method} {path}"
            return refused(404, "not-found", f"no {method} {path}")
        return reply(call) if callable(reply) else reply

    async def aclose(self) -> None:
        return None

    def last(self, method: str, path: str) -> dict[str, Any]:
        return [c for c in self.calls if c["method"] == method and c["path"] == path][-1]


class MemorySessions:
    """Implements `portal.ports.SessionStore`: stores copies, as a database would."""

    def __init__(self) -> None:
        self.saved: dict[str, Session] = {}

    async def load(self, session_id: str, now: datetime) -> Session | None:
        session = self.saved.get(session_id)
        if session is None or session.expires_at <= now:
            return None
        return replace(session, roles=list(session.roles), claims=dict(session.claims), flashes=list(session.flashes))

    async def save(self, session: Session) -> None:
        session.dirty = session.new = False
        self.saved[session.id] = replace(session)

    async def delete(self, session_id: str) -> None:
        self.saved.pop(session_id, None)

    async def purge_expired(self, now: datetime) -> int:
        expired = [k for k, s in self.saved.items() if s.expires_at <= now]
        for key in expired:
            del self.saved[key]
        return len(expired)
