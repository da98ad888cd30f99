"""Single-use link tokens: the one mechanism for every link mailed to someone (issue #10).

A token is 256 random bits (URL-safe); only its SHA-256 is stored (no salt nor slow hash is
needed for so much randomness: a lookup by hash is enough), with its `purpose` (a token of one
purpose never opens another), its `subject` (what it gives access to: an account, a case), its
expiry and, once used, when. `consume` is one conditional findAndModify: of two concurrent uses,
one wins. Expired records carry `expires_at` and are pruned by the chassis sweeper (register the
collection in `ServiceDefinition.expiring`).

    tokens = Tokens(runtime.db, clock=runtime.clock)
    token = await tokens.issue("debtor-space", case_id, expires_at=deadline)   # mail it in a link
    record = await tokens.peek("debtor-space", token)                          # view, not used up
    record = await tokens.consume("debtor-space", token)                       # once only
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument

from chassis.clock import Clock
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.sweeper import EXPIRES_AT

TOKENS = "tokens"


def token_indexes(collection: str = TOKENS) -> list[IndexSpec]:
    return [ascending(collection, "purpose", "subject")]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenRecord:
    purpose: str
    subject: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


def _record(document: dict[str, Any]) -> TokenRecord:
    return TokenRecord(
        purpose=document["purpose"],
        subject=document["subject"],
        issued_at=document["issued_at"],
        expires_at=document[EXPIRES_AT],
        used_at=document.get("used_at"),
    )


class Tokens:
    def __init__(self, db: MongoDatabase, *, clock: Clock, collection: str = TOKENS) -> None:
        self._tokens = db[collection]
        self._clock = clock

    async def issue(self, purpose: str, subject: str, *, expires_at: datetime) -> str:
        """A fresh token for `subject`; the caller puts it in a link and never stores it."""
        now = self._clock.now()
        if expires_at <= now:
            raise ValueError("a token must expire after it is issued")
        token = secrets.token_urlsafe(32)
        await self._tokens.insert_one(
            {
                "_id": hash_token(token),
                "purpose": purpose,
                "subject": subject,
                "issued_at": now,
                EXPIRES_AT: expires_at,
                "used_at": None,
            }
        )
        return token

    def _live(self, purpose: str, token: str) -> dict[str, Any]:
        return {"_id": hash_token(token), "purpose": purpose, "used_at": None, EXPIRES_AT: {"$gt": self._clock.now()}}

    async def find(self, purpose: str, token: str) -> TokenRecord | None:
        """The token's record whatever its state (used, expired), to say why a link fails; None if unknown."""
        document = await self._tokens.find_one({"_id": hash_token(token), "purpose": purpose})
        return _record(document) if document else None

    async def peek(self, purpose: str, token: str) -> TokenRecord | None:
        """The token's record if it is live (of this purpose, unused, unexpired), without using it."""
        document = await self._tokens.find_one(self._live(purpose, token))
        return _record(document) if document else None

    async def consume(self, purpose: str, token: str) -> TokenRecord | None:
        """Use the token up, atomically: its record the first time, None ever after (or if not live)."""
        document = await self._tokens.find_one_and_update(
            self._live(purpose, token),
            {"$set": {"used_at": self._clock.now()}},
            return_document=ReturnDocument.AFTER,
        )
        return _record(document) if document else None

    async def revoke(self, purpose: str, subject: str) -> int:
        """Use up every live token of `subject` (its access ended early); how many."""
        result = await self._tokens.update_many(
            {"purpose": purpose, "subject": subject, "used_at": None, EXPIRES_AT: {"$gt": self._clock.now()}},
            {"$set": {"used_at": self._clock.now()}},
        )
        return result.modified_count
