"""`WeasyPrintRenderer`: recovery's generated documents, HTML templates rendered to PDF.

Each `DocumentKind` has one Jinja2 template in `templates/` (autoescaped: a debtor named
`<script>` is printed, never interpreted) sharing `templates/base.html` and the print stylesheet
`templates/print.css` (A4, DejaVu fonts from Debian's `fonts-dejavu-core`). The renderer shows only
what the `LetterRequest` holds; `letter_context` shapes it for the templates (amounts and dates in
French, addresses as lines).

The same request gives the same bytes: the PDF's dates come from `issued_on`, its identifier from
the request's case and kind, and nothing is fetched (the URL fetcher refuses every URL, so the
templates can reference no file, image or network resource).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # WeasyPrint ships no type information
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

from recovery.adapters.letters import french
from recovery.adapters.letters.legal_texts import REGISTERED_LETTER_ARTICLES
from recovery.domain import deadlines
from recovery.domain.cases import Case, LetterKind, ProcedurePolicy
from recovery.domain.claims import ClaimCause, PersonKind, PostalAddress
from recovery.domain.injunction import injunction_request
from recovery.domain.jurisdiction import Office
from recovery.ports import CreditorDetails, DocumentKind, LetterRequest

# WeasyPrint reports every layout step at INFO: one line per step per letter is noise in the
# service's log, its warnings (a missing font, a CSS rule it ignores) are kept.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATES = Path(__file__).parent / "templates"

TITLES = {
    DocumentKind.AMICABLE_LETTER: "Lettre de relance amiable",
    DocumentKind.REGISTERED_LETTER: "Procédure simplifiée de recouvrement des petites créances",
    DocumentKind.INJUNCTION_REQUEST: "Requête en injonction de payer",
}

CAUSES = {
    ClaimCause.CONTRACT: "créance de cause contractuelle",
    ClaimCause.STATUTORY_OBLIGATION: "créance résultant d'une obligation de caractère statutaire",
}

FAILURES = {
    "debtor-refused": "le débiteur a refusé de participer à la procédure simplifiée de recouvrement",
    "no-answer-within-one-month": (
        "le débiteur n'a pas répondu dans le délai d'un mois à compter de l'envoi de la lettre recommandée, "
        "ce qui vaut refus (article R125-2 du code des procédures civiles d'exécution)"
    ),
}


class ResourceRefused(ValueError):
    """A template or a value asked WeasyPrint to fetch a URL: generated documents fetch nothing."""


class _RefuseEveryUrl(URLFetcher):  # type: ignore[misc]  # URLFetcher is untyped
    """WeasyPrint's URL fetcher for one render: refuses every URL and remembers it (WeasyPrint only
    logs a failed fetch, so `render` raises afterwards: a document missing a part is no document)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=())
        self.asked: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> NoReturn:
        self.asked.append(url[:200])
        raise ResourceRefused(f"generated documents fetch nothing (asked for {url[:80]!r})")


def _address_lines(address: PostalAddress) -> list[str]:
    return [line for line in (address.line1, address.line2, f"{address.postcode} {address.city}") if line]


def _office(office: Office) -> dict[str, Any]:
    return {
        "name": office.name,
        "commissaire": office.commissaire,
        "lines": [office.line1, f"{office.postcode} {office.city}"],
        "email": office.email,
        "city": office.city,
    }


def _creditor(creditor: CreditorDetails) -> dict[str, Any]:
    return {
        "name": creditor.name,
        "lines": _address_lines(creditor.address),
        "email": creditor.email,
        "siren": creditor.siren,
        "city": creditor.address.city,
    }


def _debtor(case: Case) -> dict[str, Any]:
    debtor = case.claim.debtor
    return {
        "name": debtor.display_name,
        "legal": debtor.kind is PersonKind.LEGAL,
        "kind": "personne morale" if debtor.kind is PersonKind.LEGAL else "personne physique",
        "lines": _address_lines(debtor.address),
        "email": debtor.email,
        "siren": debtor.siren,
        "phone": debtor.phone,
    }


def _claim(case: Case) -> dict[str, Any]:
    claim = case.claim
    return {
        "cause": CAUSES[claim.cause],
        "description": claim.description,
        "invoices": [
            {
                "number": invoice.number,
                "issued": french.short_date(invoice.issue_date),
                "due": french.short_date(invoice.due_date),
                "amount": french.euros(invoice.amount_cents),
            }
            for invoice in claim.invoices
        ],
        "principal": french.euros(claim.principal_cents),
        "interest": french.euros(claim.interest_cents),
        "total": french.euros(claim.total_cents),
        "paid": french.euros(case.paid_cents),
        "has_payments": case.paid_cents > 0,
        "balance": french.euros(case.balance_cents),
    }


