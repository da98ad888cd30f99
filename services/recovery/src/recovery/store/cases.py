"""Cases in MongoDB: one document per case, its events (outbox) and mail (courier) embedded.

The document holds the encoded case (`case`) and, beside it, the fields the queries and indexes
use: `version` (the domain's, every save is conditional on it), `due_at` (the current phase's
deadline, or null), `open`, `office_id`, `creditor_id`, `company_id`, `phase`.

Deadlines are claimed through the chassis leases (`chassis.leases`, ADR 0021): `lease` holds the
claimer and its expiry, `fence` is the fencing counter (the leases' version field; the domain
`version` stays the case's own). A claim takes one case with `due_at <= now` whose lease is free
or lapsed; the holder's save is conditional on its claim still holding (fence and owner) *and* on
the domain version, and clears the lease in the same write. Any other save clears a lease too and
moves the fence on, so a sweep that loaded the case before it writes nothing (StaleCase).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.leases import Claim, Leases
from chassis.mail import mail_entry, push_mail, with_mail
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import Outbox, Wakeup
from recovery.domain.cases import OPEN, Case
from recovery.domain.events import DomainEvent
from recovery.ports import CaseExists, CaseNotFound, Mail, StaleCase
from recovery.store.codec import decode_as, encode
from recovery.store.integration_events import to_contract

CASES = "cases"
LEASE_FIELD = "lease"
FENCE_FIELD = "fence"
INDEXES: list[IndexSpec] = [
    ascending(CASES, "due_at"),  # the sweep: open cases by deadline
    ascending(CASES, "creditor_id", "open"),  # a creditor's cases
    ascending(CASES, "company_id", "open"),  # a company's cases
    ascending(CASES, "office_id", "open"),  # an office's cases and its load
]
EXCLUDED: dict[str, int] = {"_outbox": 0, "_courier": 0}


def state_of(case: Case) -> dict[str, Any]:
    return {
        "case": encode(case),
        "version": case.version,
        "phase": case.phase.value,
        "open": case.phase in OPEN,
        "due_at": case.due_at,
        "office_id": case.office_id,
        "creditor_id": case.creditor.account_id,
        "company_id": case.creditor.company_id,
        "filed_at": case.filed_at,
    }


def case_of(document: Mapping[str, Any]) -> Case:
    return decode_as(Case, document["case"])


class MongoCaseStore:
    """Implements `recovery.ports.CaseStore` on the service's database."""

    def __init__(self, db: MongoDatabase, outbox: Outbox, leases: Leases, courier_wakeup: Wakeup | None = None) -> None:
        self._cases = db[CASES]
        self._outbox = outbox
        self.leases = leases
        self._courier = courier_wakeup
        self._claims: dict[str, Claim] = {}

    def _mails(self, mails: Sequence[Mail]) -> list[dict[str, Any]]:
        now = self.leases.clock.now()
        return [mail_entry(to=m.to, subject=m.subject, text=m.text, now=now) for m in mails]

    def _notify(self, events: Sequence[DomainEvent], mails: Sequence[Mail]) -> None:
        if events:
            self._outbox.notify()
        if mails and self._courier is not None:
            self._courier.notify()

    async def get(self, case_id: str) -> Case:
        document = await self._cases.find_one({"_id": case_id}, EXCLUDED)
        if document is None:
            raise CaseNotFound(case_id)
        return case_of(document)

    async def add(self, case: Case, events: Sequence[DomainEvent], mails: Sequence[Mail] = ()) -> None:
        document: dict[str, Any] = {"_id": case.case_id, **state_of(case), LEASE_FIELD: None, FENCE_FIELD: 0}
        document = self._outbox.new_document(document, *(to_contract(e) for e in events))
        if mails:
            document = with_mail(document, *self._mails(mails))
        try:
            await self._cases.insert_one(document)
        except DuplicateKeyError:
            raise CaseExists(case.case_id) from None
        self._notify(events, mails)

    async def save(
        self, case: Case, events: Sequence[DomainEvent], *, expected_version: int, mails: Sequence[Mail] = ()
    ) -> None:
        update: dict[str, Any] = {"$set": state_of(case)}
        if events:
            update = self._outbox.update(update, *(to_contract(e) for e in events))
        if mails:
            update = push_mail(update, *self._mails(mails))
        update = self.leases.completing(update)
        claim = self._claims.pop(case.case_id, None)
        condition: dict[str, Any] = {"_id": case.case_id, "version": expected_version}
        if claim is not None:
            condition = {**self.leases.held(claim), "version": expected_version}
            self.leases.forget(claim)
        result = await self._cases.update_one(condition, update)
        if result.matched_count != 1:
            raise StaleCase(case.case_id)
        self._notify(events, mails)

    async def open_cases_by_office(self, office_ids: Collection[str]) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        cursor = await self._cases.aggregate(
            [
                {"$match": {"office_id": {"$in": list(office_ids)}, "open": True}},
                {"$group": {"_id": "$office_id", "count": {"$sum": 1}}},
            ]
        )
        async for row in cursor:
            counts[str(row["_id"])] = int(row["count"])
        return counts

    def _due(self, now: datetime, case_id: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"due_at": {"$lte": now}}
        if case_id is not None:
            query["_id"] = case_id
        return query

    async def claim_due(self, now: datetime, case_id: str | None = None) -> Case | None:
        claim = await self.leases.claim(self._due(now, case_id), projection=dict(EXCLUDED), sort=[("due_at", 1)])
        if claim is None:
            return None
        self._claims[str(claim.id)] = claim
        return case_of(claim.document)

    async def release(self, case_id: str, retry_at: datetime | None = None) -> None:
        claim = self._claims.pop(case_id, None)
        if claim is not None:
            # Only the claim's `due_at` moves: the case's own deadline (in `case`) is unchanged, and
            # its next save writes `due_at` from it again.
            await self.leases.release(claim, {"$set": {"due_at": retry_at}} if retry_at is not None else None)

    async def next_takeover(self, now: datetime) -> datetime | None:
        """When the first due case claimed by another instance can be taken over, if any."""
        return await self.leases.next_expiry(self._due(now, None))

    async def of_creditor(self, account_id: str) -> list[Case]:
        cursor = self._cases.find({"creditor_id": account_id}, EXCLUDED).sort("filed_at", -1)
        return [case_of(d) async for d in cursor]

    async def of_company(self, company_id: str) -> list[Case]:
        cursor = self._cases.find({"company_id": company_id}, EXCLUDED).sort("filed_at", -1)
        return [case_of(d) async for d in cursor]

    async def of_office(self, office_id: str) -> list[Case]:
        cursor = self._cases.find({"office_id": office_id}, EXCLUDED).sort("filed_at", -1)
        return [case_of(d) async for d in cursor]
