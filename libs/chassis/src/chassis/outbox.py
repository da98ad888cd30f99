"""Transactional outbox without multi-document transactions.

A state change and the events it causes are one atomic single-document write:
the events ride in the changed document itself, in its `_outbox` array, and
the same write sets the document's `_outbox_pending` marker (a fresh random
value, indexed: sparse and unique), so the relay finds pending documents
through an index instead of scanning the collection. The relay publishes
them (idempotent producer, acks=all), then pulls what was acknowledged and
clears the markers of the emptied documents in one write per pass, filtered
by the marker values it read: a document written since keeps its new entries
(ADR 0042). Every change to an entry array sets a fresh marker or removes it,
so a marker still holding the value read also proves the array is as read.

Ordering: events of one document are sent in the order written, with the
aggregate's id as key, so they share a partition. Only the acknowledged prefix
of a document's events is removed, so a failed event is retried before those
that follow it.

Failures are per entry, never global (ADR 0007): the failed entry gets its
own `next_attempt_at` (exponential backoff, capped) and only the later entries
of its own document wait behind it; every other document goes on at once, and
a writer's wake-up is served during the backoff. An entry whose failures are
its own fault (not a broker outage) is parked after `max_attempts`, or at once
for a `PermanentFailure` (a mail that cannot be built): it keeps its error and
attempts in place, `state: "parked"`, the document gets a `_outbox_parked`
marker, and the later entries of that document wait until an operator retries
or discards it (`python -m chassis.outbox parked list|retry|discard SERVICE`).
Anything may be sent twice (a crash between the send and the removal):
consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import IndexModel, UpdateOne

from chassis.clock import Clock
from chassis.leases import Leadership
from chassis.metrics import ServiceMetrics
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.telemetry import current_trace_context, trace_headers
from contracts import Envelope, Event

OUTBOX_FIELD = "_outbox"
PARKED = "parked"
PARKED_GAUGE_SECONDS = 10.0  # how often a relay recounts its parked entries for the gauge
log = logging.getLogger("chassis.outbox")


class PermanentFailure(Exception):
    """A publisher's verdict that no retry can deliver this entry: park it at once."""


class HeldBehind(Exception):
    """Not attempted: an earlier entry of the same key failed in this batch."""

    retriable = True  # not this entry's fault: never counted towards parking


def pending_marker(field: str) -> str:
    """Top-level field that says a document has entries of `field` to deliver."""
    return f"{field}_pending"


def parked_marker(field: str) -> str:
    """Top-level field that says a document has a parked entry in `field`."""
    return f"{field}_parked"


def mark_pending(field: str) -> dict[str, str]:
    """The `$set` (or insert) fields that flag a document for the relay of `field`.

    A fresh random value per write: the marker's index is unique and sparse,
    the only kind of secondary index mongo-java-server really maintains, and
    the relay clears it only if no writer changed it since its read.
    """
    return {pending_marker(field): uuid.uuid4().hex}


