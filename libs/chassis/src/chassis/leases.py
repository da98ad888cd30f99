"""Leases on claimed work: the one mechanism for every service that claims work
(billing's debit runs today; recovery's deadlines and ratings' monitoring
checks next).

A unit of work is one MongoDB document that carries:

- a lease field (default `lease`): `None` when free, else
  `{"owner": <process id>, "until": <UTC datetime>}`;
- a version counter (default `version`) that every write increments: the
  fencing token.

How it works, all on the injectable `Clock`:

- **claim**: one conditional findAndModify takes a document matching the
  caller's query whose lease is free or lapsed (`until < now`), sets
  `{owner, until: now + ttl}` and increments the version. Two instances never
  hold the same document: the server applies one findAndModify at a time.
- **renew**: while it lives, the holder extends `until` of everything it holds
  every `renew_every` (ttl/3 by default) with `LeaseRenewer`, a background
  loop. A renewal matches on the owner and does not change the version, so the
  holder's own pending write stays valid.
- **write / complete**: the holder's writes are conditional on `held(claim)`
  (id, version at claim time, owner). Once its lease lapsed and another took the
  document, the version moved on and the old holder's write matches nothing:
  it writes nothing (fencing). `complete` (or `release`) clears the lease in
  the same write as the result.
- **takeover**: a dead holder stops renewing; its leases lapse within `ttl`
  and the next claim takes them. `next_expiry` tells a runner when the earliest
  lease held by someone else on matching work lapses, so it can come back then
  rather than at its next scheduled pass.

Work must be safe to redo by the next holder after a crash between an external
effect and its recording (billing: the provider's idempotency key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from chassis.clock import Clock
from chassis.errors import DEPENDENCY_ERRORS
from chassis.mongo import Document

log = logging.getLogger("chassis.leases")


def new_owner(prefix: str) -> str:
    """A process's owner id: unique per process start."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Claim:
    """A document held by this process: its id and its version right after the claim."""

    id: Any
    version: int
    document: Document


