"""The saga's state in MongoDB, one document per payment schedule; its grace deadline (`due_at`)
claimed through the chassis leases as the cases' deadlines are (`lease`, fenced by `fence`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.leases import Claim, Leases
from chassis.mail import mail_entry, push_mail, with_mail
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import Wakeup
from recovery.domain.saga import Saga, SagaState
from recovery.ports import Mail, StaleCase
from recovery.store.codec import decode_as, encode

SAGAS = "sagas"
INDEXES: list[IndexSpec] = [ascending(SAGAS, "due_at"), ascending(SAGAS, "merchant_id", "state")]
EXCLUDED = {"_courier": 0}


def saga_of(document: dict[str, Any]) -> Saga:
    return decode_as(Saga, document["saga"])


class MongoSagaStore:
    def __init__(self, db: MongoDatabase, leases: Leases, courier_wakeup: Wakeup | None = None) -> None:
        self._sagas = db[SAGAS]
        self.leases = leases
        self._courier = courier_wakeup
        self._claims: dict[str, Claim] = {}

    async def get(self, schedule_id: str) -> Saga | None:
        document = await self._sagas.find_one({"_id": schedule_id}, EXCLUDED)
        return saga_of(document) if document else None

    async def put(self, saga: Saga, *, expected_version: int, mails: Sequence[Mail] = ()) -> None:
        state = {
            "saga": encode(saga),
            "version": saga.version,
            "state": saga.state.value,
            "due_at": saga.due_at,
            "merchant_id": saga.merchant_id,
        }
        now = self.leases.clock.now()
        entries = [mail_entry(to=m.to, subject=m.subject, text=m.text, now=now) for m in mails]
        if expected_version == 0:
            document: dict[str, Any] = {"_id": saga.schedule_id, **state, "lease": None, "fence": 0}
            if entries:
                document = with_mail(document, *entries)
            try:
                await self._sagas.insert_one(document)
            except DuplicateKeyError:
                raise StaleCase(saga.schedule_id) from None
        else:
            update = self.leases.completing(push_mail({"$set": state}, *entries) if entries else {"$set": state})
            claim = self._claims.pop(saga.schedule_id, None)
            condition: dict[str, Any] = {"_id": saga.schedule_id, "version": expected_version}
            if claim is not None:
                condition = {**self.leases.held(claim), "version": expected_version}
                self.leases.forget(claim)
            result = await self._sagas.update_one(condition, update)
            if result.matched_count != 1:
                raise StaleCase(saga.schedule_id)
        if entries and self._courier is not None:
            self._courier.notify()

    async def claim_due(self, now: datetime) -> Saga | None:
        claim = await self.leases.claim({"due_at": {"$lte": now}}, projection=dict(EXCLUDED), sort=[("due_at", 1)])
        if claim is None:
            return None
        self._claims[str(claim.id)] = claim
        return saga_of(claim.document)

    async def release(self, schedule_id: str) -> None:
        claim = self._claims.pop(schedule_id, None)
        if claim is not None:
            await self.leases.release(claim)

    async def awaiting_mandate(self, merchant_id: str) -> Sequence[Saga]:
        cursor = self._sagas.find({"merchant_id": merchant_id, "state": SagaState.AWAITING_MANDATE.value}, EXCLUDED)
        return [saga_of(d) async for d in cursor]
