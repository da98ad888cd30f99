"""Deletes documents by age: the inbox, request counters, throttle windows.

The local Mongo-wire engine has no TTL indexes (ADR 0008), so each service
runs one sweeper loop (started by the Runtime, like the relay) that deletes,
every `sweeper_interval_seconds`, the documents of each registered rule whose
timestamp is older than the rule's age:

- `inbox` by `recorded_at` (applied or dead-lettered), kept
  `inbox_retention_days` (14 by default: longer than Kafka keeps a topic, so
  a rewind never re-applies an event whose record was pruned);
- any collection registered as expiring (`ServiceDefinition.expiring`) by
  its common `expires_at` field, once past: write it with `expires_at(...)`.

A deletion is idempotent and bounded by the rule, so several instances of a
service may sweep at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chassis.clock import Clock
from chassis.metrics import ServiceMetrics
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import stop_if_cancelled

EXPIRES_AT = "expires_at"
log = logging.getLogger("chassis.sweeper")


def expires_at(when: datetime) -> dict[str, datetime]:
    """The field, to `$set` or `$setOnInsert`, after which the sweeper deletes a document."""
    return {EXPIRES_AT: when}


@dataclass(frozen=True)
class SweepRule:
    """Delete the documents of `collection` whose `field` is older than `max_age`."""

    collection: str
    field: str = EXPIRES_AT
    max_age: timedelta = timedelta(0)

    def query(self, now: datetime) -> dict[str, Any]:
        return {self.field: {"$lt": now - self.max_age}}

    def index(self) -> IndexSpec:
        return ascending(self.collection, self.field)


def expiring(*collections: str) -> list[SweepRule]:
    """Rules for collections whose documents carry `expires_at`."""
    return [SweepRule(collection) for collection in collections]


class Sweeper:
    """The service's pruning loop (one per service, started by the Runtime)."""

    def __init__(
        self,
        db: MongoDatabase,
        rules: Sequence[SweepRule],
        clock: Clock,
        metrics: ServiceMetrics | None = None,
        *,
        interval_seconds: float = 600.0,
    ) -> None:
        self._db = db
        self.rules = list(rules)
        self._clock = clock
        self._metrics = metrics
        self._interval = interval_seconds
        self._stopped = asyncio.Event()

    def register(self, *rules: SweepRule) -> None:
        self.rules.extend(rules)

    def indexes(self) -> list[IndexSpec]:
        return [rule.index() for rule in self.rules]

    async def sweep_once(self) -> dict[str, int]:
        """One pass over every rule: documents deleted per collection."""
        now = self._clock.now()
        deleted: dict[str, int] = {}
        for rule in self.rules:
            result = await self._db[rule.collection].delete_many(rule.query(now))
            deleted[rule.collection] = deleted.get(rule.collection, 0) + result.deleted_count
            if result.deleted_count and self._metrics is not None:
                self._metrics.swept.labels(rule.collection).inc(result.deleted_count)
        if any(deleted.values()):
            log.info("swept %s", {name: n for name, n in deleted.items() if n})
        return deleted

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                stop_if_cancelled()
                log.exception("sweep failed; next one in %.0fs", self._interval)
            try:
                async with asyncio.timeout(self._interval):
                    await self._stopped.wait()
            except TimeoutError:
                continue
