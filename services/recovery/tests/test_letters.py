"""The generated documents, rendered by WeasyPrint and read back with pypdf: every party, every
amount, every mention the procedure requires, and hostile text printed, never interpreted."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from recovery.adapters.letters import TEMPLATES, ResourceRefused, WeasyPrintRenderer, french
from recovery.adapters.letters.legal_texts import REGISTERED_LETTER_ARTICLES, Article
from recovery.domain.cases import Actor, ActorKind, IllegalTransition, record_payment
from recovery.domain.claims import DebtorInput
from recovery.ports import DocumentKind
from services.recovery.tests import builders
from services.recovery.tests.letters_support import CREDITOR, LINK, OFFICE, case_in, normalise, pdf_pages, pdf_text
from services.recovery.tests.letters_support import request as letter_request

# A real adapter at work (PDF rendering, an HTTP server, the OpenAPI export): in `make test`, not `make test-unit`.
pytestmark = pytest.mark.adapter


@pytest.fixture(scope="module")
def renderer() -> WeasyPrintRenderer:
    return WeasyPrintRenderer()


@pytest.fixture(scope="module")
def rendered(renderer: WeasyPrintRenderer) -> dict[DocumentKind, bytes]:
    """Each document of the default request, rendered once for the tests that only read it."""
    return {kind: renderer.render(letter_request(kind)) for kind in DocumentKind}


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


def test_amicable_letter_names_the_parties_and_every_amount(rendered: dict[DocumentKind, bytes]) -> None:
    req = letter_request(DocumentKind.AMICABLE_LETTER)
    text = pdf_text(rendered[req.kind])
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
        "2 mars 2026",
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


def test_amicable_letter_fits_one_page(rendered: dict[DocumentKind, bytes]) -> None:
    assert len(pdf_pages(rendered[DocumentKind.AMICABLE_LETTER])) == 1


# --- the registered letter of the simplified procedure (R125-2) -------------


def test_registered_letter_carries_every_mention_r125_2_requires(rendered: dict[DocumentKind, bytes]) -> None:
    pages = pdf_pages(rendered[DocumentKind.REGISTERED_LETTER])
    text = " ".join(pages)
    mentions = {
        "registered": "Lettre recommandée avec demande d'avis de réception",
        "1° the commissaire's name and address": (
            f"{OFFICE.commissaire}, commissaire de justice, {OFFICE.name}, {OFFICE.line1}, 57000 Metz"
        ),
        "2° the creditor's name and address": (
            f"{CREDITOR.name} (SIREN {CREDITOR.siren}), 3 avenue Foch, Bâtiment B, 75016 Paris"
        ),
        "3° the origin of the claim": "Origine : créance de cause contractuelle — Fournitures livrées en janvier 2026",
        "3° principal, invoice by invoice": (
            "F-2026-001 05/01/2026 04/02/2026 1 200,00 € F-2026-002 05/01/2026 04/02/2026 800,00 €"
        ),
        "3° principal": "Total en principal 2 000,00 €",
        "3° interest": "Intérêts 12,34 €",
        "3° principal and interest": "Total en principal et intérêts 2 012,34 €",
        "4° free to accept or refuse": "Vous êtes libre d'accepter ou de refuser de participer à cette procédure.",
        "5° one month from the letter": "Vous disposez d'un délai d'un mois à compter de l'envoi de la présente lettre",
        "5° no answer counts as refusal": (
            "À défaut de réponse dans le délai d'un mois à compter de l'envoi de la présente lettre, vous serez réputé "
            "avoir refusé de participer à la procédure."
        ),
        "the month's end for this letter (CPC 641, 642)": "ce délai expire le 20 avril 2026 à minuit",
        "6° how to answer: the link": LINK,
        "6° how to answer: the office's email": f"Par courriel, à {OFFICE.email}",
        "6° how to answer: the office's address": (
            "Par courrier, en renvoyant le formulaire d'acceptation ou le formulaire de refus joints, complété et "
            f"signé, à {OFFICE.name}, {OFFICE.line1}, 57000 Metz"
        ),
        "fees borne by the creditor (L125-1)": (
            "Les frais de toute nature qu'occasionne la procédure sont à la charge exclusive du créancier."
        ),
    }
    for mention, expected in mentions.items():
        assert normalise(expected) in text, mention


@pytest.mark.parametrize("article", REGISTERED_LETTER_ARTICLES, ids=lambda article: article.number)
def test_registered_letter_reproduces_the_articles(rendered: dict[DocumentKind, bytes], article: Article) -> None:
    text = pdf_text(rendered[DocumentKind.REGISTERED_LETTER])
    assert article.title in text
    assert normalise(" ".join(article.paragraphs)) in text  # the whole article, word for word, in order


def test_registered_letter_reproduces_the_four_articles_r125_2_names() -> None:
    assert [(a.number, a.code) for a in REGISTERED_LETTER_ARTICLES] == [
        ("L111-2", "code des procédures civiles d'exécution"),
        ("L111-3", "code des procédures civiles d'exécution"),
        ("1343-5", "code civil"),
        ("2238", "code civil"),
    ]


def test_registered_letter_has_the_acceptance_and_refusal_forms_as_pages(rendered: dict[DocumentKind, bytes]) -> None:
    req = letter_request(DocumentKind.REGISTERED_LETTER)
    pages = pdf_pages(rendered[req.kind])
    acceptance = [page for page in pages if page.startswith("Formulaire d'acceptation")]
    refusal = [page for page in pages if page.startswith("Formulaire de refus")]
    assert len(acceptance) == 1
    assert len(refusal) == 1
    for form in (acceptance[0], refusal[0]):
        for expected in (
            req.case.case_id,
            "20 avril 2026",
            OFFICE.commissaire,
            OFFICE.email,
            req.case.claim.debtor.display_name,
            CREDITOR.name,
            "2 012,34 €",
            "Signature du débiteur",
        ):
            assert normalise(expected) in form, expected
    assert "J'accepte de participer" in acceptance[0]
    assert "Modalités de paiement que je propose" in acceptance[0]
    assert "Je refuse de participer" in refusal[0]


# --- the injunction-to-pay request (CPC 1405 ff.) ----------------------------


def test_injunction_request_is_prefilled_with_court_parties_amounts_and_documents(
    rendered: dict[DocumentKind, bytes],
) -> None:
    req = letter_request(DocumentKind.INJUNCTION_REQUEST)
    text = pdf_text(rendered[req.kind])
    debtor = req.case.claim.debtor
    for expected in (
        "Requête en injonction de payer",
        "Articles 1405 et suivants du code de procédure civile",
        "À Madame, Monsieur le Président du Tribunal de commerce de Metz",
        CREDITOR.name,
        CREDITOR.siren,
        "3 avenue Foch",
        "75016 Paris",
        CREDITOR.email,
        debtor.display_name,
        "(personne morale)",
        debtor.siren,
        debtor.address.line1,
        "57000 Metz",
        "la somme de 2 012,34 € en principal et intérêts",
        "Créance de cause contractuelle : Fournitures livrées en janvier 2026",
        "F-2026-001",
        "1 200,00 €",
        "F-2026-002",
        "800,00 €",
        "Intérêts 12,34 €",
        "lettre recommandée avec demande d'avis de réception envoyée le 19 mars 2026",
        "le 22 mars 2026, le débiteur a refusé de participer",
        "facture-F-2026-001.pdf",
        "bon-de-livraison.png",
        "le 25 mars 2026",
        "Signature du requérant",
    ):
        assert normalise(expected) in text, expected


def test_injunction_request_after_a_month_without_answer_against_a_person(renderer: WeasyPrintRenderer) -> None:
    person = builders.debtor(kind="natural", first_name="Jean", name="Martin", siren="", trader=False)
    case = case_in(DocumentKind.INJUNCTION_REQUEST, debtor_answers=False, debtor=person)
    text = pdf_text(renderer.render(letter_request(DocumentKind.INJUNCTION_REQUEST, case, court="")))
    assert "le débiteur n'a pas répondu dans le délai d'un mois" in text
    assert "ce qui vaut refus" in text
    assert "Jean Martin (personne physique)" in text
    # Not between traders: the tribunal judiciaire of the debtor's domicile (CPC 1406, jurisdiction.py).
    assert "Président du Tribunal judiciaire du domicile du débiteur" in text


def test_injunction_request_names_the_domain_court_when_none_is_given(renderer: WeasyPrintRenderer) -> None:
    text = pdf_text(renderer.render(letter_request(DocumentKind.INJUNCTION_REQUEST, court="")))
    # Both traders, debtor in Moselle: the commercial chamber of the tribunal judiciaire (jurisdiction.py).
    assert "Président de la Chambre commerciale du tribunal judiciaire du domicile du débiteur" in text


def test_injunction_request_only_once_the_injunction_is_available(renderer: WeasyPrintRenderer) -> None:
    early = case_in(DocumentKind.REGISTERED_LETTER)
    with pytest.raises(IllegalTransition):
        renderer.render(letter_request(DocumentKind.INJUNCTION_REQUEST, early))


# --- every document ----------------------------------------------------------

KINDS = list(DocumentKind)


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_request_gives_the_same_document(
    renderer: WeasyPrintRenderer, rendered: dict[DocumentKind, bytes], kind: DocumentKind
) -> None:
    req = letter_request(kind)
    first, second = rendered[kind], renderer.render(req)
    assert pdf_text(first) == pdf_text(second)
    assert first == second  # byte for byte: dates from issued_on, identifier from the case (SOURCE_DATE_EPOCH)
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None
    assert str(metadata["/CreationDate"]) == "D:" + req.issued_on.strftime("%Y%m%d")


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


def test_renders_from_several_threads_give_the_same_document(renderer: WeasyPrintRenderer) -> None:
    req = letter_request(DocumentKind.AMICABLE_LETTER)
    with ThreadPoolExecutor(max_workers=2) as pool:
        documents = list(pool.map(lambda _: renderer.render(req), range(2)))
    assert documents[0] == documents[1]
