"""Mail persisted with the change that causes it and delivered to SMTP by the
outbox relay (field `_courier` of the changed document): an SMTP outage delays
mail and loses none, and a mail is never sent for a change that was not stored.

    document[COURIER_FIELD] = [mail_entry(to=..., subject=..., text=..., now=...)]
    relay, wakeup = courier(db, ["accounts"], host=..., port=..., sender=..., timeout=...)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxEntry, OutboxRelay, Publish, Wakeup

COURIER_FIELD = "_courier"


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


def smtp_sender(*, host: str, port: int, sender: str, timeout: float) -> Publish:
    """A relay publisher that delivers mail entries over SMTP, one by one."""

    async def send(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for entry in entries:
            mail = json.loads(entry.value)
            message = EmailMessage()
            message["From"] = sender
            message["To"] = mail["to"]
            message["Subject"] = mail["subject"]
            # The entry id makes a re-sent message recognisable as the same one.
            message["Message-ID"] = f"<{entry.id}@creditdesk.dev>"
            message.set_content(mail["text"])
            try:
                await aiosmtplib.send(message, hostname=host, port=port, timeout=timeout)
                results.append(None)
            except (aiosmtplib.SMTPException, OSError) as error:
                results.append(error)
        return results

    return send


def courier(
    db: MongoDatabase, collections: Sequence[str], *, host: str, port: int, sender: str, timeout: float
) -> tuple[OutboxRelay, Wakeup]:
    """The relay that sends the pending mail of `collections`, and its wake-up."""
    wakeup = Wakeup()
    publish = smtp_sender(host=host, port=port, sender=sender, timeout=timeout)
    return OutboxRelay(db, collections, wakeup, publish, field=COURIER_FIELD, poll_seconds=1.0), wakeup
