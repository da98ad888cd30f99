"""Accounts in MongoDB: one document per account, carrying its pending events
(`_outbox`) and pending mails (`_courier`) so that each change and what it
causes are one atomic write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import Outbox
from contracts import Event
from identity.domain.accounts import AccountStatus
from identity.mail.courier import COURIER_FIELD

ACCOUNTS = "accounts"
INDEXES: list[IndexSpec] = [
    ascending(ACCOUNTS, "email", unique=True),
    ascending(ACCOUNTS, "activation.hash"),
    ascending(ACCOUNTS, f"{COURIER_FIELD}.id"),
]


class AccountStore:
    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._accounts = db[ACCOUNTS]
        self._outbox = outbox

    async def add(self, account: dict[str, Any], events: list[Event], mails: list[dict[str, Any]]) -> bool:
        """Insert a new account with its events and mails; False if the email is taken."""
        document = self._outbox.new_document(account, *events)
        document[COURIER_FIELD] = mails
        try:
            await self._accounts.insert_one(document)
        except DuplicateKeyError:
            return False
        self._outbox.notify()
        return True

    async def by_email(self, email: str) -> dict[str, Any] | None:
        return await self._accounts.find_one({"email": email}, {"_outbox": 0, COURIER_FIELD: 0})

    async def by_id(self, account_id: str) -> dict[str, Any] | None:
        return await self._accounts.find_one({"_id": account_id}, {"_outbox": 0, COURIER_FIELD: 0})

    async def by_activation_hash(self, token_hash: str) -> dict[str, Any] | None:
        return await self._accounts.find_one({"activation.hash": token_hash}, {"_outbox": 0, COURIER_FIELD: 0})

    async def activate(self, account_id: str, now: datetime, events: list[Event]) -> bool:
        """Pending -> active, once: the token is consumed in the same write."""
        result = await self._accounts.update_one(
            {"_id": account_id, "status": AccountStatus.PENDING_ACTIVATION},
            self._outbox.update(
                {"$set": {"status": AccountStatus.ACTIVE, "activated_at": now}, "$unset": {"activation": ""}},
                *events,
            ),
        )
        if result.modified_count:
            self._outbox.notify()
        return result.modified_count == 1
