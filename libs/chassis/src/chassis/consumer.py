"""Idempotent event consumption with bounded retries and a dead-letter topic.

For every message of a subscribed topic:
1. decode the envelope and its payload (a message that does not decode is
   poison: straight to the dead-letter topic);
2. skip it if this consumer group already applied that event id (the inbox);
3. run the handler, retrying with exponential backoff up to a bound;
4. record the event id in the inbox, then let the offset be committed.
A handler that still fails after the bound sends the message to the group's
dead-letter topic and the consumer moves on. Infrastructure errors (Mongo or
Kafka unreachable) are not the message's fault: the message is not committed
and is delivered again once the dependency is back.

Handlers must make their effect idempotent per event id too (an insert keyed
by the aggregate id, a conditional update), since a crash between the effect
and the inbox record redelivers the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from chassis.clock import Clock
from chassis.metrics import ServiceMetrics
from chassis.mongo import IndexSpec, MongoDatabase
from contracts import Envelope, Event, UnknownEventError, dead_letter_topic, decode_event

INBOX = "inbox"
INBOX_INDEXES: list[IndexSpec] = []  # keyed by _id = "<group>:<event id>": unique by construction
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (ConnectionFailure, KafkaConnectionError, KafkaTimeoutError)

E = TypeVar("E", bound=Event)
Handler = Callable[[E, Envelope], Awaitable[None]]
log = logging.getLogger("chassis.consumer")


class Retryable(Exception):
    """Raised by a handler for a condition expected to clear by itself."""


RETRY_IN_PLACE: tuple[type[Exception], ...] = (*TRANSIENT_ERRORS, Retryable)


class PoisonMessage(Exception):
    """A message that no retry can make valid."""


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
        self.topics: list[str] = []

    def on(self, event_cls: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Decorator: handle `event_cls` events with the decorated coroutine."""

        def register(handler: Handler[E]) -> Handler[E]:
            async def on_message(message: KafkaMessage) -> None:
                await self.process(event_cls, handler, message)

            on_message.__name__ = f"on_{event_cls.event_name}"
            on_message.__doc__ = handler.__doc__
            self._broker.subscriber(
                event_cls.topic,
                group_id=self.group_id,
                ack_policy=AckPolicy.NACK_ON_ERROR,
                auto_offset_reset="earliest",
                title=f"{self.group_id}:{event_cls.topic}",
                description=handler.__doc__,
            )(on_message)
            self.topics.append(event_cls.topic)
            return handler

        return register

    async def process(self, event_cls: type[E], handler: Handler[E], message: Any) -> None:
        record = message.raw_message
        started = time.perf_counter()
        event_type = event_cls.event_name
        try:
            envelope, event = self._decode(event_cls, record.value)
        except PoisonMessage as poison:
            await self._dead_letter(record, reason=str(poison), attempts=0)
            self._observe(event_type, "dead_lettered", started)
            return
        inbox_id = f"{self.group_id}:{envelope.event_id}"
        if await self._inbox.find_one({"_id": inbox_id}, {"_id": 1}) is not None:
            self._observe(event_type, "duplicate", started)
            self._record_lag(message)
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                await handler(event, envelope)
                break
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
                    self._observe(event_type, "dead_lettered", started)
                    return
                await asyncio.sleep(self._delay(attempt))
        # A duplicate key means another instance of this group applied it concurrently.
        with contextlib.suppress(DuplicateKeyError):
            await self._inbox.insert_one({"_id": inbox_id, "event_type": event_type, "applied_at": self._clock.now()})
        self._observe(event_type, "applied", started)
        self._record_lag(message)

    def _decode(self, event_cls: type[E], value: bytes | None) -> tuple[Envelope, E]:
        try:
            envelope = Envelope.model_validate_json(value or b"")
            event = decode_event(envelope)
        except (ValidationError, UnknownEventError, ValueError) as error:
            raise PoisonMessage(f"undecodable message: {error}") from error
        if not isinstance(event, event_cls):
            raise PoisonMessage(f"{envelope.type} v{envelope.version} on the topic of {event_cls.event_name}")
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

    def _record_lag(self, message: Any) -> None:
        record = message.raw_message
        consumer = getattr(message, "consumer", None)
        highwater = getattr(consumer, "highwater", None)
        if highwater is None:
            return
        end = highwater(TopicPartition(record.topic, record.partition))
        if end is not None:
            self._metrics.consumer_lag.labels(record.topic, str(record.partition)).set(max(0, end - record.offset - 1))