DEFAULT_POLICY = ProcedurePolicy()


def letter_context(request: LetterRequest, policy: ProcedurePolicy = DEFAULT_POLICY) -> dict[str, Any]:
    """What the templates show, from the request alone (amounts and dates already in French)."""
    case = request.case
    context: dict[str, Any] = {
        "kind": request.kind.value,
        "title": TITLES[request.kind],
        "reference": case.case_id,
        "issued_on": french.long_date(request.issued_on),
        "creditor": _creditor(request.creditor),
        "debtor": _debtor(case),
        "office": _office(request.office),
        "claim": _claim(case),
        "debtor_link": request.debtor_link,
        "amicable_days": policy.amicable_days,
        "answer_months": policy.answer_months,
    }
    if request.kind is DocumentKind.REGISTERED_LETTER:
        last_day = deadlines.months_after(request.issued_on, policy.answer_months, case.department)
        context["answer_last_day"] = french.long_date(last_day)
        context["articles"] = REGISTERED_LETTER_ARTICLES
    if request.kind is DocumentKind.INJUNCTION_REQUEST:
        prefilled = injunction_request(case)  # IllegalTransition unless the injunction is available
        registered = case.letter(LetterKind.REGISTERED)
        court = request.court or f"{prefilled.court.label_fr} du domicile du débiteur"
        context["court"] = court
        # "le Président du Tribunal ...", "le Président de la Chambre commerciale ...".
        context["court_of"] = f"de la {court}" if court.lower().startswith("chambre") else f"du {court}"
        context["failure"] = FAILURES.get(prefilled.failure, prefilled.failure)
        context["failure_on"] = french.long_date(deadlines.local_day(prefilled.failure_at, case.department))
        context["registered_sent_on"] = (
            french.long_date(deadlines.local_day(registered.sent_at, case.department)) if registered else ""
        )
        context["documents"] = [document.name for document in prefilled.documents]
    return context


class WeasyPrintRenderer:
    """`LetterRenderer`: the three generated documents as PDF bytes, in French."""

    def __init__(
        self, policy: ProcedurePolicy = DEFAULT_POLICY, templates: Path = TEMPLATES, *, reproducible: bool = True
    ) -> None:
        self.policy = policy
        self.templates = templates
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=True,  # every template is HTML: escape every value, whatever its name says
            undefined=jinja2.StrictUndefined,  # a missing value fails the render, never prints as empty
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates read once: a template edited under a running service changes nothing
        )
        # fontTools stamps each embedded font subset with the current time unless SOURCE_DATE_EPOCH is
        # set (the reproducible-builds convention): set, the same request gives the same bytes.
        if reproducible:
            os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
        self.stylesheet = CSS(string=(templates / "print.css").read_text(encoding="utf-8"))
        self.fonts = FontConfiguration()
        # Rendering is CPU-bound and synchronous (a handler runs it with asyncio.to_thread); the font
        # configuration is shared, so one render at a time per renderer.
        self._lock = threading.Lock()

    def render_html(self, request: LetterRequest) -> str:
        """The document's HTML (what `render` prints), for tests and previews."""
        template = self.environment.get_template(f"{request.kind.value}.html")
        return template.render(letter_context(request, self.policy))

    def render(self, request: LetterRequest) -> bytes:
        fetcher = _RefuseEveryUrl()
        document = HTML(string=self.render_html(request), url_fetcher=fetcher, base_url=str(self.templates))
        with self._lock:
            return self._write(document, fetcher, request)

    def _write(self, document: Any, fetcher: _RefuseEveryUrl, request: LetterRequest) -> bytes:
        rendered = document.render(stylesheets=[self.stylesheet], font_config=self.fonts)
        if fetcher.asked:
            raise ResourceRefused(f"the {request.kind.value} asked for resources: {', '.join(fetcher.asked)}")
        issued = request.issued_on.isoformat()  # a W3C date: the PDF's creation and modification dates
        rendered.metadata.created = issued
        rendered.metadata.modified = issued
        rendered.metadata.generator = "creditdesk recovery"
        identifier = hashlib.sha256(f"{request.case.case_id}/{request.kind.value}".encode()).hexdigest()[:32]
        pdf = rendered.write_pdf(pdf_identifier=identifier.encode("ascii"))
        if not isinstance(pdf, bytes):  # pragma: no cover (no target given: WeasyPrint returns the bytes)
            raise TypeError("WeasyPrint returned no PDF bytes")
        return pdf


__all__ = ["TEMPLATES", "ResourceRefused", "WeasyPrintRenderer", "letter_context"]
