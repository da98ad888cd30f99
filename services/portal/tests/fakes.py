"""In-memory fakes of the portal's ports, for tests without a stack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from portal.adapters.api import parse_problem
from portal.ports import ApiAnswer, Session


class MemorySessions:
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


@dataclass
class ScriptedApi:
    """Answers by (method, path); records every call."""

    answers: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    async def call(
        self,
        session: Session | None,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiAnswer:
        self.calls.append((method, path, json))
        status, body = self.answers.get((method, path), (404, {"detail": "not found", "status": 404}))
        ok = 200 <= status < 300
        return ApiAnswer(status, body, {}, b"", None if ok else parse_problem(status, body))

    async def aclose(self) -> None:
        return None
