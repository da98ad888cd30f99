"""Idempotent event consumption with bounded retries and a dead-letter topic.

Messages come in batches (one inbox lookup, one inbox write and one offset
commit per batch, instead of per message); for each message, in order:
1. decode the envelope and its payload, and check it against the topic's
   contract: its type and version are the topic's event, and its `source` is
   the topic's owner (libs/contracts). A message that does not decode, or
   that claims another source or event, is poison: straight to the
   dead-letter topic, never applied;
2. skip it if this consumer group already handled that event id (the inbox:
   applied, or dead-lettered);
3. run the handler, retrying with exponential backoff up to a bound;
4. record the event id in the inbox; once the batch is done, the offsets are
   committed.
A handler that still fails after the bound sends the message to the group's
dead-letter topic and the consumer moves on. Dead-lettered event ids are
recorded in the inbox too (`outcome: dead_lettered`), so a rewind or a replay
from offset 0 does not dead-letter them again; a copy republished by
`python -m chassis.deadletters replay` (header `x-replayed-from`) is the one
message that is handled again. Infrastructure errors (Mongo or
Kafka unreachable) are not the message's fault: the message is not committed
and is delivered again once the dependency is back.

Handlers must make their effect idempotent per event id too (an insert keyed
by the aggregate id, a conditional update), since a crash between the effect
and the inbox record redelivers the message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import trace
from opentelemetry.trace import Link, Tracer
from pydantic import ValidationError

from chassis.clock import Clock
from chassis.errors import DEPENDENCY_ERRORS
from chassis.metrics import ServiceMetrics
from chassis.mongo import IndexSpec, MongoDatabase, insert_new
from chassis.telemetry import context_from_headers, trace_headers
from contracts import Envelope, Event, UnknownEventError, dead_letter_topic, decode_event

INBOX = "inbox"
INBOX_INDEXES: list[IndexSpec] = []  # keyed by _id = "<group>:<event id>": unique by construction
# A dependency that is down is no handler failure: the message is retried in place.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = DEPENDENCY_ERRORS

APPLIED, DEAD_LETTERED = "applied", "dead_lettered"
REPLAYED_HEADER = "x-replayed-from"

E = TypeVar("E", bound=Event)
Handler = Callable[[E, Envelope], Awaitable[None]]
# The new events of a Kafka batch, in offset order (`EventConsumer.on_batch`).
BatchHandler = Callable[[Sequence[tuple[E, Envelope]]], Awaitable[None]]
log = logging.getLogger("chassis.consumer")


class Retryable(Exception):
    """Raised by a handler for a condition expected to clear by itself."""


RETRY_IN_PLACE: tuple[type[Exception], ...] = (*TRANSIENT_ERRORS, Retryable)


class ConsumerStopping(Exception):
    """Raised between two records of a batch when the service stops: the rest
    of the batch stays uncommitted and is delivered again after the restart."""


class PoisonMessage(Exception):
    """A message that no retry can make valid (with its envelope, if it had one)."""

    def __init__(self, reason: str, envelope: Envelope | None = None) -> None:
        super().__init__(reason)
        self.envelope = envelope


def _is_replay(record: Any) -> bool:
    return any(key == REPLAYED_HEADER for key, _ in (getattr(record, "headers", None) or ()))


def _envelope_of(item: tuple[Envelope, Any] | PoisonMessage) -> Envelope | None:
    return item.envelope if isinstance(item, PoisonMessage) else item[0]


def one_by_one(batch: BatchHandler[E]) -> Handler[E]:
    """A batch handler as the handler of one event (a batch of one)."""

    async def one(event: E, envelope: Envelope) -> None:
        await batch([(event, envelope)])

    return one


class EventConsumer:
    """Registers idempotent handlers of integration events on a broker."""

    def __init__(
        self,
        *,
        group_id: str,
        broker: KafkaBroker,
        db: MongoDatabase,
        metrics: ServiceMetrics,
        clock: Clock,
        max_attempts: int = 4,
        backoff_seconds: float = 0.2,
        backoff_max_seconds: float = 5.0,
        batch_size: int = 500,
        tracer: Tracer | None = None,
    ) -> None:
        self.group_id = group_id
        self.dead_letter_topic = dead_letter_topic(group_id)
        self._broker = broker
        self._inbox = db[INBOX]
        self._metrics = metrics
        self._clock = clock
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._backoff_max = backoff_max_seconds
        self._batch_size = batch_size
        self._stopping = False
        self._tracer = tracer or trace.get_tracer("chassis.consumer")
        self.topics: list[str] = []

    def stop(self) -> None:
        """Finish the record in hand and take no more: called before the broker
        stops, which otherwise waits for whole batches to be handled."""
        self._stopping = True

    def kafka_group(self, event_cls: type[Event]) -> str:
        """The Kafka consumer group of one subscription.

        One group per (service, topic), not one per service: FastStream runs a
        consumer per subscription, and consumers of one group with different
        topics rebalance each other at every start and stop (minutes, with
        several subscriptions). Instances of a service still share each group,
        so partitions are split between them. The inbox and the dead-letter
        topic stay per service (`group_id`).
        """
        return f"{self.group_id}.{event_cls.topic}"

    def on(self, event_cls: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Decorator: handle `event_cls` events with the decorated coroutine."""

        def register(handler: Handler[E]) -> Handler[E]:
            async def on_records(message: KafkaMessage) -> None:
                await self.process(event_cls, handler, message)

            self._subscribe(event_cls, on_records, handler.__doc__)
            return handler

        return register

    def on_batch(self, event_cls: type[E]) -> Callable[[BatchHandler[E]], BatchHandler[E]]:
        """Decorator: handle `event_cls` events a batch at a time, for effects that can be written
        in one round trip (ADR 0036). The decorated coroutine gets the new events of a Kafka batch
        (not in the inbox yet), in offset order, and must make their effects idempotent per event id
        (an unordered insert keyed by it, duplicates ignored) and in order per key. The inbox, the
        commit after, poison messages and the dead-letter topic are as with `on`; if the batch fails
        for any reason but the consumer stopping, each of its events is handled alone, with `on`'s
        retries and dead-lettering, so one bad event never holds up or dead-letters the others."""

        def register(handler: BatchHandler[E]) -> BatchHandler[E]:
            one = one_by_one(handler)

            async def on_records(message: KafkaMessage) -> None:
                await self.process(event_cls, one, message, batch=handler)

            self._subscribe(event_cls, on_records, handler.__doc__)
            return handler

        return register

    def _subscribe(self, event_cls: type[Event], on_records: Callable[[Any], Awaitable[None]], doc: str | None) -> None:
        on_records.__name__ = f"on_{event_cls.event_name}"
        on_records.__doc__ = doc
        self._broker.subscriber(
            event_cls.topic,
            group_id=self.kafka_group(event_cls),
            batch=True,
            max_records=self._batch_size,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            title=f"{self.group_id}:{event_cls.topic}",
            description=doc,
        )(on_records)
        self.topics.append(event_cls.topic)

    async def process(
        self, event_cls: type[E], handler: Handler[E], message: Any, *, batch: BatchHandler[E] | None = None
    ) -> None:
        """Handle a batch of records in order. Offsets are committed (by the
        subscriber's ack) only when the whole batch was handled; a transient
        failure rewinds every partition of the batch to its first record, and
        the inbox skips what was already applied. With `batch`, the new events
        are first handled together (`on_batch`); what that did not apply goes
        through `handler`, one by one."""
        raw = message.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        decoded = [self._try_decode(event_cls, record) for record in records]
        inbox_ids = [self._inbox_id(envelope) for envelope in map(_envelope_of, decoded) if envelope is not None]
        seen: dict[str, str] = {
            doc["_id"]: doc.get("outcome", APPLIED)
            async for doc in self._inbox.find({"_id": {"$in": inbox_ids}}, {"_id": 1, "outcome": 1})
        }
        applied_together = await self._handle_together(event_cls, batch, decoded, seen) if batch is not None else set()
        newly_recorded: list[dict[str, Any]] = []
        try:
            for index, (record, item) in enumerate(zip(records, decoded, strict=True)):
                if self._stopping and index not in applied_together:
                    raise ConsumerStopping(f"{self.group_id} is stopping")
                started = time.perf_counter()
                envelope = _envelope_of(item)
                inbox_id = self._inbox_id(envelope) if envelope is not None else None
                previously = seen.get(inbox_id) if inbox_id is not None else None
                if previously == APPLIED or (previously == DEAD_LETTERED and not _is_replay(record)):
                    # Handled before: applied, or dead-lettered (only its replayed copy is handled again).
                    self._observe(event_cls.event_name, "duplicate", started)
                    continue
                if index in applied_together:
                    outcome = APPLIED
                elif isinstance(item, PoisonMessage):
                    await self._dead_letter(record, reason=str(item), attempts=0)
                    outcome = DEAD_LETTERED
                else:
                    envelope, event = item
                    with self._tracer.start_as_current_span(
                        f"handle {envelope.type}", context=context_from_headers(trace_headers(envelope.trace))
                    ):
                        outcome = await self._handle(handler, record, envelope, event)
                if envelope is not None and inbox_id is not None:
                    seen[inbox_id] = outcome
                    newly_recorded.append(
                        {
                            "_id": inbox_id,
                            "event_type": envelope.type,
                            "outcome": outcome,
                            "recorded_at": self._clock.now(),
                            "replaces": previously,
                        }
                    )
                self._observe(event_cls.event_name, outcome, started)
        finally:
            # Record what was handled even when a later record failed, so that
            # the redelivered batch skips it.
            if newly_recorded:
                await self._record_handled(newly_recorded)
        self._record_lag(message, records)

    async def _handle_together(
        self,
        event_cls: type[E],
        batch: BatchHandler[E],
        decoded: list[tuple[Envelope, E] | PoisonMessage],
        seen: dict[str, str],
    ) -> set[int]:
        """Run `batch` once on the batch's new events: the positions it applied (none if it failed)."""
        fresh = [
            (index, item)
            for index, item in enumerate(decoded)
            if not isinstance(item, PoisonMessage) and self._inbox_id(item[0]) not in seen
        ]
        if not fresh or self._stopping:
            return set()
        # One span for the batch, linked to the trace of each event (the requests that caused them).
        links = [
            Link(trace.get_current_span(context_from_headers(trace_headers(envelope.trace))).get_span_context())
            for _, (envelope, _event) in fresh
            if envelope.trace
        ]
        with self._tracer.start_as_current_span(
            f"handle {len(fresh)} {event_cls.event_name}", links=links, record_exception=False
        ):
            try:
                await batch([(event, envelope) for _, (envelope, event) in fresh])
            except Exception as error:
                # Each event alone then, with the retries and dead-lettering of `on`.
                log.warning("%s: a batch of %d failed (%r); handling them one by one", self.group_id, len(fresh), error)
                return set()
        return {index for index, _ in fresh}

    async def _handle(self, handler: Handler[E], record: Any, envelope: Envelope, event: E) -> str:
        """Run the handler with bounded retries: 'applied' or 'dead_lettered'."""
        attempt = 0
        while True:
            attempt += 1
            try:
                await handler(event, envelope)
                return "applied"
            except RETRY_IN_PLACE as error:
                # Not the message's fault: back off, then leave it uncommitted.
                await asyncio.sleep(self._delay(attempt))
                if attempt >= self._max_attempts:
                    log.warning("transient failure handling %s, will redeliver: %r", envelope.event_id, error)
                    raise
            except Exception as error:
                if attempt >= self._max_attempts:
                    log.exception("handler failed %d times on %s: dead-lettering", attempt, envelope.event_id)
                    await self._dead_letter(record, reason=repr(error), attempts=attempt)
                    return "dead_lettered"
                await asyncio.sleep(self._delay(attempt))

    def _inbox_id(self, envelope: Envelope) -> str:
        return f"{self.group_id}:{envelope.event_id}"

    async def _record_handled(self, documents: list[dict[str, Any]]) -> None:
        fresh = [{k: v for k, v in doc.items() if k != "replaces"} for doc in documents if doc["replaces"] is None]
        # Already there: another instance of this group handled some concurrently.
        await insert_new(self._inbox, fresh)
        for doc in documents:
            if doc["replaces"] is not None:
                # A replayed dead letter: its new outcome replaces the dead-lettered record.
                await self._inbox.update_one(
                    {"_id": doc["_id"], "outcome": doc["replaces"]},
                    {"$set": {"outcome": doc["outcome"], "recorded_at": doc["recorded_at"]}},
                )

    def _try_decode(self, event_cls: type[E], value_record: Any) -> tuple[Envelope, E] | PoisonMessage:
        try:
            return self._decode(event_cls, value_record.value)
        except PoisonMessage as poison:
            return poison

    def _decode(self, event_cls: type[E], value: bytes | None) -> tuple[Envelope, E]:
        try:
            envelope = Envelope.model_validate_json(value or b"")
        except (ValidationError, ValueError) as error:
            raise PoisonMessage(f"undecodable message: {error}") from error
        try:
            event = decode_event(envelope)
        except (ValidationError, UnknownEventError, ValueError) as error:
            raise PoisonMessage(f"undecodable payload: {error}", envelope) from error
        if not isinstance(event, event_cls):
            raise PoisonMessage(
                f"contract mismatch: {envelope.type} v{envelope.version} on the topic of "
                f"{event_cls.event_name} v{event_cls.event_version}",
                envelope,
            )
        if envelope.source != event_cls.event_owner:
            raise PoisonMessage(
                f"not from the topic's owner: source {envelope.source!r} on {event_cls.topic}, "
                f"owned by {event_cls.event_owner!r}",
                envelope,
            )
        return envelope, event

    def _delay(self, attempt: int) -> float:
        return float(min(self._backoff_max, self._backoff * 2 ** (attempt - 1)))

    async def _dead_letter(self, record: Any, *, reason: str, attempts: int) -> None:
        headers = {
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
            "x-consumer-group": self.group_id,
            "x-error": reason[:1000],
            "x-attempts": str(attempts),
            "x-dead-lettered-at": datetime.now(UTC).isoformat(),
        }
        # Awaited with acknowledgement: if this fails, the message stays uncommitted.
        await self._broker.publish(record.value or b"", topic=self.dead_letter_topic, key=record.key, headers=headers)
        self._metrics.dead_letters.labels(self.dead_letter_topic).inc()
        log.warning("dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason)

    def _observe(self, event_type: str, outcome: str, started: float) -> None:
        self._metrics.events_handled.labels(event_type, outcome).inc()
        self._metrics.handler_latency.labels(event_type, outcome).observe(time.perf_counter() - started)

    def _record_lag(self, message: Any, records: tuple[Any, ...]) -> None:
        consumer = getattr(message, "consumer", None)
        highwater = getattr(consumer, "highwater", None)
        if highwater is None:
            return
        last = {(r.topic, r.partition): r.offset for r in records}  # records are in offset order
        for (topic, partition), offset in last.items():
            end = highwater(TopicPartition(topic, partition))
            if end is not None:
                self._metrics.consumer_lag.labels(topic, str(partition)).set(max(0, end - offset - 1))
