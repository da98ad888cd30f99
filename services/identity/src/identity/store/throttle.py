"""Login guess windows and request counters."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from chassis.mongo import MongoDatabase
from chassis.sweeper import expires_at
from identity.domain.throttle import GuessWindow, LockoutPolicy, locked_window_start, seconds_refused, stale_before

LOGIN_FAILURES = "login_failures"
REQUEST_COUNTERS = "request_counters"
COUNTER_KEPT = timedelta(days=1)


class ThrottleStore:
    """`identity.ports.ThrottleStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._failures = db[LOGIN_FAILURES]
        self._counters = db[REQUEST_COUNTERS]

    async def window(self, key: str) -> GuessWindow:
        doc = await self._failures.find_one({"_id": key})
        if doc is None:
            return GuessWindow()
        return GuessWindow(attempts=int(doc.get("attempts", 0)), window_started_at=doc.get("window_started_at"))

    async def reserve_guess(self, key: str, now: datetime, policy: LockoutPolicy) -> int:
        stale = stale_before(now, policy)
        for _ in range(3):  # each round loses only to a concurrent writer of the same key
            counted = await self._failures.find_one_and_update(
                {"_id": key, "window_started_at": {"$gt": stale}, "attempts": {"$lt": policy.max_failures}},
                {"$inc": {"attempts": 1}},
            )
            if counted is not None:
                return 0
            restarted = await self._failures.find_one_and_update(
                {"_id": key, "window_started_at": {"$lte": stale}},
                {"$set": {"attempts": 1, "window_started_at": now, **expires_at(now + COUNTER_KEPT)}},
            )
            if restarted is not None:
                return 0
            try:
                # Deleted by the chassis sweeper a day later, far past any window and lock.
                await self._failures.insert_one(
                    {"_id": key, "attempts": 1, "window_started_at": now, **expires_at(now + COUNTER_KEPT)}
                )
                return 0
            except DuplicateKeyError:
                pass
            refused = seconds_refused(await self.window(key), now, policy)
            if refused:
                return refused
        return seconds_refused(GuessWindow(policy.max_failures, now), now, policy)

    async def give_back(self, key: str) -> None:
        await self._failures.update_one({"_id": key, "attempts": {"$gt": 0}}, {"$inc": {"attempts": -1}})

    async def lock_if_spent(self, key: str, now: datetime, policy: LockoutPolicy) -> None:
        start = locked_window_start(now, policy)
        await self._failures.update_one(
            {"_id": key, "attempts": {"$gte": policy.max_failures}, "window_started_at": {"$lt": start}},
            {"$set": {"window_started_at": start}},
        )

    async def forget(self, key: str) -> None:
        await self._failures.delete_one({"_id": key})

    async def count(self, key: str, window_start: int, now: datetime) -> int:
        doc = await self._counters.find_one_and_update(
            {"_id": f"{key}:{window_start}"},
            # Deleted by the chassis sweeper once expired; a day outlasts any window.
            {"$inc": {"count": 1}, "$setOnInsert": {"first_at": now, **expires_at(now + COUNTER_KEPT)}},
            upsert=True,
            return_document=True,
        )
        return int(doc["count"]) if doc else 1
