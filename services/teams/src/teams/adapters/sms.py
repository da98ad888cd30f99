"""The local SMS adapter (the `SmsSender` port of `teams.ports`): every SMS kept as a file.

The local sink writes one JSON document per message (`to`, `text`,
`sent_at`) into a directory, atomically (write then rename), so tests and
developers read the codes there. A real provider's adapter implements the
same `SmsSender` protocol.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from datetime import datetime
from pathlib import Path

from teams.ports import SmsNotSent


class FileSmsSink:
    """Local adapter: `<directory>/<nanoseconds>-<id>.json` per message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, to: str, text: str, now: datetime) -> None:
        document = {"to": to, "text": text, "sent_at": now.isoformat()}
        # Named by the wall clock's nanoseconds so the listing keeps the sending order.
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        try:
            await asyncio.to_thread(self._write, name, json.dumps(document))
        except OSError as error:
            raise SmsNotSent(f"cannot write the SMS to {self.directory}: {error}") from error

    def _write(self, name: str, content: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".{name}.tmp"
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, self.directory / name)


def read_sink(directory: Path) -> list[dict[str, str]]:
    """Every SMS in a sink directory, oldest first (for tests and tools)."""
    if not directory.is_dir():
        return []
    messages = []
    for path in sorted(p for p in directory.glob("*.json") if not p.name.startswith(".")):
        try:
            messages.append(json.loads(path.read_text(encoding="utf-8")))
        except (FileNotFoundError, json.JSONDecodeError):
            continue
    return messages
