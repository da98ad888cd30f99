"""The relay's lookup of pending documents among 10,000 quiet ones: today's
marker, served by its sparse unique index, against the former collection scan
(`_outbox.0 $exists`), on the real Mongo-wire server in one run.

    python -m bench.outbox_scan [MONGO_URL]   (or `python -m bench scan`)
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from bench.stats import write_result
from chassis.mongo import MongoDatabase, ensure_indexes
from chassis.outbox import OUTBOX_FIELD, Outbox, OutboxEntry, OutboxRelay, any_marker, outbox_indexes, pending_marker
from contracts import RatingUpdated
from devstack.stack import Stack

QUIET, PENDING, ROUNDS = 10_000, 10, 30


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def _noop(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
    return [None for _ in entries]


async def _timed(db: MongoDatabase, query: dict[str, Any]) -> tuple[float, int]:
    began = time.perf_counter()
    found = 0
    for _ in range(ROUNDS):
        found = len([doc async for doc in db["things"].find(query, {"_id": 1})])
    return (time.perf_counter() - began) / ROUNDS * 1000, found


async def measure(mongo_url: str) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"bench_scan_{uuid.uuid4().hex[:8]}"
    db = client[name]
    try:
        await ensure_indexes(db, outbox_indexes("things"))
        outbox = Outbox(_Clock())
        quiet = [{"_id": f"q{i}", "status": "active", "payload": "x" * 200, OUTBOX_FIELD: []} for i in range(QUIET)]
        for start in range(0, QUIET, 1000):
            await db["things"].insert_many(quiet[start : start + 1000])
        event = RatingUpdated(company_id="732829320", provider="p", rating="A", national_score=1, credit_limit_cents=1)
        for i in range(PENDING):
            await db["things"].insert_one(outbox.new_document({"_id": f"p{i}"}, event))
        scan_ms, scan_found = await _timed(db, {f"{OUTBOX_FIELD}.0": {"$exists": True}})
        marker_ms, marker_found = await _timed(db, any_marker(pending_marker(OUTBOX_FIELD)))
        assert scan_found == marker_found == PENDING
        relay = OutboxRelay(db, ["things"], outbox.wakeup, _noop)
        await relay.drain_once()  # delivers the pending ones
        began = time.perf_counter()
        for _ in range(ROUNDS):
            await relay.drain_once()
        idle_pass_ms = (time.perf_counter() - began) / ROUNDS * 1000
    finally:
        await client.drop_database(name)
        await client.close()
    return {
        "quiet_documents": QUIET,
        "pending_documents": PENDING,
        "collection_scan_ms": round(scan_ms, 3),
        "marker_index_ms": round(marker_ms, 3),
        "scan_to_index_ratio": round(scan_ms / marker_ms, 1),
        "idle_relay_pass_ms": round(idle_pass_ms, 3),
    }


async def bench_outbox_scan(stack: Stack) -> dict[str, Any]:
    return await measure(stack.mongo_url)


if __name__ == "__main__":  # the same results file `python -m bench` writes
    write_result("outbox_scan", asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017")))
