"""Revoked sessions, known to every process that verifies access tokens.

Identity announces closed sessions with `SessionsRevoked`. A revocation
matters only while the tokens it kills could still be valid: one access-token
lifetime. So each process (each instance of each service, the gateway) reads
the topic with its own group-less consumer, starting from (now - that
lifetime), and keeps the revocations in memory, forgetting each one after the
lifetime. No database; right after a restart too, as the feed reads back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from chassis.clock import Clock, SystemClock
from contracts import Envelope, SessionsRevoked

log = logging.getLogger("chassis.revocation")


@dataclass
class RevocationList:
    """Revoked session ids and per-account "issued before" instants, each kept
    for `ttl` after its revocation (then every token it concerned has expired)."""

    ttl: timedelta
    clock: Clock = field(default_factory=SystemClock)
    _sessions: dict[str, datetime] = field(default_factory=dict)  # sid -> forget after
    _accounts: dict[str, tuple[int, datetime]] = field(default_factory=dict)  # sub -> (iat limit, forget after)

    def add(self, event: SessionsRevoked) -> None:
        forget_after = event.revoked_at + self.ttl
        if forget_after <= self.clock.now():
            return
        for sid in event.session_ids:
            self._sessions[sid] = max(forget_after, self._sessions.get(sid, forget_after))
        if event.issued_before is not None:
            limit = math.floor(event.issued_before.timestamp())
            known = self._accounts.get(event.account_id)
            if known is not None:
                limit, forget_after = max(limit, known[0]), max(forget_after, known[1])
            self._accounts[event.account_id] = (limit, forget_after)

    def is_revoked(self, claims: dict[str, Any]) -> bool:
        """Whether verified claims belong to a revoked session."""
        self.prune()
        sid = claims.get("sid")
        if isinstance(sid, str) and sid in self._sessions:
            return True
        revoked = self._accounts.get(str(claims.get("sub")))
        iat = claims.get("iat")
        # Whole seconds (the `iat` of our tokens): a token of the revocation's own
        # second survives this rule, and is caught by its session id if it was open.
        return revoked is not None and isinstance(iat, int | float) and iat < revoked[0]

    def prune(self) -> None:
        now = self.clock.now()
        for sid in [sid for sid, until in self._sessions.items() if until <= now]:
            del self._sessions[sid]
        for account in [a for a, (_, until) in self._accounts.items() if until <= now]:
            del self._accounts[account]

    def __len__(self) -> int:
        return len(self._sessions) + len(self._accounts)


class RevocationFeed:
    """A background loop: reads `SessionsRevoked` from (now - ttl) into a
    `RevocationList`, without a consumer group (every instance reads it all),
    and keeps reading until stopped. Kafka being away only delays it."""

    def __init__(
        self,
        revocations: RevocationList,
        bootstrap_servers: str,
        *,
        client_id: str,
        topic: str = SessionsRevoked.topic,
        retry_seconds: float = 2.0,
        **client_options: Any,
    ) -> None:
        self._revocations = revocations
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._topic = topic
        self._retry = retry_seconds
        self._options = client_options
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                await self._follow()
            except Exception as error:  # Kafka away or anything else: the feed must go on
                log.warning("revocation feed interrupted (%r), retrying in %.0fs", error, self._retry)
            await self._pause(self._retry)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopped.wait()

    async def _follow(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            client_id=f"{self._client_id}-revocations",
            group_id=None,
            enable_auto_commit=False,
            **self._options,
        )
        try:
            await consumer.start()
            partitions = await self._partitions(consumer)
            if not partitions:
                return  # not created yet: retried after the pause
            consumer.assign(partitions)
            await self._seek_to_lookback(consumer, partitions)
            while not self._stopped.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        self._apply(record.value)
        finally:
            await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        numbers = consumer.partitions_for_topic(self._topic)
        if numbers is None:
            await consumer._client.force_metadata_update()
            numbers = consumer.partitions_for_topic(self._topic)
        return [TopicPartition(self._topic, n) for n in sorted(numbers or ())]

    async def _seek_to_lookback(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        since = self._revocations.clock.now() - self._revocations.ttl
        offsets = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
        for tp in partitions:
            found = offsets.get(tp)
            if found is None:
                await consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, found.offset)

    def _apply(self, value: bytes | None) -> None:
        try:
            envelope = Envelope.model_validate_json(value or b"")
            event = SessionsRevoked.model_validate(envelope.payload)
        except ValidationError as error:
            log.warning("unreadable revocation skipped: %s", error)
            return
        if envelope.source != SessionsRevoked.event_owner:
            log.warning("revocation from %r skipped: only identity revokes sessions", envelope.source)
            return
        self._revocations.add(event)
