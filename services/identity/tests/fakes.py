"""In-memory fakes of identity's ports (`identity.ports`), for handler unit tests: the same
Protocols as the Mongo adapters, so `identity_on_fakes()` runs any use case without a stack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from chassis.mail import Mail
from chassis.outbox import Wakeup
from chassis.tokens import InMemoryTokens
from contracts import Event
from identity.domain.accounts import Account, AccountCredentials, AccountLink, AccountStatus, Notice
from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.customers import Order, OrderEmail
from identity.domain.legacy import LegacyAccount, LegacyCredentials, LegacyLoginTaken, LegacyRecord, LegacyStatus
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.links import MailedLink
from identity.domain.mailbox import MailboxMessage, Page, PageRequest, newest_first_key, next_cursor
from identity.domain.sessions import StoredRefreshToken
from identity.domain.support import AuditEntry
from identity.domain.throttle import GuessWindow, LockoutPolicy
from identity.domain.tokens import hash_secret
from identity.handlers.context import Identity
from identity.ports import Verification
from identity.settings import IdentitySettings
from tests.clock import SettableClock


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
        self.mails: list[Mail] = []
        self.taken = set(taken_emails or ())

    async def create(self, commissaire: Commissaire, invitation: Invitation, mail: Mail) -> bool:
        if commissaire.email in self.taken or any(a.email == commissaire.email for a in self.accounts.values()):
            return False
        self.accounts[commissaire.account_id] = commissaire
        self.invitations[commissaire.account_id] = invitation
        self.mails.append(mail)
        return True

    async def by_id(self, account_id: str) -> Commissaire | None:
        return self.accounts.get(account_id)

    async def renew_invitation(self, account_id: str, invitation: Invitation, mail: Mail) -> bool:
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


# -- the stores of the account flows (identity.ports), for handler unit tests ----------------------


def _sent_after(link: MailedLink | datetime | None, sent_before: datetime) -> bool:
    """The resend throttle: the last mail of this kind went out after `sent_before`."""
    sent_at = link.sent_at if isinstance(link, MailedLink) else link
    return sent_at is not None and sent_at > sent_before


class InMemoryAccounts:
    """The AccountStore port on a dict of `Account`s (emails unique), with what the Mongo document
    keeps beside the entity (password hash, mailed links, notices, the audit trail); the events
    and mails each write would carry are kept in `events` and `mails` (shared), in order."""

    def __init__(self, mails: list[Mail] | None = None) -> None:
        self.accounts: dict[str, Account] = {}
        self.password_hashes: dict[str, str | None] = {}
        self.links: dict[tuple[str, AccountLink], MailedLink] = {}
        self.notices: dict[tuple[str, Notice], datetime] = {}
        self.trails: dict[str, list[AuditEntry]] = {}
        self.events: list[Event] = []
        self.mails = mails if mails is not None else []

    def _of(self, account_id: str, status: AccountStatus | None = None) -> Account | None:
        account = self.accounts.get(account_id)
        return account if account is not None and (status is None or account.status is status) else None

    async def add(
        self,
        account: Account,
        password_hash: str,
        events: Sequence[Event],
        mails: Sequence[Mail] = (),
        activation: MailedLink | None = None,
    ) -> bool:
        if await self.by_email(account.email) is not None:
            return False
        self.accounts[account.account_id] = account
        self.password_hashes[account.account_id] = password_hash
        if activation is not None:
            self.links[(account.account_id, AccountLink.ACTIVATION)] = activation
        self.events.extend(events)
        self.mails.extend(mails)
        return True

    async def by_email(self, email: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.email == email), None)

    async def by_id(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    async def credentials(self, email: str) -> AccountCredentials | None:
        account = await self.by_email(email)
        return AccountCredentials(account, self.password_hashes.get(account.account_id)) if account else None

    async def active_by_legacy_id(self, legacy_id: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.legacy_id == legacy_id and a.is_active()), None)

    async def activate(self, account_id: str, now: datetime, events: Sequence[Event]) -> bool:
        account = self._of(account_id, AccountStatus.PENDING_ACTIVATION)
        if account is None:
            return False
        self.accounts[account_id] = replace(account, status=AccountStatus.ACTIVE, activated_at=now)
        self.links.pop((account_id, AccountLink.ACTIVATION), None)
        self.events.extend(events)
        return True

    async def notify(
        self, account_id: str, notice: Notice, mail: Mail, *, now: datetime, sent_before: datetime
    ) -> bool:
        if self._of(account_id) is None or _sent_after(self.notices.get((account_id, notice)), sent_before):
            return False
        self.notices[(account_id, notice)] = now
        self.mails.append(mail)
        return True

    async def send_link(
        self, account_id: str, kind: AccountLink, link: MailedLink, mail: Mail, sent_before: datetime
    ) -> bool:
        if self._of(account_id, kind.status) is None or _sent_after(self.links.get((account_id, kind)), sent_before):
            return False
        self.links[(account_id, kind)] = link
        self.mails.append(mail)
        return True

    async def reset_password(
        self, account_id: str, password_hash: str, now: datetime, events: Sequence[Event], mail: Mail
    ) -> bool:
        account = self._of(account_id, AccountStatus.ACTIVE)
        if account is None:
            return False
        self.accounts[account_id] = replace(account, sessions_revoked_before=now)
        self.password_hashes[account_id] = password_hash
        self.links.pop((account_id, AccountLink.RECOVERY), None)
        self.events.extend(events)
        self.mails.append(mail)
        return True

    async def announce(self, account_id: str, events: Sequence[Event]) -> None:
        if account_id in self.accounts:
            self.events.extend(events)

    async def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> None:
        if self.password_hashes.get(account_id) == old_hash:
            self.password_hashes[account_id] = new_hash

    async def apply_support_change(
        self, account_id: str, entry: AuditEntry, display_name: str, events: Sequence[Event]
    ) -> Account | None:
        account = self._of(account_id)
        if account is None:
            return None
        after = {name: change.after for name, change in entry.changes.items()}
        updated = replace(account, display_name=display_name, **after)  # type: ignore[arg-type]
        self.accounts[account_id] = updated
        self.trails.setdefault(account_id, []).append(entry)
        self.events.extend(events)
        return updated

    async def audit_trail(self, account_id: str) -> list[AuditEntry] | None:
        return list(self.trails.get(account_id, [])) if account_id in self.accounts else None

    async def _roles(self, email: str, roles: Callable[[tuple[str, ...]], tuple[str, ...]]) -> bool:
        account = await self.by_email(email)
        if account is None or roles(account.roles) == account.roles:
            return False
        self.accounts[account.account_id] = replace(account, roles=roles(account.roles))
        return True

    async def add_role(self, email: str, role: str) -> bool:
        return await self._roles(email, lambda roles: roles if role in roles else (*roles, role))

    async def remove_role(self, email: str, role: str) -> bool:
        return await self._roles(email, lambda roles: tuple(r for r in roles if r != role))


class InMemoryOrderEmails:
    """The OrderEmailStore port on dicts."""

    def __init__(self, mails: list[Mail] | None = None) -> None:
        self.emails: dict[str, OrderEmail] = {}
        self.first_connections: dict[str, MailedLink] = {}
        self.mails = mails if mails is not None else []

    async def record_order(self, email: str, order: Order, now: datetime) -> bool:
        known = self.emails.get(email, OrderEmail(email, ()))
        if any(o.schedule_id == order.schedule_id for o in known.orders):
            return False
        self.emails[email] = replace(known, orders=(*known.orders, order))
        return True

    async def get(self, email: str) -> OrderEmail | None:
        return self.emails.get(email)

    async def start_first_connection(
        self, email: str, first_connection: MailedLink, mail: Mail, sent_before: datetime
    ) -> bool:
        if email not in self.emails or _sent_after(self.first_connections.get(email), sent_before):
            return False
        self.first_connections[email] = first_connection
        self.mails.append(mail)
        return True

    async def finish_first_connection(self, email: str, account_id: str, now: datetime) -> None:
        self.first_connections.pop(email, None)
        self.emails[email] = replace(self.emails[email], account_id=account_id)


class InMemoryFirstConnectionRequests:
    """The FirstConnectionRequestStore port: email -> until when the request waits."""

    def __init__(self) -> None:
        self.requests: dict[str, datetime] = {}

    async def remember(self, email: str, now: datetime, until: datetime) -> None:
        self.requests[email] = until

    async def waiting(self, email: str, now: datetime) -> bool:
        return email in self.requests and self.requests[email] > now

    async def forget(self, email: str) -> None:
        self.requests.pop(email, None)


class InMemoryLegacy:
    """The LegacyStore port on a dict of legacy accounts with their credentials (logins unique)."""

    def __init__(self) -> None:
        self.records: dict[str, LegacyCredentials] = {}

    async def import_record(self, record: LegacyRecord, now: datetime) -> bool:
        existing = self.records.get(record.legacy_id)
        if existing is not None and existing.account.is_migrated():
            return False
        if any(c.account.login == record.login and i != record.legacy_id for i, c in self.records.items()):
            raise LegacyLoginTaken(f"{record.legacy_id}: the login {record.login!r} belongs to another legacy id")
        status = existing.account.status if existing else LegacyStatus.IMPORTED
        secret_hash = hash_secret(record.migration_secret) if record.migration_secret else None
        account = LegacyAccount(
            record.legacy_id,
            record.login,
            status,
            record.company_name,
            record.siret,
            record.contract_reference,
            record.mailbox,
            existing.account.account_id if existing else None,
        )
        self.records[record.legacy_id] = LegacyCredentials(account, record.password_hash, secret_hash)
        return True

    def _set(self, legacy_id: str, **changes: Any) -> None:
        found = self.records[legacy_id]
        self.records[legacy_id] = replace(found, account=replace(found.account, **changes))

    async def credentials(self, login: str) -> LegacyCredentials | None:
        return next((c for c in self.records.values() if c.account.login == login), None)

    async def by_id(self, legacy_id: str) -> LegacyAccount | None:
        found = self.records.get(legacy_id)
        return found.account if found is not None else None

    async def confirming(self, legacy_id: str, account_id: str, email: str) -> bool:
        found = await self.by_id(legacy_id)
        if found is None or found.is_migrated():
            return False
        self._set(legacy_id, status=LegacyStatus.CONFIRMING, account_id=account_id)
        return True

    async def migrated(self, legacy_id: str, account_id: str, now: datetime) -> None:
        found = await self.by_id(legacy_id)
        if found is not None and found.account_id == account_id:
            self._set(legacy_id, status=LegacyStatus.MIGRATED)

    async def legacy_messages(self, legacy_id: str) -> list[LegacyMessage] | None:
        found = await self.by_id(legacy_id)
        return None if found is None else list(found.mailbox)


class InMemorySessions:
    """The SessionStore port (refresh tokens by hash)."""

    def __init__(self) -> None:
        self.tokens: dict[str, StoredRefreshToken] = {}
        self.revoked_accounts: list[str] = []

    async def issue(
        self, token_hash: str, *, family_id: str, account_id: str, now: datetime, expires_at: datetime
    ) -> None:
        self.tokens[token_hash] = StoredRefreshToken(family_id, account_id, now, expires_at, None, False)

    async def find(self, token_hash: str) -> StoredRefreshToken | None:
        return self.tokens.get(token_hash)

    async def consume(self, token_hash: str, now: datetime) -> bool:
        found = self.tokens.get(token_hash)
        if found is None or found.used_at is not None:
            return False
        self.tokens[token_hash] = replace(found, used_at=now)
        return True

    async def revoke_family(self, family_id: str) -> int:
        chosen = [h for h, t in self.tokens.items() if t.family_id == family_id]
        for digest in chosen:
            self.tokens[digest] = replace(self.tokens[digest], revoked=True)
        return len(chosen)

    async def revoke_account(self, account_id: str) -> int:
        self.revoked_accounts.append(account_id)
        chosen = [h for h, t in self.tokens.items() if t.account_id == account_id]
        for digest in chosen:
            self.tokens[digest] = replace(self.tokens[digest], revoked=True)
        return len(chosen)

    async def open_families(self, account_id: str, now: datetime) -> list[str]:
        return sorted(
            {
                t.family_id
                for t in self.tokens.values()
                if t.account_id == account_id and not t.revoked and t.used_at is None and t.expires_at > now
            }
        )


class InMemoryThrottle:
    """The ThrottleStore port: request counters per key and window; guesses are not limited here
    (the lockout has its own service tests)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}
        self.forgotten: list[str] = []

    async def window(self, key: str) -> GuessWindow:
        return GuessWindow()

    async def reserve_guess(self, key: str, now: datetime, policy: LockoutPolicy) -> int:
        return 0

    async def give_back(self, key: str) -> None:
        return None

    async def lock_if_spent(self, key: str, now: datetime, policy: LockoutPolicy) -> None:
        return None

    async def forget(self, key: str) -> None:
        self.forgotten.append(key)

    async def count(self, key: str, window_start: int, now: datetime) -> int:
        self.counts[(key, window_start)] = self.counts.get((key, window_start), 0) + 1
        return self.counts[(key, window_start)]