def with_entries(document: dict[str, Any], field: str, entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """`document`, for an insert, carrying `entries` for the relay of `field`."""
    return {**document, field: list(entries), **(mark_pending(field) if entries else {})}


def push_entries(update: dict[str, Any], field: str, entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """`update` (a MongoDB update document) that also appends `entries` to `field`."""
    push = dict(update.get("$push", {}))
    push[field] = {"$each": list(entries)}
    if not entries:
        return {**update, "$push": push}
    return {**update, "$push": push, "$set": {**update.get("$set", {}), **mark_pending(field)}}


@dataclass(frozen=True)
class MarkerIndex(IndexSpec):
    """A sparse unique index on a marker: documents without it are not indexed,
    so the relay's lookup costs the pending documents, not the collection."""

    def model(self) -> IndexModel:
        return IndexModel(list(self.keys), unique=True, sparse=True, name=self.name or f"{self.keys[0][0]}_sparse")


def relay_indexes(collection: str, field: str) -> list[IndexSpec]:
    return [
        MarkerIndex(collection, [(pending_marker(field), 1)]),
        MarkerIndex(collection, [(parked_marker(field), 1)]),
        ascending(collection, f"{field}.id"),
    ]


def any_marker(field: str) -> dict[str, Any]:
    """The query served by a marker's index (an equality-free match the
    mongo-java-server index can answer: a regular expression on its key)."""
    return {field: {"$regex": "^"}}


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


@dataclass(frozen=True)
class _Failure:
    """An entry the publisher did not deliver, with the document as the relay read it."""

    doc: dict[str, Any]
    index: int  # the entry's position in the document's array as read
    entry: OutboxEntry
    error: BaseException


def _at(fields: Mapping[str, Any], entry_path: str) -> dict[str, Any]:
    """`fields` with the entry's (keys starting with ".") under `entry_path`."""
    return {(f"{entry_path}{key}" if key.startswith(".") else key): value for key, value in fields.items()}


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


def stop_if_cancelled() -> None:
    """In a background loop's `except Exception`: a library can turn our
    cancellation into its own error (PyMongo's async I/O does); if this task
    is being cancelled, stop instead of retrying."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from None


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
        return with_entries(document, OUTBOX_FIELD, self.entries(*events))

    def update(self, update: dict[str, Any], *events: Event) -> dict[str, Any]:
        """`update` (a MongoDB update document) that also appends the events."""
        return push_entries(update, OUTBOX_FIELD, self.entries(*events))

    def notify(self) -> None:
        """Wake the relay after a write, so events go out without waiting for a poll."""
        self.wakeup.notify()


def outbox_indexes(*collections: str) -> list[IndexSpec]:
    return [spec for collection in collections for spec in relay_indexes(collection, OUTBOX_FIELD)]


def is_transient(error: BaseException) -> bool:
    """An outage of the destination, not the entry's fault: backed off, never
    counted towards parking (a broker outage delays events, it parks none)."""
    return isinstance(error, ConnectionError | TimeoutError) or bool(getattr(error, "retriable", False))


@dataclass(frozen=True)
class RelayPolicy:
    """How a relay retries: per entry, exponential, capped; parks after `max_attempts`."""

    poll_seconds: float = 0.5
    batch_size: int = 500
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 10.0
    max_attempts: int = 10
    # Documents whose writer did not flag them (written before the marker
    # existed, or by code that pushes entries by hand) are adopted this often.
    adopt_seconds: float = 30.0

    def delay(self, failures: int) -> float:
        return float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** max(0, failures - 1)))


class OutboxRelay:
    """Delivers the pending entries of the given collections until stopped.

    The same relay serves any durable hand-off embedded in documents: events to
    Kafka (field `_outbox`), and, for instance, mail to SMTP (the courier), by
    giving it another `field` and `publish`. With `indexed=False` it finds
    pending documents by scanning for a non-empty array instead of by marker
    (for writers that do not set the marker).
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
        policy: RelayPolicy | None = None,
        clock: Clock | None = None,
        indexed: bool = True,
        poll_seconds: float | None = None,
        leadership: Leadership | None = None,
    ) -> None:
        self._db = db
        self._collections = list(collections)
        self._wakeup = wakeup
        self._publish = publish
        self._metrics = metrics
        self._field = field
        policy = policy or RelayPolicy()
        if poll_seconds is not None:
            policy = RelayPolicy(**{**policy.__dict__, "poll_seconds": poll_seconds})
        self.policy = policy
        self._clock = clock
        self._indexed = indexed
        self._pending = pending_marker(field)
        self._parked = parked_marker(field)
        self._label = field.lstrip("_")
        self._stopped = asyncio.Event()
        self._next_due: datetime | None = None
        self._adopted_at: float | None = None
        self._gauged_at: float | None = None
        # When set, only the holder of this lease relays (the courier of a scaled-out service:
        # mail is an effect no consumer deduplicates). Without it, every instance relays and
        # consumers deduplicate what two relays both sent.
        self._leadership = leadership

    @property
    def field(self) -> str:
        return self._field

    @property
    def collections(self) -> list[str]:
        return list(self._collections)

    def _now(self) -> datetime:
        if self._clock is not None:
            return self._clock.now()
        return datetime.now(UTC)

    def stop(self) -> None:
        """End `run` after the pass in hand (or at once if it is waiting)."""
        self._stopped.set()
        self._wakeup.notify()

    async def run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                if self._leadership is not None and not await self._leadership.hold():
                    await self._wakeup.wait(self.policy.poll_seconds)  # another instance relays
                    continue
                await self._adopt_if_due()
                published, _ = await self.drain_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                stop_if_cancelled()
                # Mongo unreachable, for instance: nothing is lost, try again later
                # (a writer's wake-up still cuts the wait short).
                log.exception("%s relay pass failed", self._label)
                failures += 1
                await self._wakeup.wait(self.policy.delay(failures))
                continue
            if published == 0 and not self._stopped.is_set():
                await self._wakeup.wait(self._wait_seconds())
        if self._leadership is not None:
            with contextlib.suppress(Exception):
                await self._leadership.step_down()  # another instance takes over without waiting

    def _wait_seconds(self) -> float:
        """Until the next poll, or sooner if a backed-off entry falls due."""
        wait = self.policy.poll_seconds
        if self._next_due is not None:
            wait = min(wait, max(0.0, (self._next_due - self._now()).total_seconds()))
        return wait

    async def _adopt_if_due(self) -> None:
        if not self._indexed:
            return
        now = asyncio.get_running_loop().time()
        if self._adopted_at is not None and now - self._adopted_at < self.policy.adopt_seconds:
            return
        self._adopted_at = now
        await self.adopt_unmarked()

    async def adopt_unmarked(self) -> int:
        """Flag documents that hold entries but no marker (a collection scan,
        at start and then every `adopt_seconds`, not at every pass)."""
        adopted = 0
        for name in self._collections:
            collection = self._db[name]
            query = {f"{self._field}.0": {"$exists": True}, self._pending: {"$exists": False}}
            async for doc in collection.find(query, {"_id": 1, self._field: 1}):
                if all(entry.get("state") == PARKED for entry in doc[self._field][:1]):
                    continue
                result = await collection.update_one(
                    {"_id": doc["_id"], self._pending: {"$exists": False}}, {"$set": mark_pending(self._field)}
                )
                adopted += result.modified_count
        if adopted:
            log.info("%s relay adopted %d unmarked document(s)", self._label, adopted)
        return adopted

    def _scan(self) -> dict[str, Any]:
        if self._indexed:
            return any_marker(self._pending)
        return {f"{self._field}.0": {"$exists": True}}

    async def drain_once(self) -> tuple[int, int]:
        """One pass over every collection: (published, failed) counts."""
        published = failed = 0
        backlog = 0
        now = self._now()
        self._next_due = None
        for name in self._collections:
            collection = self._db[name]
            stale: list[str] = []  # markers of documents holding nothing deliverable
            # Every pending document is looked at (a backed-off one is skipped, not
            # fetched again and again in place of due ones); at most a batch is sent.
            async with collection.find(self._scan(), {self._field: 1, self._pending: 1}).batch_size(
                self.policy.batch_size
            ) as cursor:
                due, waiting = await self._due_documents(cursor, now, stale)
            backlog += waiting
            if stale:
                # Unflagged in one write, unless a writer flagged them again since our read.
                await collection.update_many({self._pending: {"$in": stale}}, {"$unset": {self._pending: ""}})
            if due:
                sent, errors = await self._deliver(collection, due, now)
                published += sent
                failed += errors
        if self._metrics is not None:
            self._metrics.outbox_backlog.labels(self._label).set(max(0, backlog - published))
            self._metrics.outbox_published.labels(self._label).inc(published)
            await self._refresh_parked_gauge(force=failed > 0)
        return published, failed

    async def _refresh_parked_gauge(self, *, force: bool) -> None:
        now = asyncio.get_running_loop().time()
        if not force and self._gauged_at is not None and now - self._gauged_at < PARKED_GAUGE_SECONDS:
            return
        self._gauged_at = now
        if self._metrics is not None:
            self._metrics.outbox_parked.labels(self._label).set(await self.parked_count())

    async def _due_documents(self, cursor: Any, now: datetime, stale: list[str]) -> tuple[list[dict[str, Any]], int]:
        """The documents whose head entry is due (up to a batch) and the count
        of entries seen; notes the next due time of the others and which ones
        hold nothing deliverable."""
        due: list[dict[str, Any]] = []
        seen = 0
        async for doc in cursor:
            entries = doc.get(self._field) or []
            seen += len(entries)
            head = entries[0] if entries else None
            if head is None or head.get("state") == PARKED:
                if self._indexed and doc.get(self._pending) is not None:
                    stale.append(doc[self._pending])  # nothing deliverable: to unflag
                continue
            next_at = head.get("next_attempt_at")
            if next_at is not None and next_at > now:
                self._next_due = next_at if self._next_due is None else min(self._next_due, next_at)
                continue
            due.append(doc)
            if len(due) >= self.policy.batch_size:
                break
        return due, seen

    async def _deliver(self, collection: Any, documents: list[dict[str, Any]], now: datetime) -> tuple[int, int]:
        batch: list[OutboxEntry] = []
        owners: list[tuple[dict[str, Any], int]] = []  # (document, entry count), in batch order
        for doc in documents:
            entries = [OutboxEntry.from_document(e) for e in doc[self._field]]
            batch.extend(entries)
            owners.append((doc, len(entries)))
        results = await self._publish(batch)
        cleared: list[tuple[dict[str, Any], list[str]]] = []  # every entry went
        pulls: list[UpdateOne] = []  # an entry failed: the sent ones before it go
        failures: list[_Failure] = []
        published = 0
        position = 0
        for doc, count in owners:
            doc_results = results[position : position + count]
            doc_entries = batch[position : position + count]
            position += count
            sent = []
            for index, (entry, error) in enumerate(zip(doc_entries, doc_results, strict=True)):
                if error is not None:
                    failures.append(_Failure(doc, index, entry, error))
                    break
                sent.append(entry.id)
            published += len(sent)
            if len(sent) == count and self._indexed and doc.get(self._pending) is not None:
                cleared.append((doc, sent))
            elif sent:
                pulls.append(self._pull(doc["_id"], sent))
        if failures:
            await self._record_failures(collection, failures, now)
        if cleared:
            pulls.extend(await self._clear(collection, cleared))
        if pulls:
            await collection.bulk_write(pulls, ordered=False)
        return published, len(failures)

    def _pull(self, doc_id: Any, sent: Sequence[str]) -> UpdateOne:
        """Removes sent entries from a document that keeps others: by `_id` (indexed), and with a
        fresh marker, since the array changed (see `_record_failures`)."""
        update: dict[str, Any] = {"$pull": {self._field: {"id": {"$in": list(sent)}}}}
        if self._indexed:
            update["$set"] = mark_pending(self._field)
        return UpdateOne({"_id": doc_id}, update)

    async def _clear(self, collection: Any, cleared: list[tuple[dict[str, Any], list[str]]]) -> list[UpdateOne]:
        """One write for every document whose entries all went (ADR 0042): the marker still holding
        the value read proves that no writer added entries since (each write sets a fresh one), so
        one `update_many` served by the marker's index pulls the sent entries and unflags them all.
        Returns the pulls for the documents written since the read: their new entries stay."""
        ids = [entry_id for _, sent in cleared for entry_id in sent]
        result = await collection.update_many(
            {self._pending: {"$in": [doc[self._pending] for doc, _ in cleared]}},
            {"$pull": {self._field: {"id": {"$in": ids}}}, "$unset": {self._pending: ""}},
        )
        if result.matched_count == len(cleared):
            return []
        # A writer came in between: the sent entries of those documents still wait to be pulled.
        sent_ids = set(ids)
        sent_of = {doc["_id"]: sent for doc, sent in cleared}
        return [
            self._pull(doc["_id"], sent_of[doc["_id"]])
            async for doc in collection.find({"_id": {"$in": list(sent_of)}}, {f"{self._field}.id": 1})
            if any(entry.get("id") in sent_ids for entry in doc.get(self._field) or [])
        ]

    async def _record_failures(self, collection: Any, failures: list[_Failure], now: datetime) -> None:
        """Counts each failure on its entry, in one write for the pass.

        Each goes by the document's marker (indexed, unlike a filter on `_id` and the entry's id,
        which mongo-java-server answers by scanning the collection) and addresses the entry by its
        position: a marker still holding the value read proves the array is as read, because
        whatever changes it (a writer, the relay's own pulls, an operator) sets a fresh value or
        removes it. A document whose marker changed since is written by `_id` and entry id."""
        planned = [(failure, self._failure_fields(failure, now)) for failure in failures]
        landed: set[str] = set()
        if self._indexed:
            marked = [(f, fields, mark_pending(self._field)) for f, fields in planned if f.doc.get(self._pending)]
            if marked:
                await collection.bulk_write(
                    [
                        UpdateOne(
                            {self._pending: f.doc[self._pending]},
                            {"$set": {**_at(fields, f"{self._field}.{f.index}"), **marker}},
                        )
                        for f, fields, marker in marked
                    ],
                    ordered=False,
                )
                markers = {marker[self._pending]: f.entry.id for f, _, marker in marked}
                query = {self._pending: {"$in": list(markers)}}
                landed = {markers[doc[self._pending]] async for doc in collection.find(query, {self._pending: 1})}
        parkings = sum(1 for f, fields in planned if f.entry.id in landed and self._parked in fields)
        for failure, fields in planned:
            if failure.entry.id in landed:
                continue
            update = _at(fields, f"{self._field}.$")
            if self._indexed:
                update.update(mark_pending(self._field))
            result = await collection.update_one(
                {"_id": failure.doc["_id"], f"{self._field}.id": failure.entry.id}, {"$set": update}
            )
            parkings += 1 if result.modified_count and self._parked in fields else 0
        if self._metrics is not None and parkings:
            self._metrics.outbox_parkings.labels(self._label).inc(parkings)

    def _failure_fields(self, failure: _Failure, now: datetime) -> dict[str, Any]:
        """What a failure changes: entry fields (keys starting with ".") and, when it parks, the
        document's parked marker."""
        raw, entry, error = failure.doc[self._field][failure.index], failure.entry, failure.error
        attempts = int(raw.get("attempts", 0)) + 1
        transient = is_transient(error)
        strikes = int(raw.get("strikes", 0)) + (0 if transient else 1)
        park = isinstance(error, PermanentFailure) or strikes >= self.policy.max_attempts
        if self._metrics is not None:
            self._metrics.outbox_failures.labels(self._label).inc()
        fields: dict[str, Any] = {
            ".attempts": attempts,
            ".strikes": strikes,
            ".last_error": repr(error)[:500],
            ".last_attempt_at": now,
        }
        doc_id = failure.doc["_id"]
        if park:
            fields[".state"] = PARKED
            fields[".parked_at"] = now
            fields[self._parked] = uuid.uuid4().hex
            log.error(
                "parked %s entry %s of %s after %d attempt(s): %r", self._label, entry.id, doc_id, attempts, error
            )
        else:
            next_at = now + timedelta(seconds=self.policy.delay(attempts))
            fields[".next_attempt_at"] = next_at
            self._next_due = next_at if self._next_due is None else min(self._next_due, next_at)
            log.warning("delivering %s entry %s failed (attempt %d): %r", self._label, entry.id, attempts, error)
        return fields

    async def backlog(self) -> int:
        total = 0
        for name in self._collections:
            async for doc in self._db[name].find(self._scan(), {self._field: 1}):
                total += len(doc.get(self._field) or [])
        return total

    async def parked_count(self) -> int:
        """Parked entries (one per document at most: only a head can park)."""
        total = 0
        for name in self._collections:
            async for _ in self._db[name].find(any_marker(self._parked), {"_id": 1}):
                total += 1
        return total


if __name__ == "__main__":
    import sys

    from chassis.parking import main

    sys.exit(main())
