"""Parked relay entries: list them, retry them, or discard them.

    python -m chassis.outbox parked list SERVICE [--id ID] [--mongo URL] [--db NAME]
    python -m chassis.outbox parked retry SERVICE [--id ID] [--mongo URL] [--db NAME]
    python -m chassis.outbox parked discard SERVICE --id ID [--mongo URL] [--db NAME]

A parked entry stays where it was written, at the head of its document's
array (`state: "parked"`, with its attempts, last error and `parked_at`), and
holds back only the later entries of that document. `retry` makes it due
again with a fresh count of attempts; `discard` copies it into the
`discarded_entries` collection (nothing is lost) and then removes it, which
lets the later entries of its document go. Without `--id`, `retry` retries
every parked entry of the service; `discard` always needs an id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from chassis.mongo import MongoDatabase
from chassis.outbox import OUTBOX_FIELD, PARKED, any_marker, mark_pending, parked_marker

# Relay fields the chassis knows of: events, then mail (chassis.mail.COURIER_FIELD).
RELAY_FIELDS = (OUTBOX_FIELD, "_courier")
DISCARDED = "discarded_entries"


@dataclass(frozen=True)
class ParkedEntry:
    collection: str
    field: str
    document_id: Any
    entry: dict[str, Any]
    behind: int  # later entries of the same document, held back by this one

    @property
    def id(self) -> str:
        return str(self.entry["id"])

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "relay": self.field.lstrip("_"),
            "collection": self.collection,
            "document": str(self.document_id),
            "topic": self.entry.get("topic"),
            "attempts": self.entry.get("attempts"),
            "last_error": self.entry.get("last_error"),
            "parked_at": _iso(self.entry.get("parked_at")),
            "created_at": _iso(self.entry.get("created_at")),
            "held_back": self.behind,
        }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def list_parked(
    db: MongoDatabase, *, entry_id: str | None = None, fields: Sequence[str] = RELAY_FIELDS
) -> list[ParkedEntry]:
    """Every parked entry of the database (a document parks at most its head)."""
    found: list[ParkedEntry] = []
    for collection in sorted(await db.list_collection_names()):
        for field in fields:
            async for doc in db[collection].find(any_marker(parked_marker(field)), {field: 1}):
                entries = doc.get(field) or []
                for index, entry in enumerate(entries):
                    if entry.get("state") == PARKED and (entry_id is None or entry["id"] == entry_id):
                        found.append(ParkedEntry(collection, field, doc["_id"], entry, len(entries) - index - 1))
    return found


async def retry_parked(db: MongoDatabase, parked: ParkedEntry) -> bool:
    """Make a parked entry due again, with a fresh count of attempts."""
    field = parked.field
    result = await db[parked.collection].update_one(
        {"_id": parked.document_id, f"{field}.id": parked.id, parked_marker(field): {"$exists": True}},
        {
            "$set": {f"{field}.$.strikes": 0, **mark_pending(field)},
            "$unset": {
                f"{field}.$.state": "",
                f"{field}.$.parked_at": "",
                f"{field}.$.next_attempt_at": "",
                parked_marker(field): "",
            },
        },
    )
    return result.modified_count == 1


async def discard_parked(db: MongoDatabase, parked: ParkedEntry, *, now: datetime | None = None) -> bool:
    """Keep a copy in `discarded_entries`, then remove the entry so its document goes on."""
    copy = {
        "_id": parked.id,
        "collection": parked.collection,
        "field": parked.field,
        "document_id": parked.document_id,
        "entry": parked.entry,
        "discarded_at": now or datetime.now(UTC),
    }
    # Idempotent: a crash after the copy leaves the entry parked, and discarding again is safe.
    await db[DISCARDED].replace_one({"_id": parked.id}, copy, upsert=True)
    field = parked.field
    result = await db[parked.collection].update_one(
        {"_id": parked.document_id, f"{field}.id": parked.id, parked_marker(field): {"$exists": True}},
        {"$pull": {field: {"id": parked.id}}, "$set": mark_pending(field), "$unset": {parked_marker(field): ""}},
    )
    return result.modified_count == 1


async def _run(args: argparse.Namespace) -> int:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(args.mongo, tz_aware=True)
    try:
        db = client[args.db or args.service]
        parked = await list_parked(db, entry_id=args.id)
        if args.action == "list":
            for item in parked:
                print(json.dumps(item.summary()))
            return 0
        if args.id is not None and not parked:
            print(f"no parked entry {args.id} in {args.service}", file=sys.stderr)
            return 1
        if args.action == "retry":
            done = [item.id for item in parked if await retry_parked(db, item)]
            print(f"retried {len(done)} parked entr{'y' if len(done) == 1 else 'ies'} of {args.service}")
            return 0
        if args.id is None:
            print("discard needs --id (as printed by list)", file=sys.stderr)
            return 2
        done = [item.id for item in parked if await discard_parked(db, item)]
        print(
            f"discarded {len(done)} parked entr{'y' if len(done) == 1 else 'ies'} of {args.service}",
            f"(copied to {DISCARDED})",
        )
        return 0
    finally:
        await client.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.outbox", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    parked = sub.add_parser("parked", help="entries parked after repeated or permanent failures")
    parked.add_argument("action", choices=["list", "retry", "discard"])
    parked.add_argument("service", help="the service, i.e. its database name")
    parked.add_argument("--id", help="one entry (as printed by list)")
    parked.add_argument("--mongo", default="mongodb://127.0.0.1:27017", help="MongoDB URL")
    parked.add_argument("--db", help="database name, if not the service's name")
    return asyncio.run(_run(parser.parse_args(argv)))