class CheapPasswords:
    """The PasswordHasher port without argon2's cost (unit tests only)."""

    async def hash(self, password: str) -> str:
        return f"cheap:{password}"

    async def verify(self, stored: str | None, password: str) -> Verification:
        return Verification(valid=stored == f"cheap:{password}")


class Unused:
    """A port a unit test's use cases never reach: any call fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"this unit test did not expect a call to {name}")


@dataclass
class FakeIdentity:
    identity: Identity
    clock: SettableClock
    accounts: InMemoryAccounts
    order_emails: InMemoryOrderEmails
    requests: InMemoryFirstConnectionRequests
    legacy: InMemoryLegacy
    sessions: InMemorySessions
    throttle: InMemoryThrottle
    tokens: InMemoryTokens

    def mails_to(self, email: str) -> list[Mail]:
        """The mails queued to `email`, oldest first."""
        return [mail for mail in self.accounts.mails if mail.to == email]


def identity_on_fakes(**settings: Any) -> FakeIdentity:
    """Identity's handlers on in-memory ports, at a fixed instant."""
    clock = SettableClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    mails: list[Mail] = []  # every store's mails, in the order they were queued
    accounts, order_emails, requests = (
        InMemoryAccounts(mails),
        InMemoryOrderEmails(mails),
        InMemoryFirstConnectionRequests(),
    )
    legacy, sessions, throttle, tokens = InMemoryLegacy(), InMemorySessions(), InMemoryThrottle(), InMemoryTokens(clock)
    values: dict[str, Any] = {"environment": "test", "public_base_url": "http://gateway.test", **settings}
    identity = Identity(
        clock=clock,
        settings=IdentitySettings(**values),
        accounts=accounts,
        sessions=sessions,
        throttle=throttle,
        order_emails=order_emails,
        legacy=legacy,
        keys=Unused(),
        signing_keys=Unused(),
        passwords=CheapPasswords(),
        courier_wakeup=Wakeup(),
        clients=Unused(),
        first_connection_requests=requests,
        tokens=tokens,
    )
    return FakeIdentity(identity, clock, accounts, order_emails, requests, legacy, sessions, throttle, tokens)
