"""ReadMessage: the caller opens one of their messages, which marks it read
(the first reading time is kept). Another account's message is not found."""

from __future__ import annotations

from datetime import datetime

from chassis.errors import NotFound
from identity.domain.mailbox import MailboxMessage
from identity.ports import MailboxStore


def message_not_found() -> NotFound:
    return NotFound("no such message in your mailbox", code="message-not-found")


async def read_message(store: MailboxStore, account_id: str, message_id: str, now: datetime) -> MailboxMessage:
    message = await store.get(account_id, message_id)
    if message is None:
        raise message_not_found()
    if message.read:
        return message
    updated = await store.set_read_at(account_id, message_id, now)
    if updated is None:  # deleted in between
        raise message_not_found()
    return updated
