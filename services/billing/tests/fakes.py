"""In-memory fakes of the fee collection's ports (`billing.ports`), for handler unit tests.

They keep the real adapters' promises that the handlers rely on: a fee recorded once per
`fee_id`, one holder per ledger or batch at a time, a planning write refused when a fee was
recorded since the read, a claim lost when someone else took the document over."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from billing.domain.fees import CollectionStatus, Fee, FeeLedger, Mail, SepaBatch, record_fee
from billing.domain.onboarding import Onboarding
from billing.domain.profiles import BillingProfile
from billing.ports import HeldBatch, HeldLedger, SaveOutcome
from billing.store.onboarding import StaleProfile
from contracts import Event

_tokens = itertools.count(1)


@dataclass
class _Ledger:
    ledger: FeeLedger
    next_plan_at: datetime | None = None
    holder: int | None = None
    mails: list[Mail] = field(default_factory=list)


class FakeLedgers:
    def __init__(self) -> None:
        self.docs: dict[str, _Ledger] = {}

    async def record(self, fee: Fee, *, now: datetime) -> bool:
        doc = self.docs.setdefault(fee.creditor_id, _Ledger(FeeLedger(fee.creditor_id)))
        if doc.ledger.fee(fee.fee_id) is not None:
            return False
        doc.ledger = record_fee(doc.ledger, fee)
        doc.next_plan_at = now
        return True

    async def get(self, creditor_id: str) -> FeeLedger | None:
        doc = self.docs.get(creditor_id)
        return doc.ledger if doc else None

    def _claim(self, doc: _Ledger) -> HeldLedger:
        doc.holder = next(_tokens)
        return HeldLedger(doc.ledger, doc.holder, len(doc.ledger.fees))

    async def claim_to_plan(self, now: datetime) -> HeldLedger | None:
        for doc in self.docs.values():
            if doc.holder is None and doc.next_plan_at is not None and doc.next_plan_at <= now:
                return self._claim(doc)
        return None

    def _held(self, held: HeldLedger) -> _Ledger | None:
        doc = self.docs[held.ledger.creditor_id]
        return doc if doc.holder == held.token else None

    async def reload(self, held: HeldLedger) -> HeldLedger | None:
        doc = self._held(held)
        return HeldLedger(doc.ledger, held.token, len(doc.ledger.fees)) if doc else None

    async def save_planned(
        self, held: HeldLedger, ledger: FeeLedger, mails: Sequence[Mail], *, plan_again_at: datetime | None
    ) -> SaveOutcome:
        doc = self._held(held)
        if doc is None:
            return SaveOutcome.LOST
        if len(doc.ledger.fees) != held.fee_count:
            return SaveOutcome.FEES_CHANGED
        doc.ledger = replace(doc.ledger, collections=ledger.collections)
        doc.mails.extend(mails)
        doc.next_plan_at = plan_again_at
        doc.holder = None
        return SaveOutcome.SAVED

    async def release(self, held: HeldLedger, *, plan_again_at: datetime | None) -> None:
        doc = self._held(held)
        if doc is None:
            return
        if len(doc.ledger.fees) == held.fee_count:
            doc.next_plan_at = plan_again_at
        doc.holder = None

    async def claim_due(self, on: date) -> HeldLedger | None:
        for doc in self.docs.values():
            following = doc.ledger.next_collection_on
            if doc.holder is None and following is not None and following <= on:
                return self._claim(doc)
        return None

    async def save_batched(self, held: HeldLedger, ledger: FeeLedger, *, plan_again_at: datetime | None) -> bool:
        doc = self._held(held)
        if doc is None:
            return False
        doc.ledger = replace(doc.ledger, collections=ledger.collections)
        if plan_again_at is not None:
            doc.next_plan_at = plan_again_at
        doc.holder = None
        return True

    async def in_batch(self, batch_id: str) -> list[FeeLedger]:
        return [doc.ledger for doc in self.docs.values() if any(c.batch_id == batch_id for c in doc.ledger.collections)]

    async def earliest_scheduled(self) -> date | None:
        dates = [
            c.collection_on
            for doc in self.docs.values()
            for c in doc.ledger.collections
            if c.status is CollectionStatus.SCHEDULED
        ]
        return min(dates) if dates else None

    def mails(self) -> list[Mail]:
        return [mail for doc in self.docs.values() for mail in doc.mails]


class FakeBatches:
    def __init__(self) -> None:
        self.produced: dict[str, SepaBatch] = {}
        self.building: dict[str, int | None] = {}

    async def get(self, batch_id: str) -> SepaBatch | None:
        return self.produced.get(batch_id)

    async def latest(self) -> SepaBatch | None:
        return max(self.produced.values(), key=lambda b: b.collection_on, default=None)

    async def open(self, batch_id: str, on: date, *, now: datetime) -> HeldBatch | None:
        if batch_id in self.produced or self.building.get(batch_id) is not None:
            return None
        token = next(_tokens)
        self.building[batch_id] = token
        return HeldBatch(batch_id, token)

    async def save(self, held: HeldBatch, batch: SepaBatch) -> bool:
        if self.building.get(held.batch_id) != held.token:
            return False
        self.produced[held.batch_id] = batch
        del self.building[held.batch_id]
        return True

    async def release(self, held: HeldBatch) -> None:
        if self.building.get(held.batch_id) == held.token:
            self.building[held.batch_id] = None

    async def list(self, limit: int) -> list[SepaBatch]:
        return sorted(self.produced.values(), key=lambda b: b.collection_on, reverse=True)[:limit]


class FakeOnboardings:
    def __init__(self) -> None:
        self.docs: dict[str, tuple[Onboarding, int]] = {}
        self.events: list[tuple[str, Event]] = []

    async def get(self, account_id: str) -> tuple[Onboarding, int] | None:
        return self.docs.get(account_id)

    async def save(self, account_id: str, onboarding: Onboarding, version: int, *events: Event) -> None:
        current = self.docs.get(account_id)
        if current is None or current[1] != version:
            raise StaleProfile(account_id)
        self.docs[account_id] = (onboarding, version + 1)
        self.events.extend((account_id, event) for event in events)

    async def signed_mandate_holders(self) -> list[str]:
        return [
            account_id
            for account_id, (onboarding, _) in self.docs.items()
            if onboarding.mandate is not None and onboarding.mandate.status.value == "signed"
        ]


class FakeProfiles:
    def __init__(self) -> None:
        self.docs: dict[str, BillingProfile] = {}

    async def get(self, account_id: str) -> BillingProfile | None:
        return self.docs.get(account_id)
