"""MongoDB access: the async client's lifecycle and indexes declared in code.

PyMongo's own async API (`AsyncMongoClient`) is used: Motor reached end of life
in May 2026 and this is its official successor. Everything here sticks to the
subset that MongoDB, FerretDB and mongo-java-server all implement: no
multi-document transactions, no change streams, no TTL or partial indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from chassis.settings import ServiceSettings

Document = dict[str, Any]
MongoDatabase = AsyncDatabase[Document]


@dataclass(frozen=True)
class IndexSpec:
    """One index of one collection, declared next to the code that needs it."""

    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    name: str = field(default="")

    def model(self) -> IndexModel:
        name = self.name or "_".join(f"{k}_{d}" for k, d in self.keys)
        return IndexModel(list(self.keys), unique=self.unique, name=name)


def ascending(collection: str, *fields: str, unique: bool = False) -> IndexSpec:
    return IndexSpec(collection, [(f, ASCENDING) for f in fields], unique=unique)


def connect(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """A client; it connects lazily, so a service starts even while Mongo is down.

    Fail fast: while the server is unreachable an operation gives up after
    `mongo_timeout_ms` (server selection and connection, 1 s by default)
    instead of the driver's 30 s, and the route answers 503 (`chassis.errors`).
    A socket that stops answering mid-operation is given up after
    `mongo_socket_timeout_ms`.
    """
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        connectTimeoutMS=settings.mongo_timeout_ms,
        socketTimeoutMS=settings.mongo_socket_timeout_ms,
        tz_aware=True,
        appname=settings.service_name,
    )


async def ensure_indexes(db: MongoDatabase, specs: Sequence[IndexSpec]) -> None:
    by_collection: dict[str, list[IndexModel]] = {}
    for spec in specs:
        by_collection.setdefault(spec.collection, []).append(spec.model())
    for collection, models in by_collection.items():
        await db[collection].create_indexes(models)


async def ping(db: MongoDatabase) -> bool:
    try:
        await db.command("ping")
    except Exception:
        return False
    return True


DUPLICATE_KEY = 11000


async def insert_new(collection: Any, documents: Sequence[Document]) -> int:
    """Insert `documents` in one unordered write, those whose `_id` is there already left as they
    are (an idempotent effect or record: a replay adds nothing). Returns how many were new."""
    if not documents:
        return 0
    try:
        result = await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        # Counted from the refused ones: the local Mongo-wire server's `nInserted` counts the whole batch.
        return len(documents) - len(errors)
    return len(result.inserted_ids)
