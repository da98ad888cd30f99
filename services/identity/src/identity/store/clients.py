"""Merchant API clients: one document per client (`_id` = client id), the
secret only as its hash."""

from __future__ import annotations

from datetime import datetime

from chassis.mongo import Document, IndexSpec, MongoDatabase, ascending
from identity.domain.clients import ApiClient, ClientCredentials

API_CLIENTS = "api_clients"
INDEXES: list[IndexSpec] = [ascending(API_CLIENTS, "account_id")]


def client_document(client: ApiClient, secret_hash: str) -> Document:
    return {
        "_id": client.client_id,
        "account_id": client.account_id,
        "name": client.name,
        "secret_hash": secret_hash,
        "created_at": client.created_at,
        "revoked_at": client.revoked_at,
    }


def client_from(doc: Document) -> ApiClient:
    return ApiClient(
        client_id=str(doc["_id"]),
        account_id=str(doc["account_id"]),
        name=doc["name"],
        created_at=doc["created_at"],
        revoked_at=doc.get("revoked_at"),
    )


class ClientStore:
    """`identity.ports.ClientStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._clients = db[API_CLIENTS]

    async def add(self, client: ApiClient, secret_hash: str) -> None:
        await self._clients.insert_one(client_document(client, secret_hash))

    async def credentials(self, client_id: str) -> ClientCredentials | None:
        doc = await self._clients.find_one({"_id": client_id})
        return ClientCredentials(client_from(doc), str(doc["secret_hash"])) if doc is not None else None

    async def of_account(self, account_id: str) -> list[ApiClient]:
        cursor = self._clients.find({"account_id": account_id}, {"secret_hash": 0}).sort("created_at", 1)
        return [client_from(doc) async for doc in cursor]

    async def revoke(self, client_id: str, account_id: str, now: datetime) -> bool:
        result = await self._clients.update_one(
            {"_id": client_id, "account_id": account_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        return result.modified_count == 1
