"""Portfolios in MongoDB, one document per portfolio with its entries.

Two counters: `revision` is the portfolio's own version (an edit is saved over the revision it was
decided on), `version` and `lease` are the monitoring claim's (chassis.leases), so a monitoring
claim never makes a user's edit stale. A deleted portfolio is kept as a tombstone until its
`PortfolioChanged` is sent and the sweeper removes it (`expires_at`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.leases import Claim, Leases
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import Outbox
from contracts.events.ratings import PortfolioChanged
from ratings.domain.alerts import Alert
from ratings.domain.portfolios import Entry, Portfolio, PortfolioChange
from ratings.ports import AlreadyExists, NotFound, StaleWrite
from ratings.store import codec
from ratings.store.integration_events import alert_raised, portfolio_changed

PORTFOLIOS = "portfolios"
TOMBSTONE_DAYS = 7
INDEXES: list[IndexSpec] = [
    ascending(PORTFOLIOS, "owner_id"),
    ascending(PORTFOLIOS, "company_space"),
    ascending(PORTFOLIOS, "monitor_due_at"),
]
LIVE = {"deleted": False}


class MongoPortfolios:
    def __init__(self, db: MongoDatabase, outbox: Outbox, leases: Leases, cadence: timedelta) -> None:
        self._portfolios = db[PORTFOLIOS]
        self._outbox = outbox
        self._leases = leases
        self._cadence = cadence
        self._claims: dict[str, Claim] = {}

    async def get(self, portfolio_id: str) -> Portfolio:
        document = await self._portfolios.find_one({"_id": portfolio_id, **LIVE}, {"_outbox": 0})
        if document is None:
            raise NotFound("portfolio", portfolio_id)
        return codec.portfolio_of(document)

    def _events(self, portfolio: Portfolio, events: Sequence[PortfolioChange]) -> list[PortfolioChanged]:
        return [portfolio_changed(portfolio, e) for e in events]

    async def add(self, portfolio: Portfolio, events: Sequence[PortfolioChange]) -> None:
        base = portfolio.last_monitored_at or self._leases.clock.now()
        document = {
            "_id": portfolio.portfolio_id,
            **codec.portfolio_fields(portfolio),
            "revision": 1,
            "version": 0,
            "lease": None,
            "deleted": False,
            "monitor_due_at": base + self._cadence,
        }
        try:
            await self._portfolios.insert_one(self._outbox.new_document(document, *self._events(portfolio, events)))
        except DuplicateKeyError:
            raise AlreadyExists(portfolio.portfolio_id) from None
        self._outbox.notify()

    async def save(
        self, portfolio: Portfolio, events: Sequence[PortfolioChange], *, expected_version: int
    ) -> Portfolio:
        fields = {**codec.portfolio_fields(portfolio), "revision": expected_version + 1}
        result = await self._portfolios.update_one(
            {"_id": portfolio.portfolio_id, "revision": expected_version, **LIVE},
            self._outbox.update({"$set": fields}, *self._events(portfolio, events)),
        )
        if result.matched_count != 1:
            await self.get(portfolio.portfolio_id)  # NotFound when it was deleted meanwhile
            raise StaleWrite(portfolio.portfolio_id)
        self._outbox.notify()
        return Portfolio(**{**portfolio.__dict__, "version": expected_version + 1})

    async def delete(self, portfolio: Portfolio, event: PortfolioChange, *, expected_version: int) -> None:
        now = self._leases.clock.now()
        result = await self._portfolios.update_one(
            {"_id": portfolio.portfolio_id, "revision": expected_version, **LIVE},
            self._outbox.update(
                {
                    "$set": {
                        "deleted": True,
                        "active": False,
                        "entries": [],
                        "revision": expected_version + 1,
                        "expires_at": now + timedelta(days=TOMBSTONE_DAYS),
                    }
                },
                portfolio_changed(portfolio, event),
            ),
        )
        if result.matched_count != 1:
            await self.get(portfolio.portfolio_id)
            raise StaleWrite(portfolio.portfolio_id)
        self._outbox.notify()

    async def visible_to(self, account_id: str, company_spaces: Collection[str]) -> Sequence[Portfolio]:
        query: dict[str, Any] = {"owner_id": account_id, **LIVE}
        if company_spaces:
            query = {
                "$and": [LIVE, {"$or": [{"owner_id": account_id}, {"company_space": {"$in": list(company_spaces)}}]}]
            }
        cursor = self._portfolios.find(query, {"_outbox": 0}).sort("name", 1)
        return [codec.portfolio_of(d) async for d in cursor]

    async def record_entry(self, portfolio_id: str, entry: Entry, alerts: Sequence[Alert]) -> bool:
        result = await self._portfolios.update_one(
            {"_id": portfolio_id, "entries.key": entry.company.key, **LIVE},
            self._outbox.update({"$set": {"entries.$": codec.entry_doc(entry)}}, *(alert_raised(a) for a in alerts)),
        )
        if alerts:
            self._outbox.notify()
        return result.matched_count == 1

    async def record_entries(
        self, portfolio_id: str, revision: int, entries: Sequence[tuple[int, Entry]], alerts: Sequence[Alert]
    ) -> bool:
        fields = {f"entries.{position}": codec.entry_doc(entry) for position, entry in entries}
        result = await self._portfolios.update_one(
            {"_id": portfolio_id, "revision": revision, **LIVE},
            self._outbox.update({"$set": fields}, *(alert_raised(a) for a in alerts)),
        )
        if alerts:
            self._outbox.notify()
        return result.matched_count == 1

    async def mark_monitored(self, portfolio_id: str, at: datetime) -> None:
        await self._portfolios.update_one({"_id": portfolio_id}, {"$set": {"last_monitored_at": at}})

    async def claim_due(self, now: datetime) -> Portfolio | None:
        claim = await self._leases.claim(
            {"active": True, "deleted": False, "monitor_due_at": {"$lte": now}},
            projection={"_outbox": 0},
            sort=[("monitor_due_at", 1)],
        )
        if claim is None:
            return None
        self._claims[str(claim.id)] = claim
        return codec.portfolio_of(claim.document)

    async def monitoring_scheduled(self, portfolio_id: str, next_at: datetime) -> bool:
        claim = self._claims.pop(portfolio_id, None)
        if claim is None:
            return False
        return await self._leases.complete(claim, {"$set": {"monitor_due_at": next_at}})

    async def release_monitoring(self, portfolio_id: str) -> None:
        claim = self._claims.pop(portfolio_id, None)
        if claim is not None:
            await self._leases.release(claim)
