"""Accounts in MongoDB: one document per account, carrying its pending events
(`_outbox`) and pending mails (`_courier`) so that each change and what it
causes are one atomic write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from chassis.mail import COURIER_FIELD, courier_indexes, push_mail, with_mail
from chassis.mongo import IndexSpec, MongoDatabase, ascending
from chassis.outbox import Outbox
from contracts import Event
from identity.domain.accounts import CUSTOMER, AccountStatus
from identity.domain.customers import CustomerAccess

ACCOUNTS = "accounts"
INDEXES: list[IndexSpec] = [
    ascending(ACCOUNTS, "email", unique=True),
    ascending(ACCOUNTS, "legacy_id"),
    *courier_indexes(ACCOUNTS),
]
HIDDEN = {"_outbox": 0, COURIER_FIELD: 0}


def customer_document(access: CustomerAccess, password_hash: str) -> dict[str, Any]:
    """The stored account of a customer access."""
    return {
        "_id": access.account_id,
        "email": access.email,
        "account_kind": CUSTOMER,
        "roles": list(access.roles),
        "password_hash": password_hash,
        "status": AccountStatus.ACTIVE,
        "person_kind": access.person_kind,
        "display_name": access.display_name,
        "registered_at": access.created_at,
        "activated_at": access.created_at,
    }


class AccountStore:
    def __init__(self, db: MongoDatabase, outbox: Outbox) -> None:
        self._accounts = db[ACCOUNTS]
        self._outbox = outbox

    async def add(self, account: dict[str, Any], events: list[Event], mails: list[dict[str, Any]]) -> bool:
        """Insert a new account with its events and mails; False if the email is taken."""
        document = with_mail(self._outbox.new_document(account, *events), *mails)
        try:
            await self._accounts.insert_one(document)
        except DuplicateKeyError:
            return False
        self._outbox.notify()
        return True

    async def add_customer(self, access: CustomerAccess, password_hash: str, events: Sequence[Event]) -> bool:
        """Insert a customer access (active at once) with its events; False if the email is taken."""
        return await self.add(customer_document(access, password_hash), list(events), [])

    async def by_email(self, email: str) -> dict[str, Any] | None:
        return await self._accounts.find_one({"email": email}, HIDDEN)

    async def by_id(self, account_id: str) -> dict[str, Any] | None:
        return await self._accounts.find_one({"_id": account_id}, HIDDEN)

    async def active_by_legacy_id(self, legacy_id: str) -> dict[str, Any] | None:
        return await self._accounts.find_one({"legacy_id": legacy_id, "status": AccountStatus.ACTIVE}, HIDDEN)

    async def activate(self, account_id: str, now: datetime, events: list[Event]) -> bool:
        """Pending -> active, once (the handler used the link's token up just before)."""
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

    async def queue_mail(
        self, account_id: str, mail: dict[str, Any], *, stamp: str, now: datetime, sent_before: datetime | None
    ) -> bool:
        """Queue `mail` for the account unless one of the same kind (`stamp`,
        a dotted field holding when it was last sent) went out after `sent_before`."""
        condition: dict[str, Any] = {"_id": account_id}
        if sent_before is not None:
            condition["$or"] = [{stamp: {"$exists": False}}, {stamp: {"$lte": sent_before}}]
        result = await self._accounts.update_one(condition, push_mail({"$set": {stamp: now}}, mail))
        return result.modified_count == 1

    async def renew_activation(
        self, account_id: str, activation: dict[str, Any], mail: dict[str, Any], sent_before: datetime
    ) -> bool:
        """The mail of a new activation link (which replaces the old ones), unless the last one was
        sent after `sent_before` (the resend throttle)."""
        result = await self._accounts.update_one(
            {
                "_id": account_id,
                "status": AccountStatus.PENDING_ACTIVATION,
                "$or": [{"activation.sent_at": {"$exists": False}}, {"activation.sent_at": {"$lte": sent_before}}],
            },
            push_mail({"$set": {"activation": activation}}, mail),
        )
        return result.modified_count == 1

    async def start_recovery(
        self, account_id: str, recovery: dict[str, Any], mail: dict[str, Any], sent_before: datetime
    ) -> bool:
        result = await self._accounts.update_one(
            {
                "_id": account_id,
                "status": AccountStatus.ACTIVE,
                "$or": [{"recovery.sent_at": {"$exists": False}}, {"recovery.sent_at": {"$lte": sent_before}}],
            },
            push_mail({"$set": {"recovery": recovery}}, mail),
        )
        return result.modified_count == 1

    async def reset_password(
        self,
        account_id: str,
        password_hash: str,
        now: datetime,
        events: list[Event],
        mail: dict[str, Any],
    ) -> bool:
        """Set the password and cut every session issued until now, in one write (the handler used
        the recovery link's token up just before)."""
        result = await self._accounts.update_one(
            {"_id": account_id, "status": AccountStatus.ACTIVE},
            self._outbox.update(
                push_mail(
                    {
                        "$set": {
                            "password_hash": password_hash,
                            "sessions_revoked_before": now,
                            "password_changed_at": now,
                        },
                        "$unset": {"recovery": ""},
                    },
                    mail,
                ),
                *events,
            ),
        )
        if result.modified_count:
            self._outbox.notify()
        return result.modified_count == 1

    async def announce(self, account_id: str, events: list[Event]) -> None:
        """Events about the account that change nothing stored in it (sessions
        revoked): they ride in its outbox like the others, keyed by its id."""
        result = await self._accounts.update_one({"_id": account_id}, self._outbox.update({}, *events))
        if result.modified_count:
            self._outbox.notify()

    async def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> None:
        """Rehash with the current argon2 parameters, unless the password changed meanwhile."""
        await self._accounts.update_one(
            {"_id": account_id, "password_hash": old_hash}, {"$set": {"password_hash": new_hash}}
        )

    async def apply_support_change(
        self, account_id: str, fields: dict[str, Any], audit_entry: dict[str, Any], events: list[Event]
    ) -> dict[str, Any] | None:
        """The change, its audit entry and its event, in one write (the trail is only ever appended to)."""
        updated = await self._accounts.find_one_and_update(
            {"_id": account_id},
            self._outbox.update({"$set": fields, "$push": {"support_audit": audit_entry}}, *events),
            projection=HIDDEN,
            return_document=ReturnDocument.AFTER,
        )
        if updated is not None:
            self._outbox.notify()
        return updated

    async def add_role(self, email: str, role: str) -> bool:
        result = await self._accounts.update_one({"email": email, "roles": {"$ne": role}}, {"$push": {"roles": role}})
        return result.modified_count == 1

    async def remove_role(self, email: str, role: str) -> bool:
        result = await self._accounts.update_one({"email": email}, {"$pull": {"roles": role}})
        return result.modified_count == 1
