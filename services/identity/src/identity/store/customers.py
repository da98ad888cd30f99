"""Emails that have orders (learnt from billing's ScheduleCreated), and the
first-connection token of each, with its mail (`_courier`) in the same document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.mail import COURIER_FIELD, courier_indexes, push_mail
from chassis.mongo import IndexSpec, MongoDatabase, ascending

ORDER_EMAILS = "order_emails"
INDEXES: list[IndexSpec] = [
    ascending(ORDER_EMAILS, "first_connection.hash"),
    *courier_indexes(ORDER_EMAILS),
]


class OrderEmailStore:
    def __init__(self, db: MongoDatabase) -> None:
        self._emails = db[ORDER_EMAILS]

    async def record_order(self, email: str, order: dict[str, Any], now: datetime) -> bool:
        """Remember an order of `email`; False when this schedule was already
        recorded (a redelivered event changes nothing)."""
        try:
            result = await self._emails.update_one(
                {"_id": email, "orders.schedule_id": {"$ne": order["schedule_id"]}},
                {"$push": {"orders": order}, "$setOnInsert": {"first_order_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the document exists and already holds this schedule
        return result.modified_count == 1 or result.upserted_id is not None

    async def get(self, email: str) -> dict[str, Any] | None:
        return await self._emails.find_one({"_id": email}, {COURIER_FIELD: 0})

    async def by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        return await self._emails.find_one({"first_connection.hash": token_hash}, {COURIER_FIELD: 0})

    async def start_first_connection(
        self, email: str, first_connection: dict[str, Any], mail: dict[str, Any], sent_before: datetime
    ) -> bool:
        result = await self._emails.update_one(
            {
                "_id": email,
                "$or": [
                    {"first_connection.sent_at": {"$exists": False}},
                    {"first_connection.sent_at": {"$lte": sent_before}},
                ],
            },
            push_mail({"$set": {"first_connection": first_connection}}, mail),
        )
        return result.modified_count == 1

    async def finish_first_connection(self, email: str, token_hash: str, account_id: str, now: datetime) -> None:
        await self._emails.update_one(
            {"_id": email, "first_connection.hash": token_hash},
            {"$unset": {"first_connection": ""}, "$set": {"account_id": account_id, "access_created_at": now}},
        )

    async def queue_mail(self, email: str, mail: dict[str, Any]) -> None:
        await self._emails.update_one({"_id": email}, push_mail({}, mail))
