"""Accounts imported from the legacy portal, waiting for (or done with) migration."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from chassis.mongo import Document, IndexSpec, MongoDatabase, ascending
from identity.domain.legacy import (
    LegacyAccount,
    LegacyCredentials,
    LegacyLoginTaken,
    LegacyRecord,
    LegacyStatus,
    MailboxMessage,
)
from identity.domain.tokens import hash_secret

LEGACY_ACCOUNTS = "legacy_accounts"
INDEXES: list[IndexSpec] = [ascending(LEGACY_ACCOUNTS, "login", unique=True)]


def imported_document(record: LegacyRecord, now: datetime) -> Document:
    """What an import writes of a legacy account (its status aside)."""
    return {
        "login": record.login,
        "password_hash": record.password_hash,
        "migration_secret_hash": hash_secret(record.migration_secret) if record.migration_secret else None,
        "company_name": record.company_name,
        "siret": record.siret,
        "contract_reference": record.contract_reference,
        "mailbox": [asdict(message) for message in record.mailbox],
        "imported_at": now,
    }


def message_from(raw: Document) -> MailboxMessage:
    return MailboxMessage(
        received_at=raw["received_at"],
        subject=raw.get("subject", ""),
        body=raw.get("body", ""),
        sender=raw.get("sender"),
    )


def legacy_from(doc: Document) -> LegacyAccount:
    return LegacyAccount(
        legacy_id=str(doc["_id"]),
        login=doc["login"],
        status=LegacyStatus(doc.get("status", LegacyStatus.IMPORTED)),
        company_name=doc.get("company_name"),
        siret=doc.get("siret"),
        contract_reference=doc.get("contract_reference"),
        mailbox=tuple(message_from(raw) for raw in doc.get("mailbox", [])),
        account_id=doc.get("account_id"),
    )


class LegacyStore:
    """`identity.ports.LegacyStore (and LegacyMailboxes)` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._legacy = db[LEGACY_ACCOUNTS]

    async def import_record(self, record: LegacyRecord, now: datetime) -> bool:
        document = imported_document(record, now)
        try:
            await self._legacy.update_one(
                {"_id": record.legacy_id, "status": {"$ne": LegacyStatus.MIGRATED}},
                {"$set": document, "$setOnInsert": {"status": LegacyStatus.IMPORTED}},
                upsert=True,
            )
        except DuplicateKeyError as error:
            existing = await self._legacy.find_one({"_id": record.legacy_id}, {"status": 1})
            if existing is not None and existing.get("status") == LegacyStatus.MIGRATED:
                return False
            raise LegacyLoginTaken(
                f"{record.legacy_id}: the login {record.login!r} belongs to another legacy id"
            ) from error
        return True

    async def credentials(self, login: str) -> LegacyCredentials | None:
        doc = await self._legacy.find_one({"login": login})
        if doc is None:
            return None
        return LegacyCredentials(legacy_from(doc), doc.get("password_hash"), doc.get("migration_secret_hash"))

    async def by_id(self, legacy_id: str) -> LegacyAccount | None:
        doc = await self._legacy.find_one({"_id": legacy_id})
        return legacy_from(doc) if doc is not None else None

    async def confirming(self, legacy_id: str, account_id: str, email: str) -> bool:
        doc = await self._legacy.find_one_and_update(
            {"_id": legacy_id, "status": {"$ne": LegacyStatus.MIGRATED}},
            {
                "$set": {"status": LegacyStatus.CONFIRMING, "account_id": account_id, "new_email": email},
                "$unset": {"ticket": ""},
            },
            return_document=ReturnDocument.AFTER,
        )
        return doc is not None

    async def migrated(self, legacy_id: str, account_id: str, now: datetime) -> None:
        await self._legacy.update_one(
            {"_id": legacy_id, "account_id": account_id},
            {"$set": {"status": LegacyStatus.MIGRATED, "migrated_at": now}},
        )

    async def legacy_messages(self, legacy_id: str) -> list[MailboxMessage] | None:
        doc = await self._legacy.find_one({"_id": legacy_id}, {"mailbox": 1})
        if doc is None:
            return None
        return [message_from(raw) for raw in doc.get("mailbox", [])]
