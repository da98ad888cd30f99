"""SMTP sink + Mailbox: what the identity service's mails look like to a test."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

import pytest

from devstack import Stack

pytestmark = pytest.mark.infra


def _send(stack: Stack, to: str, bcc: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"] = "no-reply@creditdesk.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    msg.add_alternative(f"<p>{body}</p>", subtype="html")
    with smtplib.SMTP(stack.smtp.host, stack.smtp.port, timeout=5) as smtp:
        smtp.send_message(msg, to_addrs=[to, bcc])


async def test_sent_mail_is_readable_through_mailbox(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:8]
    to, bcc = f"alice-{tag}@example.test", f"audit-{tag}@example.test"
    _send(stack, to, bcc, f"Verify {tag}", f"Open http://127.0.0.1:18000/verify?token={tag} please")
    _send(stack, to, bcc, f"Second {tag}", "no link")

    mail = await stack.mailbox.wait_for(to, lambda m: m.subject.startswith("Verify"))
    assert mail.to == [to]
    assert mail.sender == "no-reply@creditdesk.test"
    assert "please" in mail.text
    assert mail.links() == [f"http://127.0.0.1:18000/verify?token={tag}"] * 2  # text and html parts
    second = await stack.mailbox.wait_for(to, lambda m: m.subject.startswith("Second"))
    assert mail.path is not None
    assert second.path is not None
    assert mail.path.name < second.path.name

    # Bcc recipients are only in the envelope, which the sink keeps.
    assert [m.subject for m in stack.mailbox.for_recipient(bcc.upper())] == [f"Verify {tag}", f"Second {tag}"]
    assert not list(stack.mailbox.directory.glob(".*"))  # no half-written files left behind


async def test_wait_for_times_out_clearly(stack: Stack) -> None:
    with pytest.raises(TimeoutError, match=r"no matching mail for nobody@example\.test"):
        await stack.mailbox.wait_for("nobody@example.test", timeout=0.2)
