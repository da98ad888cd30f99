"""Server-side sessions in the portal's own Mongo database (`portal.sessions`).

The browser's cookie holds only the session's random id. Expiry is a field checked
on every read (the Mongo subset the platform targets has no TTL index); the app
purges expired sessions periodically.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from chassis.mongo import Document, IndexSpec, MongoDatabase, ascending
from portal.ports import Session

SESSIONS = "sessions"
SESSION_INDEXES: list[IndexSpec] = [ascending(SESSIONS, "expires_at")]


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_session(now: datetime, lifetime: timedelta) -> Session:
    """An anonymous session, not stored yet."""
    return Session(
        id=new_session_id(),
        csrf_secret=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
        new=True,
    )


def to_document(session: Session) -> Document:
    return {
        "_id": session.id,
        "csrf_secret": session.csrf_secret,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
        "locale": session.locale,
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "account_id": session.account_id,
        "email": session.email,
        "roles": list(session.roles),
        "claims": dict(session.claims),
        "flashes": [list(f) for f in session.flashes],
    }


def from_document(doc: dict[str, Any]) -> Session:
    return Session(
        id=doc["_id"],
        csrf_secret=doc["csrf_secret"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        locale=doc.get("locale"),
        access_token=doc.get("access_token"),
        refresh_token=doc.get("refresh_token"),
        account_id=doc.get("account_id"),
        email=doc.get("email"),
        roles=list(doc.get("roles") or []),
        claims=dict(doc.get("claims") or {}),
        flashes=[(str(level), str(text)) for level, text in doc.get("flashes") or []],
    )


class MongoSessionStore:
    def __init__(self, db: MongoDatabase) -> None:
        self.collection = db[SESSIONS]

    async def load(self, session_id: str, now: datetime) -> Session | None:
        doc = await self.collection.find_one({"_id": session_id})
        if doc is None:
            return None
        if doc["expires_at"] <= now:
            await self.collection.delete_one({"_id": session_id})
            return None
        return from_document(doc)

    async def save(self, session: Session) -> None:
        await self.collection.replace_one({"_id": session.id}, to_document(session), upsert=True)
        session.dirty = session.new = False

    async def delete(self, session_id: str) -> None:
        await self.collection.delete_one({"_id": session_id})

    async def purge_expired(self, now: datetime) -> int:
        done = await self.collection.delete_many({"expires_at": {"$lte": now}})
        return done.deleted_count
