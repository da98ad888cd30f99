"""MarkMessage: the caller marks one of their messages read or unread."""

from __future__ import annotations

from datetime import datetime

from identity.domain.mailbox import MailboxMessage, mark
from identity.handlers.mailbox.read_message import message_not_found
from identity.ports import MailboxStore


async def mark_message(
    store: MailboxStore, account_id: str, message_id: str, *, read: bool, now: datetime
) -> MailboxMessage:
    message = await store.get(account_id, message_id)
    if message is None:
        raise message_not_found()
    marked = mark(message, read=read, now=now)
    if marked == message:
        return message
    updated = await store.set_read_at(account_id, message_id, marked.read_at)
    if updated is None:
        raise message_not_found()
    return updated
