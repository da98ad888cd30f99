"""Identity's ports, as Protocols: every store and provider its handlers use. The Mongo adapters
in `store/` (and `adapters.passwords.Passwords`, `store.keys.SigningKeys`, `chassis.tokens.Tokens`) implement
them; the in-memory fakes of the handler unit tests (`tests/fakes.py`) too. The handlers' context
(`handlers.context.Identity`) is typed with these, never with an adapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chassis.mail import Mail
from contracts import Event
from identity.domain.accounts import Account, AccountCredentials, AccountLink, Notice
from identity.domain.clients import ApiClient, ClientCredentials
from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.customers import Order, OrderEmail
from identity.domain.keys import Jwks, SigningKey
from identity.domain.legacy import LegacyAccount, LegacyCredentials, LegacyRecord
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.links import MailedLink
from identity.domain.mailbox import MailboxMessage, Page, PageRequest
from identity.domain.sessions import StoredRefreshToken
from identity.domain.support import AuditEntry
from identity.domain.throttle import GuessWindow, LockoutPolicy


@dataclass(frozen=True)
class Verification:
    valid: bool
    # A new hash when the stored one was made with other parameters.
    rehashed: str | None = None


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

    async def create(self, commissaire: Commissaire, invitation: Invitation, mail: Mail) -> bool:
        """Insert the invited account with its mail; False when the email has an account."""
        ...

    async def by_id(self, account_id: str) -> Commissaire | None: ...

    async def renew_invitation(self, account_id: str, invitation: Invitation, mail: Mail) -> bool:
        """A new invitation replaces the previous one (which stops working); False unless still invited."""
        ...

    async def activate(self, account_id: str, password_hash: str, now: datetime) -> bool:
        """Invited -> active with the password, once (the handler used the invitation's token up)."""
        ...


class AccountStore(Protocol):
    """Accounts (members, customers, commissaires, staff): each change is one write with its
    events (`_outbox`) and mails (`_courier`). The password hash goes in with a new account and
    comes out only with `credentials`, for a login's verify step."""

    async def add(
        self,
        account: Account,
        password_hash: str,
        events: Sequence[Event],
        mails: Sequence[Mail] = (),
        activation: MailedLink | None = None,
    ) -> bool:
        """Insert a new account (waiting for `activation`, if given) with its events and mails;
        False if the email is taken."""
        ...

    async def by_email(self, email: str) -> Account | None: ...

    async def by_id(self, account_id: str) -> Account | None: ...

    async def credentials(self, email: str) -> AccountCredentials | None:
        """The account with its password hash (the login's verify step)."""
        ...

    async def active_by_legacy_id(self, legacy_id: str) -> Account | None: ...

    async def activate(self, account_id: str, now: datetime, events: Sequence[Event]) -> bool:
        """Pending -> active, once (the handler used the link's token up just before)."""
        ...

    async def notify(
        self, account_id: str, notice: Notice, mail: Mail, *, now: datetime, sent_before: datetime
    ) -> bool:
        """Queue the notice's mail unless one of the same notice went out after `sent_before`."""
        ...

    async def send_link(
        self, account_id: str, kind: AccountLink, link: MailedLink, mail: Mail, sent_before: datetime
    ) -> bool:
        """The mail of a new link of this kind (which replaces the earlier one), for an account in
        the kind's status, unless the last one was sent after `sent_before` (the resend throttle)."""
        ...

    async def reset_password(
        self, account_id: str, password_hash: str, now: datetime, events: Sequence[Event], mail: Mail
    ) -> bool:
        """Set the password and cut every session issued until now, in one write (the handler used
        the recovery link's token up just before)."""
        ...

    async def announce(self, account_id: str, events: Sequence[Event]) -> None:
        """Events about the account that change nothing stored in it (sessions
        revoked): they ride in its outbox like the others, keyed by its id."""
        ...

    async def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> None:
        """Rehash with the current argon2 parameters, unless the password changed meanwhile."""
        ...

    async def apply_support_change(
        self, account_id: str, entry: AuditEntry, display_name: str, events: Sequence[Event]
    ) -> Account | None:
        """The entry's changes (with the display name they lead to), the entry appended to the
        trail and the event, in one write; the account after it, None if there is none."""
        ...

    async def audit_trail(self, account_id: str) -> list[AuditEntry] | None:
        """The account's support changes, oldest first; None if there is no such account."""
        ...

    async def add_role(self, email: str, role: str) -> bool: ...

    async def remove_role(self, email: str, role: str) -> bool: ...


class SessionStore(Protocol):
    """Refresh tokens, by family (rotation) and by account."""

    async def issue(
        self, token_hash: str, *, family_id: str, account_id: str, now: datetime, expires_at: datetime
    ) -> None: ...

    async def find(self, token_hash: str) -> StoredRefreshToken | None: ...

    async def consume(self, token_hash: str, now: datetime) -> bool:
        """Mark the token used; False if another request consumed it first (a reuse)."""
        ...

    async def revoke_family(self, family_id: str) -> int: ...

    async def revoke_account(self, account_id: str) -> int: ...

    async def open_families(self, account_id: str, now: datetime) -> list[str]:
        """The account's logins that may still hold a valid access token: a
        family with an unrevoked token that has not expired."""
        ...


class ThrottleStore(Protocol):
    """Guess counters and locks of logins, and per-address request counters."""

    async def window(self, key: str) -> GuessWindow: ...

    async def reserve_guess(self, key: str, now: datetime, policy: LockoutPolicy) -> int:
        """Count one guess before it is evaluated, atomically: a conditional
        `$inc` that matches only below the limit of an open window, or a new
        window when the last one elapsed (or none exists). Returns 0 when the
        guess may be evaluated, else the seconds until one may (the lock)."""
        ...

    async def give_back(self, key: str) -> None:
        """A guess that turned out right (or was never evaluated) stops counting."""
        ...

    async def lock_if_spent(self, key: str, now: datetime, policy: LockoutPolicy) -> None:
        """After a failure: if it used up the window's guesses, the key stays
        refused for `lock_for` from now."""
        ...

    async def forget(self, key: str) -> None: ...

    async def count(self, key: str, window_start: int, now: datetime) -> int:
        """Atomically count one more request in the fixed window; returns the total."""
        ...


class OrderEmailStore(Protocol):
    """Emails that have orders, with their first-connection state and mail."""

    async def record_order(self, email: str, order: Order, now: datetime) -> bool:
        """Remember an order of `email`; False when this schedule was already
        recorded (a redelivered event changes nothing)."""
        ...

    async def get(self, email: str) -> OrderEmail | None: ...

    async def start_first_connection(
        self, email: str, first_connection: MailedLink, mail: Mail, sent_before: datetime
    ) -> bool:
        """The mail of a first-connection link, unless the last one was sent after `sent_before`."""
        ...

    async def finish_first_connection(self, email: str, account_id: str, now: datetime) -> None: ...


class FirstConnectionRequestStore(Protocol):
    """First connections asked before identity knew of an order for the email."""

    async def remember(self, email: str, now: datetime, until: datetime) -> None:
        """Keep (or extend) the request of `email` until `until`."""
        ...

    async def waiting(self, email: str, now: datetime) -> bool: ...

    async def forget(self, email: str) -> None: ...


class LegacyStore(Protocol):
    """Accounts imported from the legacy portal, waiting for (or done with) migration."""

    async def import_record(self, record: LegacyRecord, now: datetime) -> bool:
        """Insert or refresh an imported account; a migrated one is left alone.
        Returns True when written."""
        ...

    async def credentials(self, login: str) -> LegacyCredentials | None:
        """The legacy account of `login` with its former credentials (the legacy login's verify step)."""
        ...

    async def by_id(self, legacy_id: str) -> LegacyAccount | None: ...

    async def confirming(self, legacy_id: str, account_id: str, email: str) -> bool:
        """The ticket was spent on one new account: the legacy id now waits for its confirmation."""
        ...

    async def migrated(self, legacy_id: str, account_id: str, now: datetime) -> None: ...

    async def legacy_messages(self, legacy_id: str) -> list[LegacyMessage] | None:
        """The former portal's messages as imported, in their order (the mailbox's LegacyMailboxes port)."""
        ...


class ClientStore(Protocol):
    """Merchants' API clients (their secret stored as a hash)."""

    async def add(self, client: ApiClient, secret_hash: str) -> None: ...

    async def credentials(self, client_id: str) -> ClientCredentials | None:
        """The client with its secret's hash (the token grant's check)."""
        ...

    async def of_account(self, account_id: str) -> list[ApiClient]:
        """The account's clients, oldest first, revoked ones included."""
        ...

    async def revoke(self, client_id: str, account_id: str, now: datetime) -> bool:
        """Revoke one of the account's clients; False when it has no such live client."""
        ...


class KeyDirectory(Protocol):
    """Every published signing key's public half."""

    async def jwks(self) -> Jwks:
        """The JWKS that verifies the access tokens identity signs."""
        ...


class SigningKeyProvider(Protocol):
    """The key that signs access tokens now."""

    async def current(self) -> SigningKey: ...


class PasswordHasher(Protocol):
    """Password hashing (argon2id in the service; a cheap stand-in in unit tests)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, stored: str | None, password: str) -> Verification:
        """Checks `password`; with no stored hash, spends the same time and fails."""
        ...
