"""ListMessages: a page of the caller's mailbox, newest first, with the unread count."""

from __future__ import annotations

from identity.domain.mailbox import Page, PageRequest
from identity.ports import MailboxStore


async def list_messages(store: MailboxStore, account_id: str, request: PageRequest) -> Page:
    return await store.page(account_id, request)
