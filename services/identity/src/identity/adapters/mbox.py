"""A mailbox export as a standard mbox file (RFC 4155), written by Python's own
`mailbox` module: each message is an RFC 5322 email (`domain.mailbox.as_email`)
after a `From ` separator line carrying its sender and original date; body
lines starting with "From " are quoted as the format requires."""

from __future__ import annotations

import mailbox
import tempfile
import time
from collections.abc import Sequence
from email.utils import parseaddr
from pathlib import Path

from identity.domain.mailbox import PLATFORM_SENDER, MailboxMessage, as_email

MBOX_MEDIA_TYPE = "application/mbox"  # RFC 4155's registered type


def envelope_sender(message: MailboxMessage) -> str:
    """The address of the `From ` line: a bare address, never spaces."""
    address = parseaddr(message.sender or PLATFORM_SENDER)[1]
    return address.replace(" ", "") or "MAILER-DAEMON"


def render_mbox(messages: Sequence[MailboxMessage]) -> bytes:
    """The messages, in the given order, as one mbox file."""
    with tempfile.TemporaryDirectory(prefix="mailbox-export-") as folder:
        path = Path(folder) / "export.mbox"
        box = mailbox.mbox(path, create=True)
        try:
            box.lock()
            for message in messages:
                entry = mailbox.mboxMessage(as_email(message))
                entry.set_from(envelope_sender(message), time.gmtime(message.received_at.timestamp()))
                entry.set_flags("RO" if message.read else "O")
                box.add(entry)
            box.flush()
        finally:
            box.unlock()
            box.close()
        return path.read_bytes()
