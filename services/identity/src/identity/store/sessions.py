"""Refresh tokens, one document per token (its hash is the id), grouped in
families (one per login)."""

from __future__ import annotations

from datetime import datetime

from chassis.mongo import Document, IndexSpec, MongoDatabase, ascending
from identity.domain.sessions import StoredRefreshToken

REFRESH_TOKENS = "refresh_tokens"
INDEXES: list[IndexSpec] = [
    ascending(REFRESH_TOKENS, "family_id"),
    ascending(REFRESH_TOKENS, "account_id"),
]


class SessionStore:
    """`identity.ports.SessionStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._tokens = db[REFRESH_TOKENS]

    async def issue(
        self, token_hash: str, *, family_id: str, account_id: str, now: datetime, expires_at: datetime
    ) -> None:
        await self._tokens.insert_one(
            {
                "_id": token_hash,
                "family_id": family_id,
                "account_id": account_id,
                "issued_at": now,
                "expires_at": expires_at,
                "used_at": None,
                "revoked": False,
            }
        )

    async def find(self, token_hash: str) -> StoredRefreshToken | None:
        doc: Document | None = await self._tokens.find_one({"_id": token_hash})
        if doc is None:
            return None
        return StoredRefreshToken(
            family_id=doc["family_id"],
            account_id=doc["account_id"],
            issued_at=doc["issued_at"],
            expires_at=doc["expires_at"],
            used_at=doc.get("used_at"),
            revoked=bool(doc.get("revoked")),
        )

    async def consume(self, token_hash: str, now: datetime) -> bool:
        result = await self._tokens.update_one({"_id": token_hash, "used_at": None}, {"$set": {"used_at": now}})
        return result.modified_count == 1

    async def revoke_family(self, family_id: str) -> int:
        result = await self._tokens.update_many({"family_id": family_id}, {"$set": {"revoked": True}})
        return result.modified_count

    async def revoke_account(self, account_id: str) -> int:
        result = await self._tokens.update_many({"account_id": account_id}, {"$set": {"revoked": True}})
        return result.modified_count

    async def open_families(self, account_id: str, now: datetime) -> list[str]:
        families = await self._tokens.distinct(
            "family_id", {"account_id": account_id, "revoked": False, "expires_at": {"$gt": now}}
        )
        return sorted(str(family) for family in families)
