"""Ports of identity's newer use cases (the mailbox), as Protocols: the Mongo
adapters in `store/` implement them, the in-memory fakes of the handler unit
tests (`tests/fakes.py`) too. Earlier flows still take the concrete stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.mailbox import MailboxMessage, Page, PageRequest


class MailboxStore(Protocol):
    """Each account's mailbox messages (domain objects in, domain objects out)."""

    async def file(self, messages: Sequence[MailboxMessage]) -> int:
        """Keep the messages whose id was never filed (nor deleted); the number kept."""
        ...

    async def page(self, account_id: str, request: PageRequest) -> Page:
        """A page, newest first, with the account's unread count and total."""
        ...

    async def get(self, account_id: str, message_id: str) -> MailboxMessage | None:
        """The account's own message (never another account's), None if absent or deleted."""
        ...

    async def set_read_at(self, account_id: str, message_id: str, read_at: datetime | None) -> MailboxMessage | None:
        """Write the read state; the message after it, None if absent or deleted."""
        ...

    async def delete(self, account_id: str, message_id: str, now: datetime) -> bool:
        """Remove the message's content, keep its id (a tombstone); False if absent or deleted."""
        ...

    async def mark_all_read(self, account_id: str, now: datetime) -> int:
        """Every unread message of the account read at `now`; how many were unread."""
        ...

    async def everything(self, account_id: str) -> list[MailboxMessage]:
        """Every message of the account, oldest first (for an export)."""
        ...


class LegacyMailboxes(Protocol):
    """The former portal's mailbox of an imported legacy account."""

    async def legacy_messages(self, legacy_id: str) -> list[LegacyMessage] | None:
        """The imported messages in their imported order; None for an unknown legacy id."""
        ...


class CommissaireStore(Protocol):
    """Commissaire accounts (in the accounts collection), with their invitation."""

    async def create(self, commissaire: Commissaire, invitation: Invitation, mail: dict[str, Any]) -> bool:
        """Insert the invited account with its mail; False when the email has an account."""
        ...

    async def by_id(self, account_id: str) -> Commissaire | None: ...

    async def renew_invitation(self, account_id: str, invitation: Invitation, mail: dict[str, Any]) -> bool:
        """A new invitation replaces the previous one (which stops working); False unless still invited."""
        ...

    async def activate(self, account_id: str, password_hash: str, now: datetime) -> bool:
        """Invited -> active with the password, once (the handler used the invitation's token up)."""
        ...
