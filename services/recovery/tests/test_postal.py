"""The local postal adapter: one PDF and one manifest per letter, posted once whatever the retries."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from recovery.adapters.letters import WeasyPrintRenderer
from recovery.adapters.postal import FolderPostalService, InvalidLetterId, s10_check_digit, tracking_id
from recovery.domain.cases import LetterKind
from recovery.domain.claims import PostalAddress
from recovery.ports import DocumentKind, PostalItem
from recovery.settings import RecoverySettings
from services.recovery.tests.fakes import FakeDocumentStore
from services.recovery.tests.letters_support import pdf_text, request
from tests.clock import SettableClock

PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"
ADDRESS = PostalAddress("12 rue Serpenoise", "57000", "Metz", "57", line2="2e étage")


class CountingDocuments(FakeDocumentStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def get(self, document_id: str) -> bytes:
        self.reads += 1
        return await super().get(document_id)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 19, 8, 30, tzinfo=UTC))


@pytest.fixture
def documents() -> CountingDocuments:
    return CountingDocuments()


async def _item(documents: FakeDocumentStore, kind: LetterKind, letter_id: str = "letter-1") -> PostalItem:
    stored = await documents.put(PDF, media_type="application/pdf", name=f"{letter_id}.pdf")
    return PostalItem(letter_id, "case-7f3a", kind, "Quincaillerie Lorraine SARL", ADDRESS, stored.document_id)


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_a_posted_letter_is_its_pdf_and_its_manifest(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    postal = FolderPostalService(tmp_path / "postal", documents, clock)
    item = await _item(documents, LetterKind.PLAIN)
    receipt = await postal.send(item)
    assert receipt.letter_id == "letter-1"
    assert receipt.posted_at == clock.now()
    assert receipt.tracking_id is None  # a plain letter has none
    assert receipt.acknowledged_on is None
    folder = tmp_path / "postal"
    assert _files(folder) == ["letter-1.json", "letter-1.pdf"]  # no temporary file left
    assert (folder / "letter-1.pdf").read_bytes() == PDF
    manifest = json.loads((folder / "letter-1.json").read_text(encoding="utf-8"))
    assert manifest == {
        "letter_id": "letter-1",
        "case_id": "case-7f3a",
        "kind": "plain",
        "service": "lettre simple",
        "recipient": "Quincaillerie Lorraine SARL",
        "address": {
            "line1": "12 rue Serpenoise",
            "line2": "2e étage",
            "postcode": "57000",
            "city": "Metz",
            "department": "57",
        },
        "document_id": item.document_id,
        "file": "letter-1.pdf",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
        "posted_at": "2026-03-19T08:30:00+00:00",
        "tracking_id": None,
        "acknowledged_on": None,
    }


async def test_posting_twice_writes_once_and_returns_the_same_receipt(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    postal = FolderPostalService(tmp_path, documents, clock)
    item = await _item(documents, LetterKind.REGISTERED)
    first = await postal.send(item)
    written = (tmp_path / "letter-1.json").stat().st_mtime_ns
    clock.advance(hours=5)
    again = await postal.send(item)
    assert again == first
    assert again.posted_at == datetime(2026, 3, 19, 8, 30, tzinfo=UTC)  # not the retry's time
    assert documents.reads == 1  # the retry fetched nothing, wrote nothing
    assert (tmp_path / "letter-1.json").stat().st_mtime_ns == written
    assert _files(tmp_path) == ["letter-1.json", "letter-1.pdf"]


async def test_a_restarted_service_returns_the_first_receipt(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    item = await _item(documents, LetterKind.REGISTERED)
    first = await FolderPostalService(tmp_path, documents, clock).send(item)
    clock.advance(days=1)
    assert await FolderPostalService(tmp_path, documents, clock).send(item) == first
    assert await FolderPostalService(tmp_path, documents, clock).receipt("letter-1") == first


async def test_concurrent_postings_of_one_letter_write_one_manifest(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    item = await _item(documents, LetterKind.REGISTERED)
    services = [FolderPostalService(tmp_path, documents, clock) for _ in range(4)]  # as many instances
    receipts = await asyncio.gather(*(service.send(item) for service in services for _ in range(3)))
    assert len(set(receipts)) == 1
    assert _files(tmp_path) == ["letter-1.json", "letter-1.pdf"]


async def test_registered_letters_get_a_deterministic_tracking_id(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    postal = FolderPostalService(tmp_path, documents, clock)
    one = await postal.send(await _item(documents, LetterKind.REGISTERED, "letter-a"))
    other = await postal.send(await _item(documents, LetterKind.REGISTERED, "letter-b"))
    assert one.tracking_id == tracking_id("letter-a")
    assert other.tracking_id == tracking_id("letter-b")
    assert one.tracking_id != other.tracking_id
    manifest = json.loads((tmp_path / "letter-a.json").read_text(encoding="utf-8"))
    assert manifest["tracking_id"] == one.tracking_id
    assert manifest["service"] == "lettre recommandée avec demande d'avis de réception"
    assert manifest["acknowledged_on"] is None  # unknown until the provider reports it


@pytest.mark.parametrize("letter_id", ["letter-1", "f1d2e3c4-0000-4000-8000-000000000001", "x"])
def test_tracking_ids_have_the_s10_shape_and_check_digit(letter_id: str) -> None:
    tracking = tracking_id(letter_id)
    assert tracking == tracking_id(letter_id)
    assert tracking.startswith("RR")
    assert tracking.endswith("FR")
    assert len(tracking) == 13
    assert tracking[2:11].isdigit()
    assert int(tracking[10]) == s10_check_digit(tracking[2:10])


def test_the_s10_check_digit_of_the_upu_example() -> None:
    # UPU S10: serial 47312482 -> weighted sum 200, 11 - (200 mod 11) = 9.
    assert s10_check_digit("47312482") == 9
    with pytest.raises(ValueError, match="8 digits"):
        s10_check_digit("1234")


async def test_the_acknowledgement_is_recorded_when_known(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    postal = FolderPostalService(tmp_path, documents, clock)
    item = await _item(documents, LetterKind.REGISTERED)
    posted = await postal.send(item)
    acknowledged = await postal.acknowledge("letter-1", date(2026, 3, 21))
    assert acknowledged.acknowledged_on == date(2026, 3, 21)
    assert acknowledged.tracking_id == posted.tracking_id
    assert acknowledged.posted_at == posted.posted_at
    assert await postal.send(item) == acknowledged  # a later retry sees it too
    manifest = json.loads((tmp_path / "letter-1.json").read_text(encoding="utf-8"))
    assert manifest["acknowledged_on"] == "2026-03-21"


async def test_acknowledgements_only_of_posted_registered_letters(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    postal = FolderPostalService(tmp_path, documents, clock)
    with pytest.raises(KeyError):
        await postal.acknowledge("never-posted", date(2026, 3, 21))
    await postal.send(await _item(documents, LetterKind.PLAIN, "plain-1"))
    with pytest.raises(ValueError, match="only a registered letter"):
        await postal.acknowledge("plain-1", date(2026, 3, 21))
    await postal.send(await _item(documents, LetterKind.REGISTERED, "registered-1"))
    with pytest.raises(ValueError, match="before it is posted"):
        await postal.acknowledge("registered-1", date(2026, 3, 18))


@pytest.mark.parametrize("letter_id", ["../escape", "a/b", "", ".hidden", "a..b", "x" * 200, "é"])
async def test_a_letter_id_that_is_no_plain_identifier_is_refused(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock, letter_id: str
) -> None:
    folder = tmp_path / "postal"
    postal = FolderPostalService(folder, documents, clock)
    item = await _item(documents, LetterKind.PLAIN, "ok")
    with pytest.raises(InvalidLetterId):
        await postal.send(
            PostalItem(letter_id, item.case_id, item.kind, item.recipient, item.address, item.document_id)
        )
    assert not folder.exists()  # refused before any file was touched


async def test_an_unknown_document_posts_nothing(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    postal = FolderPostalService(tmp_path / "postal", documents, clock)
    with pytest.raises(KeyError):
        await postal.send(PostalItem("letter-1", "case-7f3a", LetterKind.PLAIN, "X", ADDRESS, "no-such-document"))
    assert not (tmp_path / "postal").exists()
    assert await postal.receipt("letter-1") is None


def test_the_folder_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert RecoverySettings().postal_dir == ".cache/postal"
    monkeypatch.setenv("RECOVERY_POSTAL_DIR", str(tmp_path))
    assert RecoverySettings().postal_dir == str(tmp_path)


async def test_a_rendered_letter_goes_through_the_store_to_the_folder(
    tmp_path: Path, documents: CountingDocuments, clock: SettableClock
) -> None:
    """The path a handler takes: render, store immutable, post; the posted PDF is the stored one."""
    letter = request(DocumentKind.REGISTERED_LETTER)
    pdf = WeasyPrintRenderer().render(letter)
    stored = await documents.put(pdf, media_type="application/pdf", name="lettre-recommandee.pdf")
    debtor = letter.case.claim.debtor
    item = PostalItem(
        "letter-registered",
        letter.case.case_id,
        LetterKind.REGISTERED,
        debtor.display_name,
        debtor.address,
        stored.document_id,
    )
    receipt = await FolderPostalService(tmp_path, documents, clock).send(item)
    posted = (tmp_path / "letter-registered.pdf").read_bytes()
    assert posted == pdf
    manifest = json.loads((tmp_path / "letter-registered.json").read_text(encoding="utf-8"))
    assert manifest["sha256"] == stored.sha256
    assert manifest["tracking_id"] == receipt.tracking_id
    assert "Formulaire de refus" in pdf_text(posted)
