"""In-memory fakes of identity's ports (`identity.ports`), for handler unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from identity.domain.accounts import AccountStatus
from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.mailbox import MailboxMessage, Page, PageRequest, newest_first_key, next_cursor


class InMemoryMailboxStore:
    """The MailboxStore port on a dict; deleted ids are kept as tombstones, like the Mongo adapter."""

    def __init__(self) -> None:
        self.messages: dict[str, MailboxMessage] = {}
        self.tombstones: dict[str, str] = {}  # message id -> account id

    async def file(self, messages: Sequence[MailboxMessage]) -> int:
        kept = 0
        for message in messages:
            if message.message_id in self.messages or message.message_id in self.tombstones:
                continue
            self.messages[message.message_id] = message
            kept += 1
        return kept

    def _owned(self, account_id: str) -> list[MailboxMessage]:
        return [m for m in self.messages.values() if m.account_id == account_id]

    async def page(self, account_id: str, request: PageRequest) -> Page:
        owned = sorted(self._owned(account_id), key=newest_first_key, reverse=True)
        chosen = [m for m in owned if not (request.unread_only and m.read)]
        if request.cursor is not None:
            after = (request.cursor.received_at, request.cursor.message_id)
            chosen = [m for m in chosen if newest_first_key(m) < after]
        window = chosen[: request.limit + 1]
        unread = sum(1 for m in owned if not m.read)
        return Page(tuple(window[: request.limit]), unread, len(owned), next_cursor(window, request.limit))

    async def get(self, account_id: str, message_id: str) -> MailboxMessage | None:
        message = self.messages.get(message_id)
        return message if message is not None and message.account_id == account_id else None

    async def set_read_at(self, account_id: str, message_id: str, read_at: datetime | None) -> MailboxMessage | None:
        message = await self.get(account_id, message_id)
        if message is None:
            return None
        self.messages[message_id] = replace(message, read_at=read_at)
        return self.messages[message_id]

    async def delete(self, account_id: str, message_id: str, now: datetime) -> bool:
        if await self.get(account_id, message_id) is None:
            return False
        del self.messages[message_id]
        self.tombstones[message_id] = account_id
        return True

    async def mark_all_read(self, account_id: str, now: datetime) -> int:
        unread = [m for m in self._owned(account_id) if not m.read]
        for message in unread:
            self.messages[message.message_id] = replace(message, read_at=now)
        return len(unread)

    async def everything(self, account_id: str) -> list[MailboxMessage]:
        return sorted(self._owned(account_id), key=newest_first_key)


class InMemoryLegacyMailboxes:
    """The LegacyMailboxes port on a dict of legacy id -> imported messages."""

    def __init__(self, mailboxes: dict[str, list[LegacyMessage]] | None = None) -> None:
        self.mailboxes = dict(mailboxes or {})

    async def legacy_messages(self, legacy_id: str) -> list[LegacyMessage] | None:
        return self.mailboxes.get(legacy_id)


class InMemoryCommissaireStore:
    """The CommissaireStore port on dicts (emails unique, like the accounts collection)."""

    def __init__(self, taken_emails: set[str] | None = None) -> None:
        self.accounts: dict[str, Commissaire] = {}
        self.invitations: dict[str, Invitation] = {}
        self.password_hashes: dict[str, str] = {}
        self.mails: list[dict[str, Any]] = []
        self.taken = set(taken_emails or ())

    async def create(self, commissaire: Commissaire, invitation: Invitation, mail: dict[str, Any]) -> bool:
        if commissaire.email in self.taken or any(a.email == commissaire.email for a in self.accounts.values()):
            return False
        self.accounts[commissaire.account_id] = commissaire
        self.invitations[commissaire.account_id] = invitation
        self.mails.append(mail)
        return True

    async def by_id(self, account_id: str) -> Commissaire | None:
        return self.accounts.get(account_id)

    async def renew_invitation(self, account_id: str, invitation: Invitation, mail: dict[str, Any]) -> bool:
        account = self.accounts.get(account_id)
        if account is None or account.status is not AccountStatus.INVITED:
            return False
        self.invitations[account_id] = invitation
        self.mails.append(mail)
        return True

    async def activate(self, account_id: str, password_hash: str, now: datetime) -> bool:
        account = self.accounts.get(account_id)
        if account is None or account.status is not AccountStatus.INVITED:
            return False
        self.accounts[account_id] = replace(account, status=AccountStatus.ACTIVE, activated_at=now)
        self.invitations.pop(account_id, None)
        self.password_hashes[account_id] = password_hash
        return True
