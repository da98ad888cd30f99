"""MarkAllRead: every unread message of the caller's mailbox is marked read at once."""

from __future__ import annotations

from datetime import datetime

from identity.ports import MailboxStore


async def mark_all_read(store: MailboxStore, account_id: str, now: datetime) -> int:
    """How many messages were unread (and are read now)."""
    return await store.mark_all_read(account_id, now)
