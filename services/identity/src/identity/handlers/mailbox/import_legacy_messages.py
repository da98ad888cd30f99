"""ImportLegacyMessages: when a legacy account's migration completes
(AccountMigrated), the former portal's messages land in the new account's
mailbox unchanged (original dates, sender, subject, body), once each."""

from __future__ import annotations

from identity.domain.mailbox import MessageSource, legacy_key, new_message
from identity.ports import LegacyMailboxes, MailboxStore

LEGACY_SENDER = "CREANCEinfo <messagerie@creanceinfo.fr>"


async def import_legacy_messages(store: MailboxStore, legacy: LegacyMailboxes, account_id: str, legacy_id: str) -> int:
    """The number of messages newly filed (0 on a repeat: every key is already there)."""
    messages = await legacy.legacy_messages(legacy_id)
    if not messages:
        return 0
    return await store.file(
        [
            new_message(
                account_id=account_id,
                source=MessageSource.LEGACY,
                source_key=legacy_key(legacy_id, index, old.received_at, old.subject),
                received_at=old.received_at,
                subject=old.subject,
                body=old.body,
                sender=old.sender or LEGACY_SENDER,
                details={"legacy_id": legacy_id},
            )
            for index, old in enumerate(messages)
        ]
    )
