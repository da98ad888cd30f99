"""Emails that have orders (learnt from billing's ScheduleCreated), and the
first-connection token of each, with its mail (`_courier`) in the same document."""

from __future__ import annotations

from datetime import date, datetime

from pymongo.errors import DuplicateKeyError

from chassis.mail import COURIER_FIELD, Mail, courier_indexes, push_mail
from chassis.mongo import Document, IndexSpec, MongoDatabase
from chassis.sweeper import EXPIRES_AT, expires_at
from identity.domain.customers import Order, OrderEmail
from identity.domain.links import MailedLink
from identity.store.accounts import link_document, not_sent_since

ORDER_EMAILS = "order_emails"
# First connections asked before identity knew of an order for the email: kept until
# `expires_at` (the sweeper deletes them), answered when the order's ScheduleCreated arrives.
FIRST_CONNECTION_REQUESTS = "first_connection_requests"
INDEXES: list[IndexSpec] = [*courier_indexes(ORDER_EMAILS)]


def order_document(order: Order) -> dict[str, str]:
    return {
        "schedule_id": order.schedule_id,
        "order_number": order.order_number,
        "merchant": order.merchant,
        "purchase_date": order.purchase_date.isoformat(),
        "event_id": order.event_id,
    }


def order_email_from(doc: Document) -> OrderEmail:
    orders = tuple(
        Order(
            schedule_id=raw["schedule_id"],
            order_number=raw["order_number"],
            merchant=raw["merchant"],
            purchase_date=date.fromisoformat(raw["purchase_date"]),
            event_id=raw["event_id"],
        )
        for raw in doc.get("orders", [])
    )
    return OrderEmail(email=str(doc["_id"]), orders=orders, account_id=doc.get("account_id"))


class OrderEmailStore:
    """`identity.ports.OrderEmailStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._emails = db[ORDER_EMAILS]

    async def record_order(self, email: str, order: Order, now: datetime) -> bool:
        try:
            result = await self._emails.update_one(
                {"_id": email, "orders.schedule_id": {"$ne": order.schedule_id}},
                {"$push": {"orders": order_document(order)}, "$setOnInsert": {"first_order_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the document exists and already holds this schedule
        return result.modified_count == 1 or result.upserted_id is not None

    async def get(self, email: str) -> OrderEmail | None:
        doc = await self._emails.find_one({"_id": email}, {COURIER_FIELD: 0})
        return order_email_from(doc) if doc else None

    async def start_first_connection(
        self, email: str, first_connection: MailedLink, mail: Mail, sent_before: datetime
    ) -> bool:
        result = await self._emails.update_one(
            {"_id": email, **not_sent_since("first_connection.sent_at", sent_before)},
            push_mail(
                {"$set": {"first_connection": link_document(first_connection)}}, mail.entry(first_connection.sent_at)
            ),
        )
        return result.modified_count == 1

    async def finish_first_connection(self, email: str, account_id: str, now: datetime) -> None:
        await self._emails.update_one(
            {"_id": email},
            {"$unset": {"first_connection": ""}, "$set": {"account_id": account_id, "access_created_at": now}},
        )


class FirstConnectionRequests:
    """Requests waiting for their email's first order (`FIRST_CONNECTION_REQUESTS`)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._requests = db[FIRST_CONNECTION_REQUESTS]

    async def remember(self, email: str, now: datetime, until: datetime) -> None:
        await self._requests.update_one(
            {"_id": email}, {"$set": {"requested_at": now, **expires_at(until)}}, upsert=True
        )

    async def waiting(self, email: str, now: datetime) -> bool:
        return await self._requests.find_one({"_id": email, EXPIRES_AT: {"$gt": now}}) is not None

    async def forget(self, email: str) -> None:
        await self._requests.delete_one({"_id": email})