@dataclass
class Leases:
    """Claims on the documents of one collection, for one owner (one process)."""

    collection: AsyncCollection[Document]
    owner: str
    clock: Clock
    ttl: timedelta
    renew_every: timedelta | None = None
    lease_field: str = "lease"
    version_field: str = "version"
    # Told the previous owner when a claim takes over a lapsed lease (a metric, an alert).
    on_takeover: Callable[[str], None] | None = None
    _held: dict[Any, Claim] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.ttl <= timedelta(0):
            raise ValueError("a lease's ttl must be positive")
        if self.renew_every is None:
            self.renew_every = self.ttl / 3
        if not timedelta(0) < self.renew_every < self.ttl:
            raise ValueError("leases must be renewed more often than they last")

    # --- conditions other writers use ---------------------------------------------

    def free(self, now: datetime | None = None) -> Document:
        """Documents nobody holds (never claimed, released, or lapsed)."""
        at = now or self.clock.now()
        return {"$or": [{self.lease_field: None}, {f"{self.lease_field}.until": {"$lt": at}}]}

    def held(self, claim: Claim) -> Document:
        """The condition of a write by the holder: the document is still as it claimed it."""
        return {"_id": claim.id, self.version_field: claim.version, f"{self.lease_field}.owner": self.owner}

    def completing(self, update: Document | None = None) -> Document:
        """`update` plus clearing the lease and moving the version on."""
        result: Document = {key: dict(value) for key, value in (update or {}).items()}
        result.setdefault("$set", {})[self.lease_field] = None
        result.setdefault("$inc", {})[self.version_field] = 1
        return result

    # --- the holder's life cycle ----------------------------------------------------

    async def claim(
        self,
        query: Document,
        *,
        projection: Document | None = None,
        sort: list[tuple[str, int]] | None = None,
    ) -> Claim | None:
        """Take one document matching `query` whose lease is free or lapsed, or None."""
        now = self.clock.now()
        lease = {"owner": self.owner, "until": now + self.ttl}
        projection = self._with_lease(projection)
        # The document as it was, so that a takeover of a lapsed lease is seen.
        before = await self.collection.find_one_and_update(
            {"$and": [query, self.free(now)]},
            {"$set": {self.lease_field: lease}, "$inc": {self.version_field: 1}},
            projection=projection,
            sort=sort,
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return None
        previous = before.get(self.lease_field)
        if isinstance(previous, dict) and previous.get("owner") not in (None, self.owner) and self.on_takeover:
            self.on_takeover(str(previous["owner"]))
        document = {**before, self.lease_field: lease, self.version_field: int(before.get(self.version_field, 0)) + 1}
        claim = Claim(document["_id"], int(document[self.version_field]), document)
        self._held[claim.id] = claim
        return claim

    def _with_lease(self, projection: Document | None) -> Document | None:
        """`projection`, keeping the lease and version fields the claim needs. MongoDB
        refuses a projection mixing inclusions and exclusions (`_id` aside)."""
        if projection is None:
            return None
        kept = (self.lease_field, self.version_field)
        including = any(value for key, value in projection.items() if key != "_id")
        if including:
            return {**projection, **dict.fromkeys(kept, 1)}
        return {key: value for key, value in projection.items() if key not in kept}

    def forget(self, claim: Claim) -> None:
        """Stop renewing `claim` (done with it, or lost it)."""
        if self._held.get(claim.id) == claim:
            del self._held[claim.id]

    async def complete(self, claim: Claim, update: Document | None = None) -> bool:
        """Apply `update` and give the lease back in one write; False if the claim was lost."""
        try:
            result = await self.collection.update_one(self.held(claim), self.completing(update))
        finally:
            self.forget(claim)
        return result.matched_count == 1

    async def release(self, claim: Claim, update: Document | None = None) -> bool:
        """Give the document back with nothing done (`update` may reschedule it)."""
        return await self.complete(claim, update)

    async def renew(self) -> int:
        """Extend every lease this owner still holds to now + ttl; returns how many."""
        if not self._held:
            return 0
        ids = list(self._held)
        result = await self.collection.update_many(
            {"_id": {"$in": ids}, f"{self.lease_field}.owner": self.owner},
            {"$set": {f"{self.lease_field}.until": self.clock.now() + self.ttl}},
        )
        return result.matched_count

    @property
    def holding(self) -> int:
        return len(self._held)

    # --- for the runner's schedule ---------------------------------------------------

    async def next_expiry(self, query: Document) -> datetime | None:
        """When the earliest live lease held by another owner on work matching `query` lapses."""
        document = await self.collection.find_one(
            {
                "$and": [
                    query,
                    {f"{self.lease_field}.until": {"$gte": self.clock.now()}},
                    {f"{self.lease_field}.owner": {"$ne": self.owner}},
                ]
            },
            {self.lease_field: 1},
            sort=[(f"{self.lease_field}.until", ASCENDING)],
        )
        if document is None:
            return None
        until: datetime = document[self.lease_field]["until"]
        return until

    def renewer(self) -> LeaseRenewer:
        return LeaseRenewer(self)


class LeaseRenewer:
    """Renews a `Leases`'s claims every `renew_every` while the service runs
    (a `chassis.service.BackgroundLoop`)."""

    def __init__(self, leases: Leases) -> None:
        self._leases = leases
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        assert self._leases.renew_every is not None
        interval = self._leases.renew_every.total_seconds()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._stopping.wait()
            if self._stopping.is_set():
                return
            try:
                await self._leases.renew()
            except DEPENDENCY_ERRORS as error:
                # Its leases may lapse meanwhile: then another instance takes the work over.
                log.warning("could not renew %d lease(s): %s", self._leases.holding, type(error).__name__)


@dataclass
class Leadership:
    """One process at a time does a job no one else may do alongside it (a courier sending mail
    when a service runs as several instances, ADR 0037): a named lease, one document of
    `collection` (`{_id: name, owner, until}`), taken when free or lapsed and renewed while held.

    `hold()` says whether this process may do the job now. The holder renews once a third of the
    ttl has passed and considers itself the holder only until then, while another process may
    take over only once `until` has passed: a holder stalled longer than two thirds of the ttl
    (a pass taking that long) is the only window for two holders.
    """

    collection: AsyncCollection[Document]
    name: str
    owner: str
    clock: Clock
    ttl: timedelta = timedelta(seconds=15)
    _renewed_at: datetime | None = field(default=None, init=False, repr=False)
    _refused_at: datetime | None = field(default=None, init=False, repr=False)

    async def hold(self) -> bool:
        now = self.clock.now()
        if self._renewed_at is not None and now < self._renewed_at + self.ttl / 3:
            return True
        if self._refused_at is not None and now < self._refused_at + self.ttl / 3:
            return False  # asked lately: the holder's lease cannot have lapsed much since
        self._renewed_at = self._refused_at = None
        try:
            await self.collection.find_one_and_update(
                {"_id": self.name, "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "until": now + self.ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            self._refused_at = now  # held by another, whose lease has not lapsed
            return False
        self._renewed_at = now
        return True

    async def step_down(self) -> None:
        """Let another take over at once (a clean stop)."""
        if self._renewed_at is not None:
            self._renewed_at = None
            await self.collection.delete_one({"_id": self.name, "owner": self.owner})
