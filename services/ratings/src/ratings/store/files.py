"""Companies and their credit files in MongoDB, one document per company (`_id` = COUNTRY-NUMBER),
with their monthly history and, in the same write, `RatingUpdated` v2 when a value changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.mongo import IndexSpec, MongoDatabase
from chassis.outbox import Outbox
from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import RatingChange
from ratings.ports import CompanyRecord, StaleWrite
from ratings.store import codec
from ratings.store.integration_events import rating_updated

COMPANIES = "companies"
INDEXES: list[IndexSpec] = []  # looked up by _id only


class MongoCreditFiles:
    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._companies = db[COMPANIES]
        self._outbox = outbox

    async def get(self, company: CompanyId) -> CompanyRecord | None:
        document = await self._companies.find_one({"_id": company.key}, {"_outbox": 0})
        return None if document is None else self._record(document)

    async def get_many(self, companies: Sequence[CompanyId]) -> dict[CompanyId, CompanyRecord]:
        cursor = self._companies.find({"_id": {"$in": [c.key for c in companies]}}, {"_outbox": 0})
        records = [self._record(document) async for document in cursor]
        return {r.company: r for r in records}

    @staticmethod
    def _record(document: dict[str, Any]) -> CompanyRecord:
        return CompanyRecord(
            company=codec.company_of(document),
            name=document.get("name", ""),
            provider_id=document.get("provider_id", ""),
            address=codec.address_of(document.get("address")),
            file=codec.file_of(document.get("file")),
            history=tuple(codec.point_of(p) for p in document.get("history", [])),
            last_event_at=document.get("last_event_at"),
            version=int(document.get("revision", 0)),
        )

    async def save(self, record: CompanyRecord, change: RatingChange | None, *, expected_version: int) -> CompanyRecord:
        fields: dict[str, Any] = {
            **codec.company_doc(record.company),
            "name": record.name,
            "provider_id": record.provider_id,
            "address": codec.address_doc(record.address),
            "file": codec.file_doc(record.file),
            "history": [codec.point_doc(p) for p in record.history],
            "last_event_at": record.last_event_at,
            "revision": expected_version + 1,
        }
        events = [rating_updated(record, change)] if change is not None else []
        if expected_version == 0:
            try:
                await self._companies.insert_one(
                    self._outbox.new_document({"_id": record.company.key, **fields}, *events)
                )
            except DuplicateKeyError:
                raise StaleWrite(record.company.key) from None
        else:
            result = await self._companies.update_one(
                {"_id": record.company.key, "revision": expected_version},
                self._outbox.update({"$set": fields}, *events),
            )
            if result.matched_count != 1:
                raise StaleWrite(record.company.key)
        if events:
            self._outbox.notify()
        return CompanyRecord(**{**record.__dict__, "version": expected_version + 1})
