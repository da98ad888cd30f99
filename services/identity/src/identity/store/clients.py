"""Merchant API clients: one document per client (`_id` = client id), the
secret only as its hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chassis.mongo import IndexSpec, MongoDatabase, ascending

API_CLIENTS = "api_clients"
INDEXES: list[IndexSpec] = [ascending(API_CLIENTS, "account_id")]


class ClientStore:
    def __init__(self, db: MongoDatabase) -> None:
        self._clients = db[API_CLIENTS]

    async def add(self, *, client_id: str, account_id: str, name: str, secret_hash: str, now: datetime) -> None:
        await self._clients.insert_one(
            {
                "_id": client_id,
                "account_id": account_id,
                "name": name,
                "secret_hash": secret_hash,
                "created_at": now,
                "revoked_at": None,
            }
        )

    async def get(self, client_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self._clients.find_one({"_id": client_id})
        return doc

    async def of_account(self, account_id: str) -> list[dict[str, Any]]:
        cursor = self._clients.find({"account_id": account_id}, {"secret_hash": 0}).sort("created_at", 1)
        return [doc async for doc in cursor]

    async def revoke(self, client_id: str, account_id: str, now: datetime) -> bool:
        """Revoke one of the account's clients; False when it has no such live client."""
        result = await self._clients.update_one(
            {"_id": client_id, "account_id": account_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        return result.modified_count == 1
