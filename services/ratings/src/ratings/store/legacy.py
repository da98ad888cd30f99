"""Legacy imports and migrations in MongoDB, both keyed by the legacy account id."""

from __future__ import annotations

from datetime import datetime

from chassis.mongo import IndexSpec, MongoDatabase
from ratings.domain.legacy import LegacyImport
from ratings.store import codec

LEGACY_IMPORTS = "legacy_imports"
LEGACY_MIGRATIONS = "legacy_migrations"
INDEXES: list[IndexSpec] = []


class MongoLegacy:
    def __init__(self, db: MongoDatabase) -> None:
        self._imports = db[LEGACY_IMPORTS]
        self._migrations = db[LEGACY_MIGRATIONS]

    async def get(self, legacy_id: str) -> LegacyImport | None:
        document = await self._imports.find_one({"_id": legacy_id})
        return codec.legacy_import_of(document) if document else None

    async def put(self, record: LegacyImport) -> None:
        await self._imports.replace_one(
            {"_id": record.legacy_id},
            {
                "portfolios": [codec.legacy_portfolio_doc(p) for p in record.portfolios],
                "imported_at": record.imported_at,
                "account_id": record.account_id,
                "attached_at": record.attached_at,
            },
            upsert=True,
        )

    async def record_migration(self, legacy_id: str, account_id: str, at: datetime) -> None:
        await self._migrations.update_one(
            {"_id": legacy_id}, {"$setOnInsert": {"account_id": account_id, "migrated_at": at}}, upsert=True
        )

    async def migrated_to(self, legacy_id: str) -> str | None:
        document = await self._migrations.find_one({"_id": legacy_id})
        return str(document["account_id"]) if document else None
