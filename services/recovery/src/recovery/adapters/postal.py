"""`FolderPostalService`: the local postal adapter. Each posted letter becomes a PDF and a JSON
manifest in a folder, like the SMTP sink's mail: what a printer-and-post provider would receive.

- **Idempotent by `letter_id`**: the manifest is the posting. It is created exclusively (a hard
  link of a fully written temporary file, which fails when the name exists), so a letter posted
  twice, by a retry, a restarted service or two instances at once, is written once and every call
  returns the first receipt. The PDF is written (atomically) before the manifest: a crash between
  leaves a PDF without manifest, which the next attempt rewrites with the same bytes.
- **Registered letters** get a tracking id in the UPU S10 shape La Poste's registered items use
  (`RR` + 8 digits + check digit + `FR`), derived from the letter id, so the same letter always has
  the same number. Locally it is a stand-in: a real provider assigns its own.
- **The acknowledgement of receipt** is unknown when the letter is posted (`acknowledged_on` is
  null); `acknowledge` records its date when the provider reports it (locally: a test or an
  operator). It never moves a deadline (the month counts from the sending, README "Choices").

File names are the letter id, which must be a plain identifier (letters, digits, `.`, `_`, `-`):
anything else is refused before any file is touched.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from chassis.clock import Clock
from recovery.domain.cases import LetterKind
from recovery.ports import DocumentStore, PostalItem, PostalReceipt

_LETTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

SERVICES = {
    LetterKind.PLAIN: "lettre simple",
    LetterKind.REGISTERED: "lettre recommandée avec demande d'avis de réception",
}


class InvalidLetterId(ValueError):
    pass


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial number has 8 digits")
    check = 11 - sum(int(digit) * weight for digit, weight in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def tracking_id(letter_id: str) -> str:
    """The registered letter's tracking id, the same for the same letter: RR + 8 digits + check + FR."""
    serial = f"{int.from_bytes(hashlib.sha256(letter_id.encode()).digest()[:8], 'big') % 10**8:08d}"
    return f"RR{serial}{s10_check_digit(serial)}FR"


def _receipt(manifest: dict[str, Any]) -> PostalReceipt:
    acknowledged = manifest.get("acknowledged_on")
    return PostalReceipt(
        letter_id=manifest["letter_id"],
        posted_at=datetime.fromisoformat(manifest["posted_at"]),
        tracking_id=manifest.get("tracking_id"),
        acknowledged_on=date.fromisoformat(acknowledged) if acknowledged else None,
    )


def _write_new(path: Path, content: bytes) -> bool:
    """Write `content` to `path` unless it exists (atomically, durably); False when it existed."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails if the name exists: the first writer wins, whole
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _replace(path: Path, content: bytes) -> None:
    """Write `content` to `path` atomically (readers see the old file or the new one, whole)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


class FolderPostalService:
    """`PostalPort` writing each letter to `folder` (`RECOVERY_POSTAL_DIR`)."""

    def __init__(self, folder: Path, documents: DocumentStore, clock: Clock) -> None:
        self.folder = folder
        self.documents = documents
        self.clock = clock
        self._lock = asyncio.Lock()  # one posting at a time in this process; files guard the others

    def _paths(self, letter_id: str) -> tuple[Path, Path]:
        if not _LETTER_ID.match(letter_id) or ".." in letter_id:
            raise InvalidLetterId(f"a letter id is a plain identifier, not {letter_id[:40]!r}")
        return self.folder / f"{letter_id}.pdf", self.folder / f"{letter_id}.json"

    def _read(self, manifest_path: Path) -> dict[str, Any] | None:
        try:
            manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return manifest

    async def receipt(self, letter_id: str) -> PostalReceipt | None:
        """The receipt of a letter already posted, or None."""
        _, manifest_path = self._paths(letter_id)
        manifest = await asyncio.to_thread(self._read, manifest_path)
        return _receipt(manifest) if manifest else None

    async def send(self, item: PostalItem) -> PostalReceipt:
        pdf_path, manifest_path = self._paths(item.letter_id)
        async with self._lock:
            existing = await asyncio.to_thread(self._read, manifest_path)
            if existing is not None:
                return _receipt(existing)  # posted already: the same receipt, nothing written
            content = await self.documents.get(item.document_id)  # KeyError for an unknown document
            kind = LetterKind(item.kind)
            manifest = {
                "letter_id": item.letter_id,
                "case_id": item.case_id,
                "kind": kind.value,
                "service": SERVICES[kind],
                "recipient": item.recipient,
                "address": {
                    "line1": item.address.line1,
                    "line2": item.address.line2,
                    "postcode": item.address.postcode,
                    "city": item.address.city,
                    "department": item.address.department,
                },
                "document_id": item.document_id,
                "file": pdf_path.name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content),
                "posted_at": self.clock.now().isoformat(),
                "tracking_id": tracking_id(item.letter_id) if kind is LetterKind.REGISTERED else None,
                "acknowledged_on": None,
            }
            encoded = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

            def post() -> dict[str, Any]:
                self.folder.mkdir(parents=True, exist_ok=True)
                _replace(pdf_path, content)
                if _write_new(manifest_path, encoded):
                    return manifest
                winner = self._read(manifest_path)  # another instance posted it in between
                if winner is None:  # pragma: no cover (manifests are never deleted)
                    raise RuntimeError(f"the manifest of {item.letter_id} vanished")
                return winner

            return _receipt(await asyncio.to_thread(post))

    async def acknowledge(self, letter_id: str, on: date) -> PostalReceipt:
        """Record the acknowledgement of receipt's date of a registered letter (as the provider
        reports it); KeyError when the letter was not posted, ValueError for a plain letter."""
        _, manifest_path = self._paths(letter_id)
        async with self._lock:
            manifest = await asyncio.to_thread(self._read, manifest_path)
            if manifest is None:
                raise KeyError(letter_id)
            if manifest["kind"] != LetterKind.REGISTERED.value:
                raise ValueError("only a registered letter has an acknowledgement of receipt")
            if datetime.fromisoformat(manifest["posted_at"]).date() > on:
                raise ValueError("a letter is not received before it is posted")
            manifest = {**manifest, "acknowledged_on": on.isoformat()}
            encoded = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            await asyncio.to_thread(_replace, manifest_path, encoded)
            return _receipt(manifest)


__all__ = ["SERVICES", "FolderPostalService", "InvalidLetterId", "s10_check_digit", "tracking_id"]
