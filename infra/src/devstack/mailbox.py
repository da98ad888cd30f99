"""Read what the SMTP sink received: one parsed message per .eml file, oldest first."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


class Mail(EmailMessage):
    """An EmailMessage with the accessors tests keep needing."""

    path: Path | None = None

    @property
    def subject(self) -> str:
        return str(self.get("Subject", ""))

    @property
    def sender(self) -> str:
        return _addresses(self.get_all("From", []))[0] if self.get("From") else ""

    @property
    def to(self) -> list[str]:
        return _addresses(self.get_all("To", []))

    @property
    def recipients(self) -> list[str]:
        """Envelope recipients (includes Bcc), falling back to To and Cc, lower-cased."""
        envelope = self.get("X-Envelope-To")
        found = [a.strip() for a in str(envelope).split(",")] if envelope else []
        found += _addresses(self.get_all("To", []) + self.get_all("Cc", []))
        return list(dict.fromkeys(a.lower() for a in found if a))

    @property
    def text(self) -> str:
        """The text/plain body (or the HTML one if there is no plain part)."""
        part = self.get_body(preferencelist=("plain", "html"))
        return "" if part is None else str(part.get_content())

    @property
    def html(self) -> str:
        part = self.get_body(preferencelist=("html",))
        return "" if part is None else str(part.get_content())

    def links(self) -> list[str]:
        """Every http(s) URL in the body, in order (verification and reset links)."""
        return URL_RE.findall(self.text + "\n" + self.html)


def _addresses(values: list[object]) -> list[str]:
    out: list[str] = []
    for value in values:
        addresses = getattr(value, "addresses", None)
        if addresses is not None:
            out += [a.addr_spec for a in addresses if isinstance(a, Address)]
        else:
            out += [addr for _name, addr in getaddresses([str(value)])]
    return out


class Mailbox:
    """The sink's directory. Safe to read while the sink writes (renames are atomic)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._parser = BytesParser(_class=Mail, policy=policy.default)

    def paths(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob("*.eml") if not p.name.startswith("."))

    def messages(self) -> list[Mail]:
        mails = []
        for path in self.paths():
            try:
                with path.open("rb") as handle:
                    mail = self._parser.parse(handle)
            except FileNotFoundError:  # cleared concurrently
                continue
            assert isinstance(mail, Mail)
            mail.path = path
            mails.append(mail)
        return mails

    def for_recipient(self, address: str) -> list[Mail]:
        wanted = address.strip().lower()
        return [m for m in self.messages() if wanted in m.recipients]

    def clear(self) -> None:
        for path in self.paths():
            path.unlink(missing_ok=True)

    async def wait_for(
        self,
        recipient: str,
        predicate: Callable[[Mail], bool] | None = None,
        timeout: float = 10.0,  # a polling budget, not a cancellation scope
    ) -> Mail:
        """The first message (in arrival order) to `recipient` matching `predicate`, polling."""
        deadline = time.monotonic() + timeout
        while True:
            for mail in self.for_recipient(recipient):
                if predicate is None or predicate(mail):
                    return mail
            if time.monotonic() >= deadline:
                seen = [f"{m.subject!r} to {m.recipients}" for m in self.messages()[-10:]]
                raise TimeoutError(
                    f"no matching mail for {recipient} within {timeout}s in {self.directory}; latest: {seen or 'none'}"
                )
            await asyncio.sleep(0.05)
