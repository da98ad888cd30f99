"""Users' provider accounts in MongoDB (`_id` = account id), the password sealed with the key ring
of `RATINGS_FIELD_ENCRYPTION_KEY` (chassis.crypto, bound to its field)."""

from __future__ import annotations

from datetime import datetime

from chassis.crypto import FieldCipher
from chassis.mongo import IndexSpec, MongoDatabase
from ratings.ports import ProviderCredentials

PROVIDER_ACCOUNTS = "provider_accounts"
INDEXES: list[IndexSpec] = []
PASSWORD_FIELD = "provider_accounts.password"


class MongoProviderAccounts:
    def __init__(self, db: MongoDatabase, cipher: FieldCipher) -> None:
        self._accounts = db[PROVIDER_ACCOUNTS]
        self._cipher = cipher

    async def get(self, account_id: str) -> ProviderCredentials | None:
        document = await self._accounts.find_one({"_id": account_id})
        if document is None:
            return None
        return ProviderCredentials(document["username"], self._cipher.open(document["password"], field=PASSWORD_FIELD))

    async def put(self, account_id: str, credentials: ProviderCredentials, at: datetime) -> None:
        sealed = self._cipher.seal(credentials.password, field=PASSWORD_FIELD)
        await self._accounts.update_one(
            {"_id": account_id},
            {"$set": {"username": credentials.username, "password": sealed, "connected_at": at}},
            upsert=True,
        )

    async def remove(self, account_id: str) -> bool:
        return (await self._accounts.delete_one({"_id": account_id})).deleted_count == 1

    async def connected_at(self, account_id: str) -> datetime | None:
        document = await self._accounts.find_one({"_id": account_id}, {"connected_at": 1})
        return document["connected_at"] if document else None
