"""The recovery pages on in-memory fakes of the portal's ports (the gateway's API and the session
store): what each page sends to recovery's routes, and what it shows of each answer: the refusals
next to their fields in French, the mandate's way, the debtor's answers and the used link."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from portal.app import create_app
from portal.ports import Session
from portal.settings import PortalSettings
from portal.store.sessions import new_session

from .fakes import FakeApi, MemorySessions, ok, refused

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Browser:
    client: httpx.AsyncClient
    api: FakeApi
    session: Session

    async def post(self, path: str, data: dict[str, str] | None = None, **sent: Any) -> httpx.Response:
        form = {"csrf_token": self.session.csrf_secret, **(data or {})}
        return await self.client.post(path, data=form, **sent)


async def open_browser(roles: list[str] | None) -> AsyncIterator[Browser]:
    api = FakeApi()
    settings = PortalSettings(environment="development", mongo_url="mongodb://127.0.0.1:1")
    app = create_app(settings, clock=FixedClock(), api=api)
    sessions = MemorySessions()
    app.state.portal.sessions = sessions
    session = new_session(NOW, timedelta(hours=1))
    if roles is not None:
        session.access_token, session.refresh_token = "access", "refresh"
        session.roles = roles
        session.email = "jeanne@example.fr"
    await sessions.save(session)
    transport = httpx.ASGITransport(app=app)
    cookies = {settings.session_cookie: session.id}
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test", cookies=cookies) as client:
        yield Browser(client, api, session)


@pytest_asyncio.fixture
async def creditor() -> AsyncIterator[Browser]:
    async for browser in open_browser(["member"]):
        yield browser


@pytest_asyncio.fixture
async def commissaire() -> AsyncIterator[Browser]:
    async for browser in open_browser(["commissaire"]):
        yield browser


@pytest_asyncio.fixture
async def debtor() -> AsyncIterator[Browser]:
    async for browser in open_browser(None):
        yield browser


CASE: dict[str, Any] = {
    "case_id": "c-0123456789",
    "phase": "amicable",
    "creditor_account_id": "acc-1",
    "company_id": None,
    "debtor": {
        "kind": "legal",
        "name": "Quincaillerie Lorraine SARL",
        "first_name": "",
        "display_name": "Quincaillerie Lorraine SARL",
        "siren": "732829320",
        "address": {"line1": "12 rue Serpenoise", "line2": "", "postcode": "57000", "city": "Metz", "department": "57"},
        "email": "compta@example.fr",
        "phone": "",
        "trader": True,
    },
    "cause": "contract",
    "invoices": [
        {"number": "F-2026-001", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 200000}
    ],
    "description": "Fournitures",
    "principal_cents": 200000,
    "interest_cents": 1234,
    "total_cents": 201234,
    "paid_cents": 0,
    "balance_cents": 201234,
    "court_of_appeal": "Metz",
    "office_id": "sample-metz-1",
    "refused_by": [],
    "filed_at": "2026-03-02T09:30:00Z",
    "due_at": "2026-03-18T23:00:00Z",  # the end of 18 March in Paris
    "outcome": "",
    "letters": [],
    "payments": [],
    "answer": None,
    "agreement": None,
    "documents": [
        {"document_id": "d1", "name": "facture.pdf", "media_type": "application/pdf", "sha256": "ab", "kind": "proof"},
        {
            "document_id": "d2",
            "name": "amicable_letter.pdf",
            "media_type": "application/pdf",
            "sha256": "cd",
            "kind": "amicable_letter",
        },
    ],
    "timeline": [
        {"at": "2026-03-02T09:30:00Z", "actor": "creditor", "actor_id": "acc-1", "action": "filed", "detail": ""},
        {
            "at": "2026-03-03T08:00:00Z",
            "actor": "commissaire",
            "actor_id": "o",
            "action": "plain letter sent",
            "detail": "",
        },
    ],
}
FILING = {
    "case_id": "c-0123456789",
    "debtor.kind": "legal",
    "debtor.name": "Quincaillerie Lorraine SARL",
    "debtor.siren": "732829320",
    "debtor.address.line1": "12 rue Serpenoise",
    "debtor.address.postcode": "57000",
    "debtor.address.city": "Metz",
    "debtor.email": "compta@example.fr",
    "cause": "contract",
    "invoices.0.number": "F-2026-001",
    "invoices.0.issue_date": "2026-01-05",
    "invoices.0.due_date": "2026-02-04",
    "invoices.0.amount": "2 000,00",
    "interest": "12,34",
}
PDF = b"%PDF-1.4\n%%EOF\n"


def text_of(page: httpx.Response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", page.text)  # the narrow and no-break spaces of amounts kept


async def test_a_filing_sends_the_claim_and_its_proofs(creditor: Browser) -> None:
    creditor.api.replies[("POST", "/api/recovery/cases")] = ok({"case_id": "c-0123456789"}, status=201)
    answer = await creditor.post("/cases", FILING, files={"documents": ("facture.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/cases/c-0123456789"
    sent = creditor.api.last("POST", "/api/recovery/cases")
    claim = json.loads(sent["data"]["claim"])
    assert claim["case_id"] == "c-0123456789"
    assert claim["invoices"][0]["amount_cents"] == 200000
    assert claim["interest_cents"] == 1234
    assert sent["files"] == [("documents", ("facture.pdf", PDF, "application/pdf"))]
    assert sent["token"] == "access"


async def test_the_rules_refused_are_shown_next_to_their_fields_in_french(creditor: Browser) -> None:
    errors = [
        {
            "field": "invoices",
            "code": "ceiling-exceeded",
            "message": "Principal plus interest (5,000.01 EUR) exceed the 5,000.00 EUR ceiling",
            "message_fr": "Principal et intérêts (5 000,01 EUR) dépassent le plafond",
        },
        {
            "field": "documents[0]",
            "code": "document-type-refused",
            "message": "Not a PDF",
            "message_fr": "Ni PDF, ni PNG, ni JPEG.",
        },
        {"field": "debtor.siren", "code": "siren-invalid", "message": "Invalid SIREN", "message_fr": "SIREN invalide."},
    ]
    creditor.api.replies[("POST", "/api/recovery/cases")] = refused(422, "claim-refused", "several rules", errors)
    answer = await creditor.post("/cases", FILING, files={"documents": ("virus.pdf", b"MZ", "application/pdf")})
    assert answer.status_code == 422
    page = text_of(answer)
    assert re.search(r'id="f-invoices-error">\s*Principal et intérêts \(5 000,01 EUR\) dépassent', page)
    assert re.search(r'id="f-documents-error">\s*virus.pdf : Ni PDF', page)
    assert re.search(r'id="f-debtor-siren-error">\s*SIREN invalide', page)
    assert 'aria-invalid="true"' in page
    assert 'value="Quincaillerie Lorraine SARL"' in page  # what was typed is kept


async def test_an_amount_the_page_cannot_read_is_refused_before_the_api(creditor: Browser) -> None:
    answer = await creditor.post("/cases", {**FILING, "invoices.0.amount": "deux mille"})
    assert answer.status_code == 422
    assert "Saisissez un montant en euros" in text_of(answer)
    assert not creditor.api.calls


async def test_no_mandate_links_to_the_onboarding_page(creditor: Browser) -> None:
    creditor.api.replies[("POST", "/api/recovery/cases")] = refused(
        409, "mandate-required", "sign a SEPA mandate at /api/billing/profiles/me/mandate"
    )
    answer = await creditor.post("/cases", FILING, files={"documents": ("facture.pdf", PDF, "application/pdf")})
    assert answer.status_code == 409
    page = text_of(answer)
    assert 'href="/onboarding"' in page
    assert "mandat de prélèvement SEPA signé" in page


async def test_a_case_shows_its_timeline_with_french_dates_and_its_letters(creditor: Browser) -> None:
    creditor.api.replies[("GET", "/api/recovery/cases/c-0123456789")] = ok(CASE)
    page = text_of(await creditor.client.get("/cases/c-0123456789"))
    assert "Dossier déposé" in page
    assert "Lettre simple et email envoyés au débiteur" in page
    assert "2 mars 2026" in page  # Babel's French date
    assert "Prochaine échéance : 18 mars 2026" in page  # the last day: due_at is the midnight that ends it
    assert "2\u202f012,34\xa0€" in page
    assert 'href="/cases/c-0123456789/documents/d2"' in page


async def test_a_letter_is_handed_over_as_a_download(creditor: Browser) -> None:
    creditor.api.replies[("GET", "/api/recovery/cases/c-0123456789")] = ok(CASE)
    creditor.api.replies[("GET", "/api/recovery/cases/c-0123456789/documents/d2")] = ok(
        None, content=PDF, headers={"content-type": "application/pdf", "x-content-sha256": "cd"}
    )
    answer = await creditor.client.get("/cases/c-0123456789/documents/d2")
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == "attachment; filename*=UTF-8''amicable_letter.pdf"


async def test_someone_elses_case_is_not_found(creditor: Browser) -> None:
    answer = await creditor.client.get("/cases/c-someone-else")
    assert answer.status_code == 404


async def test_the_desk_is_for_commissaires(creditor: Browser) -> None:
    assert (await creditor.client.get("/office")).status_code == 403


async def test_a_title_dated_in_the_future_is_refused_next_to_its_date(commissaire: Browser) -> None:
    path = "/api/recovery/office/cases/c-0123456789"
    commissaire.api.replies[("GET", path)] = ok(CASE)
    commissaire.api.replies[("POST", f"{path}/agreement")] = refused(
        422,
        "title-date-in-future",
        "the enforceable title cannot be dated after today",
        [
            {
                "field": "body",
                "code": "title-date-in-future",
                "message": "the enforceable title cannot be dated after today",
            }
        ],
    )
    form = {"agreed_amount": "2 012,34", "payment_terms": "4 x", "title_number": "CJ-1", "title_date": "2030-01-01"}
    answer = await commissaire.post("/office/cases/c-0123456789/agreement", form)
    assert answer.status_code == 422
    assert re.search(r'id="f-title_date-error">\s*Le titre exécutoire ne peut pas être daté', text_of(answer))
    assert commissaire.api.last("POST", f"{path}/agreement")["json"]["amount_cents"] == 201234


async def test_a_refusal_goes_back_to_the_desk(commissaire: Browser) -> None:
    path = "/api/recovery/office/cases/c-0123456789"
    commissaire.api.replies[("POST", f"{path}/refusal")] = ok(CASE)
    answer = await commissaire.post("/office/cases/c-0123456789/refusal", {"reason": "Conflit d'intérêts"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/office"
    assert commissaire.api.last("POST", f"{path}/refusal")["json"] == {"reason": "Conflit d'intérêts"}


CLAIM = {
    "case_id": "c-0123456789",
    "phase": "simplified",
    "debtor": "Quincaillerie Lorraine SARL",
    "cause": "contract",
    "description": "Fournitures",
    "invoices": CASE["invoices"],
    "principal_cents": 200000,
    "interest_cents": 1234,
    "paid_cents": 0,
    "balance_cents": 201234,
    "answer_until": "2026-04-18T22:00:00Z",
    "answer": None,
    "documents": CASE["documents"],
}


async def test_the_debtor_sees_the_claim_and_answers_once(debtor: Browser) -> None:
    debtor.api.replies[("POST", "/api/recovery/debtor-space/claim")] = ok(CLAIM)
    page = text_of(await debtor.post("/debtor-space", {"token": "tok"}))
    assert "La créance qui vous est réclamée" in page
    assert "Je refuse la créance" in page
    assert debtor.api.last("POST", "/api/recovery/debtor-space/claim") == {
        "method": "POST",
        "path": "/api/recovery/debtor-space/claim",
        "token": None,
        "json": {"token": "tok"},
    }
    answered = {**CLAIM, "phase": "debtor_accepted", "answer": {"answer": "accepted", "at": "2026-04-01T10:00:00Z"}}
    debtor.api.replies[("POST", "/api/recovery/debtor-space/answer")] = ok(answered)
    form = {"token": "tok", "answer": "accepted", "proposed_amount": "2 012,34", "proposed_terms": "4 mensualités"}
    answer = await debtor.post("/debtor-space/answer", form)
    assert "Votre réponse a été enregistrée" in text_of(answer)
    assert debtor.api.last("POST", "/api/recovery/debtor-space/answer")["json"] == {
        "token": "tok",
        "answer": "accepted",
        "proposed_amount_cents": 201234,
        "proposed_terms": "4 mensualités",
    }
    debtor.api.replies[("POST", "/api/recovery/debtor-space/answer")] = refused(410, "link-invalid", "link invalid")
    again = await debtor.post("/debtor-space/answer", {"token": "tok", "answer": "refused"})
    assert again.status_code == 410
    assert "Ce lien a déjà été utilisé ou a expiré." in text_of(again)


async def test_before_the_registered_letter_the_debtor_space_offers_no_answer(debtor: Browser) -> None:
    debtor.api.replies[("POST", "/api/recovery/debtor-space/claim")] = ok({**CLAIM, "phase": "amicable"})
    page = text_of(await debtor.post("/debtor-space", {"token": "tok"}))
    assert "Je refuse la créance" not in page
    assert "Les formulaires de réponse s'ouvrent avec la lettre recommandée" in page
    debtor.api.replies[("POST", "/api/recovery/debtor-space/answer")] = refused(
        409, "illegal-transition", "cannot record an answer on a case in phase amicable"
    )
    answer = await debtor.post("/debtor-space/answer", {"token": "tok", "answer": "refused"})
    assert answer.status_code == 409
    assert "Vous pourrez répondre une fois la lettre recommandée envoyée." in text_of(answer)


async def test_a_link_no_longer_valid_says_so(debtor: Browser) -> None:
    debtor.api.replies[("POST", "/api/recovery/debtor-space/claim")] = refused(410, "link-invalid", "link invalid")
    answer = await debtor.post("/debtor-space", {"token": "used"})
    assert answer.status_code == 410
    assert "Ce lien a déjà été utilisé ou a expiré." in text_of(answer)


async def test_the_debtor_space_needs_the_code(debtor: Browser) -> None:
    answer = await debtor.post("/debtor-space", {"token": ""})
    assert answer.status_code == 422
    assert re.search(r'id="f-token-error">\s*Collez le code', text_of(answer))
    assert not debtor.api.calls


@pytest.mark.parametrize("path", ["/cases", "/cases/new", "/office"])
async def test_the_pages_need_a_login(debtor: Browser, path: str) -> None:
    answer = await debtor.client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


async def test_a_browsers_favicon_request_keeps_the_session(debtor: Browser) -> None:
    """Chromium asks for /favicon.ico after each page: its 404 must not replace the session's
    cookie, or the debtor's next form (its CSRF token) is refused."""
    answer = await debtor.client.get("/favicon.ico")
    assert answer.status_code == 404
    assert "set-cookie" not in answer.headers


