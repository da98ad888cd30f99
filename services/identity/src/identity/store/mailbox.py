"""Mailbox messages in Mongo: one document per message, `_id` the message id
(derived from its source: one per alert, notification or legacy message), so
filing twice hits the unique id and changes nothing. A deletion empties the
document and keeps it (`deleted_at`) so a late duplicate cannot refile it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ReturnDocument

from chassis.mongo import Document, IndexSpec, MongoDatabase, insert_new
from identity.domain.mailbox import MailboxMessage, MessageSource, Page, PageRequest, next_cursor

MAILBOX_MESSAGES = "mailbox_messages"
INDEXES: list[IndexSpec] = [
    IndexSpec(MAILBOX_MESSAGES, [("account_id", 1), ("received_at", -1), ("_id", -1)]),
]
LIVE = {"deleted_at": None}
CONTENT = ("subject", "body", "sender", "link", "details", "read_at", "received_at", "source_key")


def to_document(message: MailboxMessage) -> Document:
    return {
        "_id": message.message_id,
        "account_id": message.account_id,
        "source": message.source.value,
        "source_key": message.source_key,
        "received_at": message.received_at,
        "subject": message.subject,
        "body": message.body,
        "sender": message.sender,
        "link": message.link,
        "details": message.details,
        "read_at": message.read_at,
        "deleted_at": None,
    }


def from_document(doc: Document) -> MailboxMessage:
    return MailboxMessage(
        message_id=doc["_id"],
        account_id=doc["account_id"],
        source=MessageSource(doc["source"]),
        source_key=doc["source_key"],
        received_at=doc["received_at"],
        subject=doc["subject"],
        body=doc["body"],
        sender=doc.get("sender"),
        link=doc.get("link"),
        details=dict(doc.get("details") or {}),
        read_at=doc.get("read_at"),
    )


class MongoMailboxStore:
    """`identity.ports.MailboxStore` on MongoDB (the Protocol says what each method does)."""

    def __init__(self, db: MongoDatabase) -> None:
        self._messages = db[MAILBOX_MESSAGES]

    async def file(self, messages: Sequence[MailboxMessage]) -> int:
        # A replayed event files nothing twice: messages already there are left as they are.
        return await insert_new(self._messages, [to_document(m) for m in messages])

    async def page(self, account_id: str, request: PageRequest) -> Page:
        owned: Document = {"account_id": account_id, **LIVE}
        query = dict(owned)
        if request.unread_only:
            query["read_at"] = None
        if request.cursor is not None:
            at, identifier = request.cursor.received_at, request.cursor.message_id
            query["$or"] = [{"received_at": {"$lt": at}}, {"received_at": at, "_id": {"$lt": identifier}}]
        cursor = self._messages.find(query).sort([("received_at", -1), ("_id", -1)]).limit(request.limit + 1)
        found = [from_document(doc) async for doc in cursor]
        unread = await self._messages.count_documents({**owned, "read_at": None})
        total = await self._messages.count_documents(owned)
        return Page(tuple(found[: request.limit]), unread, total, next_cursor(found, request.limit))

    async def get(self, account_id: str, message_id: str) -> MailboxMessage | None:
        doc = await self._messages.find_one({"_id": message_id, "account_id": account_id, **LIVE})
        return from_document(doc) if doc else None

    async def set_read_at(self, account_id: str, message_id: str, read_at: datetime | None) -> MailboxMessage | None:
        doc = await self._messages.find_one_and_update(
            {"_id": message_id, "account_id": account_id, **LIVE},
            {"$set": {"read_at": read_at}},
            return_document=ReturnDocument.AFTER,
        )
        return from_document(doc) if doc else None

    async def delete(self, account_id: str, message_id: str, now: datetime) -> bool:
        result = await self._messages.update_one(
            {"_id": message_id, "account_id": account_id, **LIVE},
            {"$set": {"deleted_at": now}, "$unset": dict.fromkeys(CONTENT, "")},
        )
        return result.modified_count == 1

    async def mark_all_read(self, account_id: str, now: datetime) -> int:
        result = await self._messages.update_many(
            {"account_id": account_id, **LIVE, "read_at": None}, {"$set": {"read_at": now}}
        )
        return int(result.modified_count)

    async def everything(self, account_id: str) -> list[MailboxMessage]:
        cursor = self._messages.find({"account_id": account_id, **LIVE}).sort([("received_at", 1), ("_id", 1)])
        return [from_document(doc) async for doc in cursor]
