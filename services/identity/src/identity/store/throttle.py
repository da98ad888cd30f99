"""Login failure records and request counters."""

from __future__ import annotations

from datetime import datetime, timedelta

from chassis.mongo import MongoDatabase
from chassis.sweeper import expires_at
from identity.domain.throttle import FailureRecord

LOGIN_FAILURES = "login_failures"
REQUEST_COUNTERS = "request_counters"
COUNTER_KEPT = timedelta(days=1)


class ThrottleStore:
    def __init__(self, db: MongoDatabase) -> None:
        self._failures = db[LOGIN_FAILURES]
        self._counters = db[REQUEST_COUNTERS]

    async def failures(self, key: str) -> FailureRecord:
        doc = await self._failures.find_one({"_id": key})
        if doc is None:
            return FailureRecord()
        return FailureRecord(
            failures=int(doc.get("failures", 0)),
            window_started_at=doc.get("window_started_at"),
            locked_until=doc.get("locked_until"),
        )

    async def save_failures(self, key: str, record: FailureRecord) -> None:
        # Read-compute-write: two concurrent failures may count as one; the
        # lock still comes, one attempt later at worst.
        await self._failures.replace_one(
            {"_id": key},
            {
                "failures": record.failures,
                "window_started_at": record.window_started_at,
                "locked_until": record.locked_until,
            },
            upsert=True,
        )

    async def forget(self, key: str) -> None:
        await self._failures.delete_one({"_id": key})

    async def count(self, key: str, window_start: int, now: datetime) -> int:
        """Atomically count one more request in the fixed window; returns the total."""
        doc = await self._counters.find_one_and_update(
            {"_id": f"{key}:{window_start}"},
            # Deleted by the chassis sweeper once expired; a day outlasts any window.
            {"$inc": {"count": 1}, "$setOnInsert": {"first_at": now, **expires_at(now + COUNTER_KEPT)}},
            upsert=True,
            return_document=True,
        )
        return int(doc["count"]) if doc else 1
