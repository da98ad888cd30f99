"""The courier: outgoing mail persisted with the change that causes it, and
delivered to SMTP by the chassis relay, so an SMTP outage delays mail and
loses none."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxEntry, OutboxRelay, Publish, Wakeup
from identity.settings import IdentitySettings

COURIER_FIELD = "_courier"
log = logging.getLogger("identity.courier")


def mail_entry(*, to: str, subject: str, text: str, now: datetime) -> dict[str, Any]:
    """A mail waiting to be sent, embedded in the account it concerns."""
    return {
        "id": str(uuid.uuid4()),
        "topic": "mail",
        "key": to,
        "value": json.dumps({"to": to, "subject": subject, "text": text}),
        "headers": {},
        "created_at": now,
        "attempts": 0,
    }


def smtp_sender(settings: IdentitySettings) -> Publish:
    async def send(entries: Sequence[OutboxEntry]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for entry in entries:
            mail = json.loads(entry.value)
            message = EmailMessage()
            message["From"] = settings.mail_from
            message["To"] = mail["to"]
            message["Subject"] = mail["subject"]
            message["Message-ID"] = f"<{entry.id}@creditdesk.dev>"
            message.set_content(mail["text"])
            try:
                await aiosmtplib.send(
                    message,
                    hostname=settings.smtp_host,
                    port=settings.smtp_port,
                    timeout=settings.smtp_timeout_seconds,
                )
                results.append(None)
            except (aiosmtplib.SMTPException, OSError) as error:
                results.append(error)
        return results

    return send


def courier(db: MongoDatabase, collections: Sequence[str], settings: IdentitySettings) -> tuple[OutboxRelay, Wakeup]:
    wakeup = Wakeup()
    relay = OutboxRelay(db, collections, wakeup, smtp_sender(settings), field=COURIER_FIELD, poll_seconds=1.0)
    return relay, wakeup
