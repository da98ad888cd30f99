"""DeleteMessage: the caller deletes one of their messages (for good: only a
tombstone of its id stays, so the same alert is not filed again)."""

from __future__ import annotations

from datetime import datetime

from identity.handlers.mailbox.read_message import message_not_found
from identity.ports import MailboxStore


async def delete_message(store: MailboxStore, account_id: str, message_id: str, now: datetime) -> None:
    if not await store.delete(account_id, message_id, now):
        raise message_not_found()
