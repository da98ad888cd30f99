"""Mail persisted with the change that causes it and delivered to SMTP by the
outbox relay (field `_courier` of the changed document): an SMTP outage delays
mail and loses none, and a mail is never sent for a change that was not stored.

    document = with_mail(document, mail_entry(to=..., subject=..., text=..., now=...))   # insert
    update = push_mail({"$set": {...}}, mail_entry(...))                                  # update
    relay, wakeup = courier(db, ["accounts"], host=..., port=..., sender=..., timeout=...)

A mail that cannot be built (the mail library refuses a header, e.g. a subject
holding CR/LF) or that the server refuses for good (5xx, every recipient
refused) is parked at once, like any outbox entry (ADR 0007): the mail after
it goes on. An unreachable server only delays mail (backoff, never parked).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from chassis.leases import Leadership
from chassis.metrics import ServiceMetrics
from chassis.mongo import IndexSpec, MongoDatabase
from chassis.outbox import (
    OutboxEntry,
    OutboxRelay,
    PermanentFailure,
    Publish,
    RelayPolicy,
    Wakeup,
    is_transient,
    push_entries,
    relay_indexes,
    with_entries,
)

COURIER_FIELD = "_courier"


@dataclass(frozen=True)
class Mail:
    """A plain-text mail a use case decides to send; the store queues it with the change it belongs to."""

    to: str
    subject: str
    text: str

    def entry(self, now: datetime) -> dict[str, Any]:
        return mail_entry(to=self.to, subject=self.subject, text=self.text, now=now)


def mail_entry(*, to: str, subject: str, text: str, now: datetime) -> dict[str, Any]:
    """A mail waiting to be sent, to embed in the document it concerns."""
    return {
        "id": str(uuid.uuid4()),
        "topic": "mail",
        "key": to,
        "value": json.dumps({"to": to, "subject": subject, "text": text}),
        "headers": {},
        "created_at": now,
        "attempts": 0,
    }


def with_mail(document: dict[str, Any], *mails: dict[str, Any]) -> dict[str, Any]:
    """`document`, for an insert, with mails to send (and the courier's marker)."""
    return with_entries(document, COURIER_FIELD, mails)


def push_mail(update: dict[str, Any], *mails: dict[str, Any]) -> dict[str, Any]:
    """`update` (a MongoDB update document) that also queues `mails` for the courier."""
    return push_entries(update, COURIER_FIELD, mails)


def courier_indexes(*collections: str) -> list[IndexSpec]:
    return [spec for collection in collections for spec in relay_indexes(collection, COURIER_FIELD)]


def build_message(entry: OutboxEntry, sender: str) -> EmailMessage:
    """The message of a mail entry; PermanentFailure if it cannot be built."""
    try:
        mail = json.loads(entry.value)
        message = EmailMessage()
        message["From"] = sender
        message["To"] = mail["to"]
        message["Subject"] = mail["subject"]
        # The entry id makes a re-sent message recognisable as the same one.
        message["Message-ID"] = f"<{entry.id}@creditdesk.dev>"
        message.set_content(mail["text"])
    except (ValueError, KeyError, TypeError) as error:
        raise PermanentFailure(f"mail cannot be built: {error}") from error
    return message


def _classify(error: Exception) -> BaseException:
    """A permanent SMTP refusal becomes a PermanentFailure; the rest is kept."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return PermanentFailure(f"every recipient refused: {error}")
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500 and not is_transient(error):
        return PermanentFailure(f"refused by the mail server ({error.code}): {error.message}")
    return error


def smtp_sender(*, host: str, port: int, sender: str, timeout: float) -> Publish:
    """A relay publisher that delivers mail entries over SMTP, one by one."""

    async def send(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for entry in entries:
            try:
                message = build_message(entry, sender)
            except PermanentFailure as error:
                results.append(error)  # this mail only: the next one goes on
                continue
            try:
                await aiosmtplib.send(message, hostname=host, port=port, timeout=timeout)
                results.append(None)
            except (aiosmtplib.SMTPException, OSError) as error:
                results.append(_classify(error))
                if is_transient(error):
                    # The server is unreachable: the rest would wait for the same timeout.
                    results.extend(error for _ in range(len(entries) - len(results)))
                    break
        return results

    return send


def courier(
    db: MongoDatabase,
    collections: Sequence[str],
    *,
    host: str,
    port: int,
    sender: str,
    timeout: float,
    metrics: ServiceMetrics | None = None,
    policy: RelayPolicy | None = None,
    leadership: Leadership | None = None,
) -> tuple[OutboxRelay, Wakeup]:
    """The relay that sends the pending mail of `collections`, and its wake-up. With `leadership`,
    only its holder sends (a service of several instances: a mail is never sent by two)."""
    wakeup = Wakeup()
    publish = smtp_sender(host=host, port=port, sender=sender, timeout=timeout)
    policy = policy or RelayPolicy(poll_seconds=1.0)
    relay = OutboxRelay(
        db, collections, wakeup, publish, metrics, field=COURIER_FIELD, policy=policy, leadership=leadership
    )
    return relay, wakeup
