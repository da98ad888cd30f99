"""The audit trail: who changed what, when, with the before and after.

An audit record rides in the changed document (field `_audit`) in the same
write as the change, and the chassis relay copies it into the append-only
`audit` collection (keyed by the record's id, so a second copy is a no-op).
Nothing in teams updates or deletes an `audit` document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from pymongo.errors import DuplicateKeyError

from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import OutboxEntry, OutboxRelay, Publish, Wakeup
from teams.domain.audit import AuditRecord

AUDIT = "audit"
AUDIT_FIELD = "_audit"
AUDIT_INDEXES: list[IndexSpec] = [ascending(AUDIT, "company_id", "at")]


def audit_entry(record: AuditRecord) -> dict[str, Any]:
    """The record as an entry of the changed document's `_audit` field, for the relay to copy."""
    value = {
        "company_id": record.company_id,
        "actor": record.actor,
        "action": record.action,
        "target": record.target,
        "before": record.before,
        "after": record.after,
        "at": record.at,
    }
    return {
        "id": record.id,
        "topic": AUDIT,
        "key": record.company_id,
        "value": json.dumps(to_jsonable_python(value)),
        "headers": {},
        "created_at": record.at,
        "attempts": 0,
    }


def audit_entries(records: Sequence[AuditRecord]) -> list[dict[str, Any]]:
    return [audit_entry(r) for r in records]


def audit_writer(db: MongoDatabase) -> Publish:
    audit = db[AUDIT]

    async def write(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for entry in entries:
            record = json.loads(entry.value)
            record["_id"] = entry.id
            record["at"] = datetime.fromisoformat(record["at"])
            try:
                await audit.insert_one(record)
                results.append(None)
            except DuplicateKeyError:
                results.append(None)  # copied before, by an earlier pass
            except Exception as error:  # Mongo unreachable: retried by the relay
                results.append(error)
        return results

    return write


def audit_relay(db: MongoDatabase, collections: Sequence[str]) -> tuple[OutboxRelay, Wakeup]:
    wakeup = Wakeup()
    # Writers push audit records by hand (no marker): found by scanning.
    relay = OutboxRelay(db, collections, wakeup, audit_writer(db), field=AUDIT_FIELD, poll_seconds=1.0, indexed=False)
    return relay, wakeup


class AuditTrail:
    def __init__(self, db: MongoDatabase) -> None:
        self._audit = db[AUDIT]

    async def of_company(self, company_id: str, limit: int = 200) -> list[AuditRecord]:
        cursor = self._audit.find({"company_id": company_id}).sort([("at", -1), ("_id", 1)]).limit(limit)
        return [
            AuditRecord(
                id=doc["_id"],
                company_id=doc["company_id"],
                actor=doc["actor"],
                action=doc["action"],
                target=doc["target"],
                before=doc.get("before"),
                after=doc.get("after"),
                at=doc["at"],
            )
            async for doc in cursor
        ]
