"""Company spaces in MongoDB: one document per company (`_id` = SIREN) with its
members embedded, so that every change of a membership and the events and
audit record it causes are one atomic single-document write. `version`
guards concurrent changes (optimistic concurrency)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import OUTBOX_FIELD, Outbox
from contracts import Event
from teams.domain.audit import AuditRecord
from teams.domain.companies import Company, Member
from teams.store.audit import AUDIT_FIELD, audit_entries
from teams.store.documents import member_from_doc, member_to_doc

COMPANIES = "companies"
COMPANY_INDEXES: list[IndexSpec] = [
    ascending(COMPANIES, "members.account_id"),
    ascending(COMPANIES, f"{AUDIT_FIELD}.id"),
]
HIDDEN = {OUTBOX_FIELD: 0, AUDIT_FIELD: 0}


def _company(doc: dict[str, Any]) -> Company:
    return Company(
        siren=doc["_id"],
        name=doc["name"],
        created_by=doc["created_by"],
        created_at=doc["created_at"],
        version=int(doc["version"]),
        members=tuple(member_from_doc(m) for m in doc.get("members", [])),
    )


class CompanyStore:
    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._companies = db[COMPANIES]
        self._outbox = outbox

    async def create(self, company: Company, *, events: Sequence[Event], audit: Sequence[AuditRecord]) -> bool:
        """Insert a new space (`companies.founded`); False if it exists already."""
        document = self._outbox.new_document(
            {
                "_id": company.siren,
                "name": company.name,
                "created_by": company.created_by,
                "created_at": company.created_at,
                "version": company.version,
                "members": [member_to_doc(m) for m in company.members],
            },
            *events,
        )
        document[AUDIT_FIELD] = audit_entries(audit)
        try:
            await self._companies.insert_one(document)
        except DuplicateKeyError:
            return False
        self._outbox.notify()
        return True

    async def get(self, siren: str) -> Company | None:
        doc = await self._companies.find_one({"_id": siren}, HIDDEN)
        return _company(doc) if doc else None

    async def of_account(self, account_id: str) -> list[Company]:
        cursor = self._companies.find({"members.account_id": account_id}, HIDDEN).sort("_id", 1)
        return [_company(doc) async for doc in cursor]

    async def put_member(
        self,
        company: Company,
        member: Member,
        *,
        events: Sequence[Event],
        audit: Sequence[AuditRecord],
    ) -> bool:
        """Replace (or append) one member, if the company is still at `company.version`."""
        existing = any(m.account_id == member.account_id for m in company.members)
        query: dict[str, Any] = {"_id": company.siren, "version": company.version}
        update: dict[str, Any] = {"$inc": {"version": 1}, "$push": {AUDIT_FIELD: {"$each": audit_entries(audit)}}}
        if existing:
            query["members.account_id"] = member.account_id
            update["$set"] = {"members.$": member_to_doc(member)}
        else:
            update["$push"]["members"] = member_to_doc(member)
        result = await self._companies.update_one(query, self._outbox.update(update, *events))
        if result.modified_count:
            self._outbox.notify()
        return result.modified_count == 1