async def test_the_creditors_list_and_the_desk_share_one_table_with_their_own_column(
    creditor: Browser, commissaire: Browser
) -> None:
    row = {k: CASE[k] for k in ("case_id", "phase", "filed_at", "total_cents", "balance_cents", "due_at")}
    row["debtor"] = CASE["debtor"]["display_name"]
    creditor.api.replies[("GET", "/api/recovery/cases")] = ok([row])
    mine = text_of(await creditor.client.get("/cases"))
    assert '<a href="/cases/c-0123456789">Quincaillerie Lorraine SARL</a>' in mine
    assert 'data-phase="amicable"' in mine
    assert '<th scope="col" class="num">Montant réclamé</th>' in mine
    commissaire.api.replies[("GET", "/api/recovery/office/cases")] = ok([row, {**row, "phase": "assigned"}])
    desk = text_of(await commissaire.client.get("/office"))
    assert desk.count('<a href="/office/cases/c-0123456789">') == 2  # waiting and in progress
    assert '<th scope="col">Échéance</th>' in desk
    assert "18 mars 2026" in desk
    assert "Montant réclamé" not in desk


async def test_both_case_pages_show_the_facts_and_the_answer_and_only_the_desk_who_recorded_it(
    creditor: Browser, commissaire: Browser
) -> None:
    answered = {**CASE, "answer": {"answer": "refused", "at": "2026-03-02T10:00:00Z", "recorded_by": "commissaire"}}
    creditor.api.replies[("GET", "/api/recovery/cases/c-0123456789")] = ok(answered)
    commissaire.api.replies[("GET", "/api/recovery/office/cases/c-0123456789")] = ok(answered)
    mine = text_of(await creditor.client.get("/cases/c-0123456789"))
    office = text_of(await commissaire.client.get("/office/cases/c-0123456789"))
    for page in (mine, office):
        assert "<dd>c-0123456789</dd>" in page
        assert "F-2026-001" in page
        assert "Le débiteur a refusé" in page
    assert "sample-metz-1" in mine
    assert "sample-metz-1" not in office
    assert "(" not in mine.split("Le débiteur a refusé", 1)[1].split("</p>", 1)[0]
    assert "(" in office.split("Le débiteur a refusé", 1)[1].split("</p>", 1)[0]
