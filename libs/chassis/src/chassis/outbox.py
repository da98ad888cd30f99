"""Transactional outbox without multi-document transactions.

A state change and the events it causes are one atomic single-document write:
the events ride in the changed document itself, in its `_outbox` array. The
relay finds documents with pending events, publishes them (idempotent producer,
acks=all) and pulls what was acknowledged. A broker outage leaves the events in
place, to be retried; it never loses them.

Ordering: events of one document are sent in the order written, with the
aggregate's id as key, so they share a partition; the idempotent producer never
writes an event of a partition after one that failed. Only the acknowledged
prefix of a document's events is removed, so a failed event is retried before
those that follow it. Anything may be sent twice (a crash between the send and
the removal): consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import UpdateOne

from chassis.clock import Clock
from chassis.metrics import ServiceMetrics
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.telemetry import current_trace_context, trace_headers
from contracts import Envelope, Event

OUTBOX_FIELD = "_outbox"
log = logging.getLogger("chassis.outbox")


@dataclass(frozen=True)
class OutboxEntry:
    """An event as the relay publishes it."""

    id: str
    topic: str
    key: str
    value: bytes
    headers: Mapping[str, str]

    @classmethod
    def from_document(cls, entry: Mapping[str, Any]) -> OutboxEntry:
        return cls(
            id=entry["id"],
            topic=entry["topic"],
            key=entry["key"],
            value=entry["value"].encode(),
            headers=dict(entry.get("headers") or {}),
        )


# Publishes entries in order; returns, per entry, None or the error it met.
Publish = Callable[[Sequence[OutboxEntry]], Awaitable[list[BaseException | None]]]


class Wakeup:
    """Lets a writer wake a relay at once instead of waiting for its next poll."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
        # cancellation that arrives as the wait ends, and the relay task then
        # never stops (seen as services hanging at shutdown).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()
        self._event.clear()


class Outbox:
    """Writes events into the document whose change caused them."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.wakeup = Wakeup()

    def entries(self, *events: Event) -> list[dict[str, Any]]:
        trace = current_trace_context()
        now = self._clock.now()
        entries = []
        for event in events:
            envelope = Envelope.wrap(event, occurred_at=now, trace=trace)
            entries.append(
                {
                    "id": str(envelope.event_id),
                    "topic": envelope.topic,
                    "key": envelope.subject,
                    "value": envelope.model_dump_json(),
                    "headers": trace_headers(trace),
                    "created_at": now,
                    "attempts": 0,
                }
            )
        return entries

    def new_document(self, document: dict[str, Any], *events: Event) -> dict[str, Any]:
        """`document` with its events, for an insert."""
        return {**document, OUTBOX_FIELD: self.entries(*events)}

    def update(self, update: dict[str, Any], *events: Event) -> dict[str, Any]:
        """`update` (a MongoDB update document) that also appends the events."""
        push = dict(update.get("$push", {}))
        push[OUTBOX_FIELD] = {"$each": self.entries(*events)}
        return {**update, "$push": push}

    def notify(self) -> None:
        """Wake the relay after a write, so events go out without waiting for a poll."""
        self.wakeup.notify()


def outbox_indexes(*collections: str) -> list[IndexSpec]:
    return [ascending(collection, f"{OUTBOX_FIELD}.id") for collection in collections]


class OutboxRelay:
    """Delivers the pending entries of the given collections until stopped.

    The same relay serves any durable hand-off embedded in documents: events to
    Kafka (field `_outbox`), and, for instance, mail to SMTP (identity's
    courier), by giving it another `field` and `publish`.
    """

    def __init__(
        self,
        db: MongoDatabase,
        collections: Sequence[str],
        wakeup: Wakeup,
        publish: Publish,
        metrics: ServiceMetrics | None = None,
        *,
        field: str = OUTBOX_FIELD,
        poll_seconds: float = 0.5,
        batch_size: int = 500,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self._db = db
        self._collections = list(collections)
        self._wakeup = wakeup
        self._publish = publish
        self._metrics = metrics
        self._field = field
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._max_backoff = max_backoff_seconds
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        """End `run` after the pass in hand (or at once if it is waiting)."""
        self._stopped.set()
        self._wakeup.notify()

    async def run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                published, failed = await self.drain_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                # A library can turn our cancellation into its own error (PyMongo's
                # async I/O does): if this task is being cancelled, stop.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None
                # Mongo unreachable, for instance: nothing is lost, try again later.
                log.exception("outbox relay pass failed")
                published, failed = 0, 1
            if failed:
                failures += 1
                with contextlib.suppress(TimeoutError):  # back off, unless told to stop
                    async with asyncio.timeout(min(self._max_backoff, self._poll_seconds * 2**failures)):
                        await self._stopped.wait()
            elif published == 0:
                failures = 0
                await self._wakeup.wait(self._poll_seconds)

    async def drain_once(self) -> tuple[int, int]:
        """One pass over every collection: (published, failed) counts."""
        published = failed = 0
        backlog = 0
        for name in self._collections:
            collection = self._db[name]
            documents = [
                doc
                async for doc in collection.find({f"{self._field}.0": {"$exists": True}}, {self._field: 1}).limit(
                    self._batch_size
                )
            ]
            if not documents:
                continue
            batch: list[OutboxEntry] = []
            owners: list[tuple[Any, int]] = []  # (document id, entry count), in batch order
            for doc in documents:
                entries = [OutboxEntry.from_document(e) for e in doc[self._field]]
                batch.extend(entries)
                owners.append((doc["_id"], len(entries)))
            backlog += len(batch)
            results = await self._publish(batch)
            acknowledged: list[UpdateOne] = []
            position = 0
            for doc_id, count in owners:
                doc_results = results[position : position + count]
                doc_entries = batch[position : position + count]
                position += count
                sent = []
                for entry, error in zip(doc_entries, doc_results, strict=True):
                    if error is not None:
                        failed += 1
                        await self._record_failure(name, doc_id, entry, error)
                        break
                    sent.append(entry.id)
                if sent:
                    acknowledged.append(UpdateOne({"_id": doc_id}, {"$pull": {self._field: {"id": {"$in": sent}}}}))
                    published += len(sent)
            if acknowledged:
                # One round trip marks the whole batch sent.
                await collection.bulk_write(acknowledged, ordered=False)
        if self._metrics is not None:
            self._metrics.outbox_backlog.set(max(0, backlog - published))
            self._metrics.outbox_published.inc(published)
        return published, failed

    async def _record_failure(self, collection: str, doc_id: Any, entry: OutboxEntry, error: BaseException) -> None:
        if self._metrics is not None:
            self._metrics.outbox_failures.inc()
        log.warning("publishing %s to %s failed: %r", entry.id, entry.topic, error)
        await self._db[collection].update_one(
            {"_id": doc_id, f"{self._field}.id": entry.id},
            {"$inc": {f"{self._field}.$.attempts": 1}, "$set": {f"{self._field}.$.last_error": repr(error)[:500]}},
        )

    async def backlog(self) -> int:
        total = 0
        for name in self._collections:
            cursor = await self._db[name].aggregate(
                [
                    {"$match": {f"{self._field}.0": {"$exists": True}}},
                    {"$group": {"_id": None, "n": {"$sum": {"$size": f"${self._field}"}}}},
                ]
            )
            async for doc in cursor:
                total += int(doc["n"])
        return total
