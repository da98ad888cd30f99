"""The in-app mailbox: each user's messages (ratings' alerts, other services'
in-app notifications, and the former portal's messages kept at migration).

Pure rules, no I/O: a message's identity comes from where it came from (one
message per alert id, per requester's notification id, per legacy message),
so a redelivery or a replay files nothing twice; a deleted message leaves a
tombstone under that identity, so a late duplicate does not bring it back.
Pages are newest first, by (received_at, id) with a keyset cursor, so new
messages arriving between two pages neither repeat nor hide one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from typing import Any

DEFAULT_PAGE = 20
MAX_PAGE = 100
# The address messages of the platform come from, in an export.
PLATFORM_SENDER = "creditdesk <no-reply@creditdesk.dev>"
MESSAGE_ID_DOMAIN = "mailbox.creditdesk.dev"


# What a message is about, as its source gave it (for an alert: portfolio, company, kind, old and
# new values), shown and exported as they are: free-form JSON on purpose.
MessageDetails = dict[str, Any]


class MessageSource(StrEnum):
    ALERT = "alert"  # ratings' AlertRaised
    NOTIFICATION = "notification"  # a service's ...NotificationRequested with the in_app channel
    LEGACY = "legacy"  # the former portal's mailbox, imported with the account


@dataclass(frozen=True)
class MailboxMessage:
    """One message of one account's mailbox."""

    message_id: str
    account_id: str
    source: MessageSource
    source_key: str
    received_at: datetime
    subject: str
    body: str
    sender: str | None = None
    link: str | None = None
    details: MessageDetails = field(default_factory=dict)
    read_at: datetime | None = None

    @property
    def read(self) -> bool:
        return self.read_at is not None


def message_id(source: MessageSource, source_key: str) -> str:
    """The stable id of the message a source item becomes (also its idempotency key)."""
    return hashlib.sha256(f"{source.value}:{source_key}".encode()).hexdigest()[:32]


def new_message(
    *,
    account_id: str,
    source: MessageSource,
    source_key: str,
    received_at: datetime,
    subject: str,
    body: str,
    sender: str | None = None,
    link: str | None = None,
    details: MessageDetails | None = None,
) -> MailboxMessage:
    return MailboxMessage(
        message_id=message_id(source, source_key),
        account_id=account_id,
        source=source,
        source_key=source_key,
        received_at=received_at,
        subject=subject,
        body=body,
        sender=sender,
        link=link,
        details=dict(details or {}),
    )


def alert_key(alert_id: str) -> str:
    return alert_id


def notification_key(requester: str, notification_id: str) -> str:
    """Notification ids are unique within their requester only."""
    return f"{requester}:{notification_id}"


def legacy_key(legacy_id: str, index: int, received_at: datetime, subject: str) -> str:
    """A legacy message has no id of its own: its place in the imported mailbox
    and its content make one (a re-import of the same file gives the same keys)."""
    digest = hashlib.sha256(f"{received_at.isoformat()}\x00{subject}".encode()).hexdigest()[:12]
    return f"{legacy_id}:{index}:{digest}"


def mark(message: MailboxMessage, *, read: bool, now: datetime) -> MailboxMessage:
    """Read keeps the first reading time; unread forgets it."""
    if read:
        return message if message.read_at is not None else replace(message, read_at=now)
    return replace(message, read_at=None)


# --- pages ----------------------------------------------------------------------------


class CursorInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: strictly older than (received_at, message_id)."""

    received_at: datetime
    message_id: str

    def encode(self) -> str:
        raw = f"{self.received_at.isoformat()}|{self.message_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            when, _, identifier = raw.partition("|")
            received_at = datetime.fromisoformat(when)
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise CursorInvalid("is not a cursor this mailbox gave") from error
        if received_at.tzinfo is None or not identifier:
            raise CursorInvalid("is not a cursor this mailbox gave")
        return cls(received_at, identifier)


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_PAGE
    cursor: Cursor | None = None
    unread_only: bool = False


def page_request(limit: int | None, cursor: str | None, unread_only: bool = False) -> PageRequest:
    """Checked paging parameters; raises ValueError naming the field."""
    size = DEFAULT_PAGE if limit is None else limit
    if not 1 <= size <= MAX_PAGE:
        raise PageInvalid("limit", f"must be between 1 and {MAX_PAGE}")
    try:
        decoded = Cursor.decode(cursor) if cursor else None
    except CursorInvalid as error:
        raise PageInvalid("cursor", str(error)) from error
    return PageRequest(size, decoded, unread_only)


class PageInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Page:
    messages: tuple[MailboxMessage, ...]
    unread: int
    total: int
    next_cursor: str | None


def newest_first_key(message: MailboxMessage) -> tuple[datetime, str]:
    return (message.received_at, message.message_id)


def next_cursor(messages: list[MailboxMessage], limit: int) -> str | None:
    """A cursor after the last message of a full page (fetched with limit + 1)."""
    if len(messages) <= limit:
        return None
    last = messages[limit - 1]
    return Cursor(last.received_at, last.message_id).encode()


# --- export ---------------------------------------------------------------------------


def as_email(message: MailboxMessage) -> EmailMessage:
    """The message as an RFC 5322 email (for a standard mailbox file): its
    original date, sender and subject, the body as UTF-8 text, the link and
    the details appended, read state in the `Status` header mbox readers use."""
    mail = EmailMessage()
    mail["From"] = message.sender or PLATFORM_SENDER
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.received_at)
    mail["Message-ID"] = f"<{message.message_id}@{MESSAGE_ID_DOMAIN}>"
    mail["X-Creditdesk-Message-Id"] = message.message_id
    mail["X-Creditdesk-Source"] = message.source.value
    if message.link:
        mail["X-Creditdesk-Link"] = message.link
    mail["Status"] = "RO" if message.read else "O"
    text = message.body
    if message.link:
        text += f"\n\n{message.link}"
    mail.set_content(text if text.endswith("\n") else text + "\n", charset="utf-8")
    return mail
