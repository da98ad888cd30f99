"""Payment schedules in MongoDB: one document per schedule, installments embedded.

Every write is conditional on the document's `version` (optimistic
concurrency) and carries its events in the same single-document update. The
debit run claims a schedule whose `next_debit_at` is due through the chassis
lease mechanism (`chassis.leases`: the `lease` field, fenced by `version`), so
two runners never take the same schedule at once and a dead runner's claims
are taken over once its lease lapses.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from billing.domain.bank import Address
from billing.domain.cards import CardOnFile
from billing.domain.schedules import (
    InstallmentStatus,
    Order,
    Payment,
    Regularisation,
    RetryPolicy,
    Schedule,
    ScheduleStatus,
    next_debit_at,
)
from billing.ports import HeldSchedule, OrderHasSchedule, StaleSchedule
from chassis.leases import Claim, Leases
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import Outbox
from contracts import Event

SCHEDULES = "schedules"
INDEXES: list[IndexSpec] = [
    ascending(SCHEDULES, "next_debit_at"),
    ascending(SCHEDULES, "order.buyer_email"),
    # One schedule per order of a merchant: `created_by` is the merchant's account id.
    ascending(SCHEDULES, "created_by", "order.order_number", unique=True),
]
# The unique index of the first version, on the merchant's (free-text) name: dropped at start.
STALE_INDEXES = ["order.merchant_1_order.order_number_1"]


def _day(value: date) -> str:
    return value.isoformat()


def payment_to_doc(payment: Payment) -> dict[str, Any]:
    return {
        "number": payment.number,
        "amount_cents": payment.amount_cents,
        "due_date": _day(payment.due_date),
        "status": str(payment.status),
        "attempts": payment.attempts,
        "next_attempt_at": payment.next_attempt_at,
        "paid_at": payment.paid_at,
        "last_decline": payment.last_decline,
        "regularised": payment.regularised,
    }


def payment_from_doc(doc: dict[str, Any]) -> Payment:
    return Payment(
        number=int(doc["number"]),
        amount_cents=int(doc["amount_cents"]),
        due_date=date.fromisoformat(doc["due_date"]),
        status=InstallmentStatus(doc["status"]),
        attempts=int(doc["attempts"]),
        next_attempt_at=doc.get("next_attempt_at"),
        paid_at=doc.get("paid_at"),
        last_decline=doc.get("last_decline"),
        regularised=bool(doc.get("regularised", False)),
    )


def _regularisation_to_doc(reg: Regularisation) -> dict[str, Any]:
    return {
        "covers": reg.covers,
        "amount_cents": reg.amount_cents,
        "payments": [payment_to_doc(p) for p in reg.payments],
        "started_at": reg.started_at,
        "card": card_to_doc(reg.card) if reg.card else None,
    }


def _regularisation_from_doc(doc: dict[str, Any]) -> Regularisation:
    return Regularisation(
        covers=[int(n) for n in doc["covers"]],
        amount_cents=int(doc["amount_cents"]),
        payments=[payment_from_doc(p) for p in doc["payments"]],
        started_at=doc["started_at"],
        card=card_from_doc(doc["card"]) if doc.get("card") else None,
    )


def address_to_doc(address: Address | None) -> dict[str, Any] | None:
    return asdict(address) if address else None


def address_from_doc(doc: dict[str, Any] | None) -> Address | None:
    return Address(**doc) if doc else None


def card_to_doc(card: CardOnFile) -> dict[str, Any]:
    return {
        "token": card.token,
        "brand": card.brand,
        "last4": card.last4,
        "expiry_month": card.expiry_month,
        "expiry_year": card.expiry_year,
    }


def card_from_doc(doc: dict[str, Any]) -> CardOnFile:
    return CardOnFile(
        token=doc["token"],
        brand=doc["brand"],
        last4=doc["last4"],
        expiry_month=int(doc["expiry_month"]),
        expiry_year=int(doc["expiry_year"]),
    )


def state_of(schedule: Schedule, policy: RetryPolicy) -> dict[str, Any]:
    """The fields a write sets: the whole state, plus when the next debit is due."""
    order = schedule.order
    return {
        "order": {
            "order_number": order.order_number,
            "merchant": order.merchant,
            "buyer_email": order.buyer_email,
            "purchase_amount_cents": order.purchase_amount_cents,
            "fees_cents": order.fees_cents,
            "purchase_date": _day(order.purchase_date),
            "installments": order.installments,
            "buyer_name": order.buyer_name,
            "buyer_address": address_to_doc(order.buyer_address),
        },
        "created_at": schedule.created_at,
        "created_by": schedule.created_by,
        "card": card_to_doc(schedule.card),
        "installments": [payment_to_doc(p) for p in schedule.installments],
        "status": str(schedule.status),
        "cancelled_cents": schedule.cancelled_cents,
        "regularisation": _regularisation_to_doc(schedule.regularisation) if schedule.regularisation else None,
        "past_regularisations": [_regularisation_to_doc(r) for r in schedule.past_regularisations],
        "next_debit_at": next_debit_at(schedule, policy),
    }


def schedule_from_doc(doc: dict[str, Any]) -> Schedule:
    order = doc["order"]
    return Schedule(
        schedule_id=str(doc["_id"]),
        order=Order(
            order_number=order["order_number"],
            merchant=order["merchant"],
            buyer_email=order["buyer_email"],
            purchase_amount_cents=int(order["purchase_amount_cents"]),
            fees_cents=int(order["fees_cents"]),
            purchase_date=date.fromisoformat(order["purchase_date"]),
            installments=int(order["installments"]),
            buyer_name=order.get("buyer_name"),
            buyer_address=address_from_doc(order.get("buyer_address")),
        ),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        card=card_from_doc(doc["card"]),
        installments=[payment_from_doc(p) for p in doc["installments"]],
        status=ScheduleStatus(doc["status"]),
        cancelled_cents=int(doc.get("cancelled_cents", 0)),
        regularisation=_regularisation_from_doc(doc["regularisation"]) if doc.get("regularisation") else None,
        past_regularisations=[_regularisation_from_doc(r) for r in doc.get("past_regularisations", [])],
    )


class ScheduleStore:
    """The `ScheduleRepository` port on MongoDB."""

    def __init__(self, db: MongoDatabase, outbox: Outbox, policy: RetryPolicy, leases: Leases) -> None:
        self._schedules = db[SCHEDULES]
        self._outbox = outbox
        self._policy = policy
        self.leases = leases

    async def add(self, schedule: Schedule, *events: Event) -> None:
        """Insert with its events; `OrderHasSchedule` when the merchant's order already has one."""
        document = {"_id": schedule.schedule_id, **state_of(schedule, self._policy), "version": 1, "lease": None}
        try:
            await self._schedules.insert_one(self._outbox.new_document(document, *events))
        except DuplicateKeyError as error:
            raise OrderHasSchedule(schedule.order.order_number) from error
        self._outbox.notify()

    async def get(self, schedule_id: str) -> tuple[Schedule, int] | None:
        doc = await self._schedules.find_one({"_id": schedule_id}, {"_outbox": 0})
        if doc is None:
            return None
        return schedule_from_doc(doc), int(doc["version"])

    async def find_by_order(self, merchant_id: str, order_number: str) -> Schedule | None:
        doc = await self._schedules.find_one({"created_by": merchant_id, "order.order_number": order_number})
        return schedule_from_doc(doc) if doc else None

    async def drop_stale_indexes(self) -> None:
        """Drop the indexes earlier versions declared (no error when absent)."""
        existing = {index["name"] async for index in await self._schedules.list_indexes()}
        for name in STALE_INDEXES:
            if name in existing:
                await self._schedules.drop_index(name)

    async def of_buyer(self, email: str) -> list[Schedule]:
        cursor = self._schedules.find({"order.buyer_email": email}, {"_outbox": 0}).sort("created_at", -1)
        return [schedule_from_doc(doc) async for doc in cursor]

    def _update(self, schedule: Schedule, *events: Event) -> dict[str, Any]:
        update: dict[str, Any] = {"$set": state_of(schedule, self._policy)}
        return self._outbox.update(update, *events) if events else update

    async def save(self, schedule: Schedule, version: int, *events: Event, now: datetime) -> None:
        """Write the new state if nobody changed it since `version` and no debit is under way."""
        condition: dict[str, Any] = {"_id": schedule.schedule_id, "version": version, **self.leases.free(now)}
        result = await self._schedules.update_one(condition, self.leases.completing(self._update(schedule, *events)))
        if result.matched_count != 1:
            raise StaleSchedule(schedule.schedule_id)
        if events:
            self._outbox.notify()

    async def record_debit(self, held: HeldSchedule, schedule: Schedule, *events: Event) -> None:
        """Write a debit's outcome and its events, and give the claim back, if the claim still holds."""
        if not await self.leases.complete(_claim(held), self._update(schedule, *events)):
            raise StaleSchedule(schedule.schedule_id)
        self._outbox.notify()

    def _due(self, due_by: datetime, schedule_id: str | None) -> dict[str, Any]:
        condition: dict[str, Any] = {"next_debit_at": {"$lte": due_by}}
        if schedule_id is not None:
            condition["_id"] = schedule_id
        return condition

    async def claim_due(self, *, due_by: datetime, schedule_id: str | None = None) -> HeldSchedule | None:
        """Reserve one schedule with a debit due by `due_by` to this process, under a lease."""
        claim = await self.leases.claim(self._due(due_by, schedule_id), projection={"_outbox": 0})
        if claim is None:
            return None
        return HeldSchedule(schedule_from_doc(claim.document), claim)

    async def next_takeover(self, *, due_by: datetime) -> datetime | None:
        """When the first due schedule claimed by another runner can be taken over, if any."""
        return await self.leases.next_expiry(self._due(due_by, None))

    async def release(self, held: HeldSchedule) -> None:
        """Give a claim back with nothing debited (its next debit is recomputed)."""
        next_at = next_debit_at(held.schedule, self._policy)
        await self.leases.release(_claim(held), {"$set": {"next_debit_at": next_at}})


def _claim(held: HeldSchedule) -> Claim:
    """The lease behind a held schedule (only this store makes them)."""
    assert isinstance(held.token, Claim)
    return held.token
