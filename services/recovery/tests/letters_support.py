"""Shared by the letters and postal tests: a case at each phase a document is generated in, the
parties' details, and PDF text read back with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pypdf import PdfReader

from recovery.domain.cases import (
    Actor,
    ActorKind,
    Answer,
    Case,
    Creditor,
    accept,
    advance,
    assign,
    file_case,
    record_answer,
    start_amicable,
)
from recovery.domain.claims import PostalAddress, accept_claim
from recovery.domain.documents import DocumentRef
from recovery.domain.jurisdiction import Office
from recovery.ports import CreditorDetails, DocumentKind, LetterRequest
from services.recovery.tests import builders

FILED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = Office(
    "metz-a",
    "SELARL Étude Schmitt & Associés",
    "Maître Jeanne Schmitt",
    "4 place d'Armes",
    "57000",
    "Metz",
    "57",
    "etude.schmitt@commissaires.example",
)
CREDITOR = CreditorDetails(
    "Dupont Fournitures SAS",
    PostalAddress("3 avenue Foch", "75016", "Paris", "75", line2="Bâtiment B"),
    "recouvrement@dupont.example",
    "552100554",
)
# The day each document is issued for `case_in(kind)`: the acceptance (2 March), the registered letter
# (sent by the sweep at the end of the 15 days counted from the plain letter of 3 March: 19 March),
# the creditor's request after the debtor's refusal (22 March).
ISSUED_ON = {
    DocumentKind.AMICABLE_LETTER: date(2026, 3, 2),
    DocumentKind.REGISTERED_LETTER: date(2026, 3, 19),
    DocumentKind.INJUNCTION_REQUEST: date(2026, 3, 25),
}
LINK = "https://creditdesk.example/debiteur/3f9c2e7a0b1d"
PROOFS = (
    DocumentRef("doc-1", "facture-F-2026-001.pdf", "application/pdf", "a" * 64, 1000),
    DocumentRef("doc-2", "bon-de-livraison.png", "image/png", "b" * 64, 2000),
)


def case_in(kind: DocumentKind, *, debtor_answers: bool = True, **claim_changes: Any) -> Case:
    """A case at the phase where the document of `kind` is generated; for the injunction request,
    after the debtor's refusal, or (`debtor_answers=False`) after the month passed without answer."""
    claim = accept_claim(builders.claim(**claim_changes), builders.FILED_ON)
    case = file_case("case-7f3a", Creditor("acc-1", trader=True), claim, FILED_AT, PROOFS).case
    case = assign(case, OFFICE, FILED_AT).case
    case = accept(case, OFFICE.office_id, FILED_AT + timedelta(hours=2)).case
    if kind is DocumentKind.AMICABLE_LETTER:
        return case
    sent = FILED_AT + timedelta(days=1)
    case = start_amicable(case, "letter-plain", sent, sent).case
    assert case.due_at is not None
    case = advance(case, case.due_at, letter_id="letter-registered").case
    if kind is DocumentKind.REGISTERED_LETTER:
        return case
    if not debtor_answers:
        assert case.due_at is not None
        return advance(case, case.due_at).case
    debtor = Actor(ActorKind.DEBTOR, case.case_id)
    return record_answer(case, Answer.REFUSED, debtor, case.timeline[-1].at + timedelta(days=3)).case


def request(kind: DocumentKind, case: Case | None = None, **changes: Any) -> LetterRequest:
    base = LetterRequest(
        kind=kind,
        case=case or case_in(kind),
        creditor=CREDITOR,
        office=OFFICE,
        issued_on=ISSUED_ON[kind],
        debtor_link=LINK if kind is not DocumentKind.INJUNCTION_REQUEST else "",
        court="Tribunal de commerce de Metz" if kind is DocumentKind.INJUNCTION_REQUEST else "",
    )
    return replace(base, **changes)


def normalise(text: str) -> str:
    """Whitespace as one plain space: no-break spaces, line breaks and justification do not count."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ")).strip()


def pdf_pages(pdf: bytes) -> list[str]:
    return [normalise(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))
