"""The generated documents, rendered by WeasyPrint and read back with pypdf: every party, every
amount, every mention the procedure requires, and hostile text printed, never interpreted."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from recovery.adapters.letters import TEMPLATES, ResourceRefused, WeasyPrintRenderer, french
from recovery.domain.cases import Actor, ActorKind, record_payment
from recovery.domain.claims import DebtorInput
from recovery.ports import DocumentKind
from services.recovery.tests import builders
from services.recovery.tests.letters_support import CREDITOR, LINK, OFFICE, case_in, normalise, pdf_pages, pdf_text
from services.recovery.tests.letters_support import request as letter_request


@pytest.fixture(scope="module")
def renderer() -> WeasyPrintRenderer:
    return WeasyPrintRenderer()


# --- French presentation -----------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "0,00 €"), (5, "0,05 €"), (1_234, "12,34 €"), (500_000, "5 000,00 €"), (123_456_789, "1 234 567,89 €")],
)
def test_amounts_read_as_in_french(cents: int, shown: str) -> None:
    assert normalise(french.euros(cents)) == shown
    assert "\u202f" in french.euros(500_000)  # typography kept
    assert "\u00a0€" in french.euros(500_000)


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 12, 2), "2 décembre 2026"),
        (date(2027, 1, 1), "1er janvier 2027"),
        (date(2028, 2, 29), "29 février 2028"),
    ],
)
def test_dates_read_as_in_french(day: date, shown: str) -> None:
    assert french.long_date(day) == shown


# --- the amicable letter -----------------------------------------------------


def test_amicable_letter_names_the_parties_and_every_amount(renderer: WeasyPrintRenderer) -> None:
    req = letter_request(DocumentKind.AMICABLE_LETTER)
    text = pdf_text(renderer.render(req))
    debtor = req.case.claim.debtor
    for expected in (
        CREDITOR.name,
        "3 avenue Foch",
        "Bâtiment B",
        "75016 Paris",
        CREDITOR.siren,
        debtor.display_name,
        debtor.address.line1,
        "57000 Metz",
        OFFICE.commissaire,
        OFFICE.name,
        OFFICE.line1,
        OFFICE.email,
        "F-2026-001",
        "1 200,00 €",
        "F-2026-002",
        "800,00 €",  # invoice by invoice
        "Total en principal 2 000,00 €",
        "Intérêts 12,34 €",
        "Total en principal et intérêts 2 012,34 €",
        "20 mars 2026",
        "15 jours",
        LINK,
        req.case.case_id,
        "Fournitures livrées en janvier 2026",
    ):
        assert normalise(expected) in text, expected


def test_amicable_letter_claims_the_balance_after_a_payment(renderer: WeasyPrintRenderer) -> None:
    case = case_in(DocumentKind.AMICABLE_LETTER)
    case = record_payment(case, "VIR-1", 12_34, Actor(ActorKind.COMMISSAIRE, OFFICE.office_id), case.filed_at).case
    text = pdf_text(renderer.render(letter_request(DocumentKind.AMICABLE_LETTER, case)))
    assert "Déjà réglé 12,34 €" in text
    assert "Reste dû 2 000,00 €" in text
    assert "régler la somme de 2 000,00 €" in text


def test_amicable_letter_fits_one_page(renderer: WeasyPrintRenderer) -> None:
    assert len(pdf_pages(renderer.render(letter_request(DocumentKind.AMICABLE_LETTER)))) == 1


# --- every document ----------------------------------------------------------

KINDS = [DocumentKind.AMICABLE_LETTER]


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_request_gives_the_same_document(renderer: WeasyPrintRenderer, kind: DocumentKind) -> None:
    req = letter_request(kind)
    first, second = renderer.render(req), renderer.render(req)
    assert pdf_text(first) == pdf_text(second)
    assert first == second  # byte for byte: dates from issued_on, identifier from the case (SOURCE_DATE_EPOCH)
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None
    assert metadata["/CreationDate"] == "D:20260320"


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_names_are_printed_not_interpreted(renderer: WeasyPrintRenderer, kind: DocumentKind) -> None:
    hostile = "<script>alert('x')</script> & <b>Cie</b>"
    req = letter_request(kind, case_in(kind, debtor=_hostile_debtor(hostile)))
    req = replace(req, creditor=replace(CREDITOR, name='<img src="file:///etc/passwd"> Créancier'))
    html = renderer.render_html(req)
    for raw in ("<script>", "<img", "<b>Cie"):
        assert raw not in html
    for escaped in ("&lt;script&gt;", "&lt;img src="):
        assert escaped in html
    text = pdf_text(renderer.render(req))  # rendered without fetching anything
    # A narrow address block may wrap the name anywhere: compare without whitespace.
    assert _squeeze(hostile) in _squeeze(text)
    assert _squeeze('<img src="file:///etc/passwd"> Créancier') in _squeeze(text)


def test_the_renderer_fetches_nothing(tmp_path: Path) -> None:
    for source in TEMPLATES.iterdir():
        (tmp_path / source.name).write_bytes(source.read_bytes())
    template = tmp_path / "amicable_letter.html"
    template.write_text(
        template.read_text().replace("{% block body %}", '{% block body %}<img src="http://example.invalid/x.png">')
    )
    with pytest.raises(ResourceRefused, match=r"example\.invalid"):
        WeasyPrintRenderer(templates=tmp_path).render(letter_request(DocumentKind.AMICABLE_LETTER))


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _hostile_debtor(name: str) -> DebtorInput:
    return builders.debtor(name=name)
