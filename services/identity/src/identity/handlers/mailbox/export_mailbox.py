"""ExportMailbox: every message of the caller's mailbox, oldest first, for a
JSON document or a standard mailbox file (mbox, RFC 4155)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.domain.mailbox import MailboxMessage
from identity.ports import MailboxStore


@dataclass(frozen=True)
class MailboxExport:
    account_id: str
    exported_at: datetime
    messages: list[MailboxMessage]


async def export_mailbox(store: MailboxStore, account_id: str, now: datetime) -> MailboxExport:
    return MailboxExport(account_id, now, await store.everything(account_id))
