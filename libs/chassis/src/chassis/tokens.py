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

`LinkTokens` is the Protocol a service's ports name; `InMemoryTokens` implements it for handler
unit tests. `adopt_embedded` moves the hashes a service used to keep inside its own documents into
this collection (the same SHA-256), so links mailed before the move keep working.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pymongo import ReturnDocument

from chassis.clock import Clock
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.sweeper import EXPIRES_AT, expires_at

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


class LinkTokens(Protocol):
    """Single-use expiring tokens of several purposes (implemented by `Tokens` and `InMemoryTokens`)."""

    async def issue(self, purpose: str, subject: str, *, expires_at: datetime) -> str: ...

    async def find(self, purpose: str, token: str) -> TokenRecord | None: ...

    async def peek(self, purpose: str, token: str) -> TokenRecord | None: ...

    async def consume(self, purpose: str, token: str) -> TokenRecord | None: ...

    async def revoke(self, purpose: str, subject: str, *, keep: str | None = None) -> int: ...


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

    async def revoke(self, purpose: str, subject: str, *, keep: str | None = None) -> int:
        """Use up every live token of `subject` (its access ended early, or a new link replaces the
        old ones: `keep` is that new token); how many."""
        query: dict[str, Any] = {
            "purpose": purpose,
            "subject": subject,
            "used_at": None,
            EXPIRES_AT: {"$gt": self._clock.now()},
        }
        if keep is not None:
            query["_id"] = {"$ne": hash_token(keep)}
        result = await self._tokens.update_many(query, {"$set": {"used_at": self._clock.now()}})
        return result.modified_count


class InMemoryTokens:
    """`LinkTokens` in memory, for handler unit tests (same rules as `Tokens`)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.records: dict[str, TokenRecord] = {}  # by hash

    async def issue(self, purpose: str, subject: str, *, expires_at: datetime) -> str:
        now = self._clock.now()
        if expires_at <= now:
            raise ValueError("a token must expire after it is issued")
        token = secrets.token_urlsafe(32)
        self.records[hash_token(token)] = TokenRecord(purpose, subject, now, expires_at)
        return token

    def _live(self, record: TokenRecord | None, purpose: str) -> bool:
        return (
            record is not None
            and record.purpose == purpose
            and record.used_at is None
            and record.expires_at > self._clock.now()
        )

    async def find(self, purpose: str, token: str) -> TokenRecord | None:
        record = self.records.get(hash_token(token))
        return record if record is not None and record.purpose == purpose else None

    async def peek(self, purpose: str, token: str) -> TokenRecord | None:
        record = self.records.get(hash_token(token))
        return record if self._live(record, purpose) else None

    async def consume(self, purpose: str, token: str) -> TokenRecord | None:
        record = self.records.get(hash_token(token))
        if record is None or not self._live(record, purpose):
            return None
        used = TokenRecord(record.purpose, record.subject, record.issued_at, record.expires_at, self._clock.now())
        self.records[hash_token(token)] = used
        return used

    async def revoke(self, purpose: str, subject: str, *, keep: str | None = None) -> int:
        kept = hash_token(keep) if keep is not None else None
        chosen = [
            digest
            for digest, record in self.records.items()
            if digest != kept and record.subject == subject and self._live(record, purpose)
        ]
        for digest in chosen:
            record = self.records[digest]
            self.records[digest] = TokenRecord(
                record.purpose, record.subject, record.issued_at, record.expires_at, self._clock.now()
            )
        return len(chosen)


def _at(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def adopt_embedded(
    db: MongoDatabase,
    collection: str,
    digest: str,
    purpose: str,
    *,
    expires: str,
    issued: str,
    subject: str = "_id",
    tokens: str = TOKENS,
) -> int:
    """Move the token hashes a service kept inside its documents (at the dotted path `digest`, with
    the expiry and issue times at `expires` and `issued`) into the tokens collection, under `purpose`
    with the document's `subject`: the hash is the same SHA-256, so a link mailed before the move
    still opens. Idempotent (run at every start); the embedded hash is removed once adopted."""
    source = db[collection]
    target = db[tokens]
    adopted = 0
    async for document in source.find({digest: {"$exists": True}}):
        token_hash, deadline, owner = _at(document, digest), _at(document, expires), _at(document, subject)
        if isinstance(token_hash, str) and isinstance(deadline, datetime) and owner is not None:
            issued_at = _at(document, issued)
            await target.update_one(
                {"_id": token_hash},
                {
                    "$setOnInsert": {
                        "purpose": purpose,
                        "subject": str(owner),
                        "issued_at": issued_at if isinstance(issued_at, datetime) else deadline,
                        "used_at": None,
                        **expires_at(deadline),
                    }
                },
                upsert=True,
            )
            adopted += 1
        await source.update_one({"_id": document["_id"]}, {"$unset": {digest: ""}})
    return adopted
