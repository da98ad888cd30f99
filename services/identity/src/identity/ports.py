"""Identity's ports, as Protocols: every store and provider its handlers use. The Mongo adapters
in `store/` (and `security.Passwords`, `store.keys.SigningKeys`, `chassis.tokens.Tokens`) implement
them; the in-memory fakes of the handler unit tests (`tests/fakes.py`) too. The handlers' context
(`handlers.context.Identity`) is typed with these, never with an adapter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from contracts import Event
from identity.domain.commissaires import Commissaire, Invitation
from identity.domain.customers import CustomerAccess, Order, OrderEmail
from identity.domain.legacy import LegacyRecord
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.mailbox import MailboxMessage, Page, PageRequest
from identity.domain.sessions import StoredRefreshToken
from identity.domain.throttle import GuessWindow, LockoutPolicy
from identity.security import Verification
from identity.store.keys import SigningKey


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


class AccountStore(Protocol):
    """Accounts (members, customers, commissaires, staff): each change is one write with its
    events (`_outbox`) and mails (`_courier`)."""

    async def add(self, account: dict[str, Any], events: list[Event], mails: list[dict[str, Any]]) -> bool:
        """Insert a new account with its events and mails; False if the email is taken."""
        ...

    async def add_customer(self, access: CustomerAccess, password_hash: str, events: Sequence[Event]) -> bool:
        """Insert a customer access (active at once) with its events; False if the email is taken."""
        ...

    async def by_email(self, email: str) -> dict[str, Any] | None: ...

    async def by_id(self, account_id: str) -> dict[str, Any] | None: ...

    async def active_by_legacy_id(self, legacy_id: str) -> dict[str, Any] | None: ...

    async def activate(self, account_id: str, now: datetime, events: list[Event]) -> bool:
        """Pending -> active, once (the handler used the link's token up just before)."""
        ...

    async def queue_mail(
        self, account_id: str, mail: dict[str, Any], *, stamp: str, now: datetime, sent_before: datetime | None
    ) -> bool:
        """Queue `mail` for the account unless one of the same kind (`stamp`,
        a dotted field holding when it was last sent) went out after `sent_before`."""
        ...

    async def renew_activation(
        self, account_id: str, activation: dict[str, Any], mail: dict[str, Any], sent_before: datetime
    ) -> bool:
        """The mail of a new activation link (which replaces the old ones), unless the last one was
        sent after `sent_before` (the resend throttle)."""
        ...

    async def start_recovery(
        self, account_id: str, recovery: dict[str, Any], mail: dict[str, Any], sent_before: datetime
    ) -> bool: ...

    async def reset_password(
        self,
        account_id: str,
        password_hash: str,
        now: datetime,
        events: list[Event],
        mail: dict[str, Any],
    ) -> bool:
        """Set the password and cut every session issued until now, in one write (the handler used
        the recovery link's token up just before)."""
        ...

    async def announce(self, account_id: str, events: list[Event]) -> None:
        """Events about the account that change nothing stored in it (sessions
        revoked): they ride in its outbox like the others, keyed by its id."""
        ...

    async def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> None:
        """Rehash with the current argon2 parameters, unless the password changed meanwhile."""
        ...

    async def apply_support_change(
        self, account_id: str, fields: dict[str, Any], audit_entry: dict[str, Any], events: list[Event]
    ) -> dict[str, Any] | None:
        """The change, its audit entry and its event, in one write (the trail is only ever appended to)."""
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
        self, email: str, first_connection: dict[str, Any], mail: dict[str, Any], sent_before: datetime
    ) -> bool: ...

    async def finish_first_connection(self, email: str, account_id: str, now: datetime) -> None: ...

    async def queue_mail(self, email: str, mail: dict[str, Any]) -> None: ...


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

    async def by_login(self, login: str) -> dict[str, Any] | None: ...

    async def by_id(self, legacy_id: str) -> dict[str, Any] | None: ...

    async def confirming(self, legacy_id: str, account_id: str, email: str) -> bool:
        """The ticket was spent on one new account: the legacy id now waits for its confirmation."""
        ...

    async def migrated(self, legacy_id: str, account_id: str, now: datetime) -> None: ...

    async def legacy_messages(self, legacy_id: str) -> list[LegacyMessage] | None:
        """The former portal's messages as imported, in their order (the mailbox's LegacyMailboxes port)."""
        ...


class ClientStore(Protocol):
    """Merchants' API clients (their secret stored as a hash)."""

    async def add(self, *, client_id: str, account_id: str, name: str, secret_hash: str, now: datetime) -> None: ...

    async def get(self, client_id: str) -> dict[str, Any] | None: ...

    async def of_account(self, account_id: str) -> list[dict[str, Any]]: ...

    async def revoke(self, client_id: str, account_id: str, now: datetime) -> bool:
        """Revoke one of the account's clients; False when it has no such live client."""
        ...


class KeyDirectory(Protocol):
    """Every published signing key's public half."""

    async def jwks(self) -> dict[str, Any]:
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
