"""Recovery through the gateway, issue 11's "Done when": a creditor with a signed SEPA mandate
files a case with its proofs; the least-loaded competent office gets it; its commissaire accepts;
the amicable letter is downloadable and reads back with the creditor's, the debtor's and the
amount's details; 15 days later (the test stack's clock, moved by its offset file) the registered
letter follows with the R125-2 mentions; the debtor refuses through the link mailed to them; the
month passes; the creditor generates the injunction-to-pay request; the fees reach billing's next
SEPA batch. Recovery is killed mid-way (while the 15 days pass) and loses and repeats nothing.
And the filing's refusals: no mandate, the ceiling, a document that is no PDF."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor, eventually, new_email, onboard, problem, support_headers
from tests.e2e.recovery_helpers import (
    case_when,
    claim,
    commissaire_headers,
    debtor_token,
    filing_form,
    move_clock,
    pdf_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.moves_clock]
METZ_OFFICES = {"sample-metz-1", "sample-metz-2", "sample-metz-3"}  # Moselle: Metz's court of appeal


async def test_filing_refusals_through_the_gateway(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        _, auth = await activated_creditor(stack, http)
        no_mandate = await http.post("/api/recovery/cases", headers=auth, **filing_form(claim(new_email())))
        assert "/api/billing/profiles/me/mandate" in problem(no_mandate, 409)["detail"]
        await onboard(http, auth)

        at_ceiling = [{"number": "F-1", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 490_000}]

        async def filed_at_ceiling() -> httpx.Response | None:
            # billing's MandateSigned reaches recovery's view asynchronously
            answer = await http.post(
                "/api/recovery/cases",
                headers=auth,
                **filing_form(claim(new_email(), invoices=at_ceiling, interest_cents=10_000)),
            )
            return None if answer.status_code == 409 else answer

        accepted = await eventually(filed_at_ceiling)
        assert accepted.status_code == 201, accepted.text
        over = await http.post(
            "/api/recovery/cases",
            headers=auth,
            **filing_form(claim(new_email(), invoices=at_ceiling, interest_cents=10_001)),
        )
        body = problem(over, 422)
        assert "R125-1" in body["detail"]
        assert any(e["code"] == "ceiling-exceeded" for e in body["errors"])
        not_pdf = await http.post(
            "/api/recovery/cases",
            headers=auth,
            **filing_form(claim(new_email()), [("facture.pdf", b"MZ\x90\x00 an executable")]),
        )
        assert any(e["field"].startswith("documents[0]") for e in problem(not_pdf, 422)["errors"])
        someone = await http.get(f"/api/recovery/cases/{accepted.json()['case_id']}x", headers=auth)
        problem(someone, 404)


async def test_a_case_from_filing_to_the_injunction_request(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, auth = await activated_creditor(stack, http)
        await onboard(http, auth)
        debtor_email = new_email()
        body = claim(debtor_email)
        case_path = f"/api/recovery/cases/{body['case_id']}"

        async def filed() -> httpx.Response | None:
            answer = await http.post("/api/recovery/cases", headers=auth, **filing_form(body))
            return None if answer.status_code == 409 else answer

        answer = await eventually(filed)
        assert answer.status_code == 201, answer.text
        proof = answer.json()["documents"][0]
        assert proof["sha256"] == hashlib.sha256(filing_form(body)["files"][0][1][1]).hexdigest()

        # assigned to a competent office: one in the Metz court of appeal's district
        case = await case_when(http, case_path, auth, lambda c: c["phase"] == "assigned")
        assert case["office_id"] in METZ_OFFICES
        assert case["court_of_appeal"].lower().startswith("metz")
        commissaire = await commissaire_headers(stack, http, case["office_id"])
        office_path = f"/api/recovery/office/cases/{body['case_id']}"
        listed = await http.get("/api/recovery/office/cases", headers=commissaire)
        assert body["case_id"] in [c["case_id"] for c in listed.json()]
        accepted = await http.post(f"{office_path}/acceptance", headers=commissaire)
        assert accepted.status_code == 200, accepted.text

        # the amicable letter: plain letter and email, its PDF downloadable by the creditor
        case = await case_when(http, case_path, auth, lambda c: c["phase"] == "amicable")
        letters = {d["kind"]: d for d in case["documents"]}
        amicable = letters["amicable_letter"]
        download = await http.get(f"{case_path}/documents/{amicable['document_id']}", headers=auth)
        assert download.status_code == 200
        assert download.headers["x-content-sha256"] == hashlib.sha256(download.content).hexdigest()
        text = pdf_text(download.content)
        for detail in ("ACME Recouvrement", "Quincaillerie Lorraine SARL", "12 rue Serpenoise", "2 012,34"):
            assert detail in text, f"{detail!r} not in the amicable letter:\n{text}"

        # 15 days without payment: the registered letter, with the R125-2 mentions. Recovery is
        # killed (SIGKILL, as a crash) while the days pass, and restarted: nothing lost, nothing twice.
        recovery = stack.services["recovery"]
        assert await recovery.kill_async()
        # 15 days from the plain letter's day, moved past a weekend or public holidays (CPC 642), up
        # to local midnight: 19 days always pass it.
        move_clock(stack, days=19)
        await recovery.up_async()
        case = await case_when(http, case_path, auth, lambda c: c["phase"] == "simplified", timeout=120)
        assert [letter["kind"] for letter in case["letters"]] == ["plain", "registered"]
        assert case["letters"][1]["tracking_id"]
        actions = [t["action"] for t in case["timeline"]]
        assert len(actions) == len(set(actions)), actions
        registered = next(d for d in case["documents"] if d["kind"] == "registered_letter")
        letter = await http.get(f"{office_path}/documents/{registered['document_id']}", headers=commissaire)
        assert letter.status_code == 200
        text = pdf_text(letter.content)
        for mention in ("L111-2", "L111-3", "1343-5", "2238", "un mois", "ACME Recouvrement", "2 012,34"):
            assert mention in text, f"{mention!r} not in the registered letter"

        # the debtor reads the link in the mail, as a person would, and refuses
        mail = await stack.mailbox.wait_for(debtor_email, lambda m: "Procédure simplifiée" in m.subject, timeout=60)
        token = debtor_token(mail.text)
        seen = await http.post("/api/recovery/debtor-space/claim", json={"token": token})
        assert seen.status_code == 200, seen.text
        assert seen.json()["balance_cents"] == 201_234
        refused = await http.post("/api/recovery/debtor-space/answer", json={"token": token, "answer": "refused"})
        assert refused.status_code == 200, refused.text
        again = await http.post("/api/recovery/debtor-space/answer", json={"token": token, "answer": "accepted"})
        problem(again, 410)
        office_view = (await http.get(office_path, headers=commissaire)).json()
        assert office_view["answer"]["answer"] == "refused"

        # the month passes: the injunction request is generated, prefilled
        move_clock(stack, days=35)  # a month, moved past a weekend or holidays, always passed
        case = await case_when(http, case_path, auth, lambda c: c["phase"] == "injunction_available")
        made = await http.post(f"{case_path}/injunction-request", headers=auth)
        assert made.status_code == 201, made.text
        request = await http.get(f"{case_path}/documents/{made.json()['document_id']}", headers=auth)
        text = pdf_text(request.content)
        for detail in ("Quincaillerie Lorraine SARL", "ACME Recouvrement", "F-2026-001", "2 012,34"):
            assert detail in text, f"{detail!r} not in the injunction request"
        timeline = [t["action"] for t in (await http.get(case_path, headers=auth)).json()["timeline"]]
        assert timeline[0] == "filed"
        assert "debtor refused" in timeline

        # the creditor's fees in billing's next SEPA batch file (pain.008, SEPA Core direct debit)
        pain = await sepa_batch_with(stack, http, body["case_id"])
        assert "urn:iso:std:iso:20022:tech:xsd:pain.008" in pain
        assert "<DrctDbtTxInf>" in pain
        assert "<LclInstrm><Cd>CORE</Cd></LclInstrm>" in pain.replace(" ", "").replace("\n", "")


async def sepa_batch_with(stack: Stack, http: httpx.AsyncClient, case_id: str) -> str:
    """The pain.008 file of billing's next SEPA batch holding fees of `case_id`, produced as support
    does (POST /api/billing/sepa/batches: the next batch date). Batches of other creditors' earlier
    fees may come first (the test stack is kept between runs): each is produced in turn."""
    support = await support_headers(stack, http)

    async def produced() -> httpx.Response | None:
        answer = await http.post("/api/billing/sepa/batches", json={}, headers=support)
        return None if answer.status_code == 404 else answer  # the fees reach billing asynchronously

    for _ in range(20):
        answer = await eventually(produced, timeout=60)
        assert answer.status_code in (200, 201), answer.text
        batch = answer.json()
        ours = [fee["step"] for fee in batch["fees"] if fee["case_id"] == case_id]
        if ours:
            assert len(ours) == len(set(ours)), f"a fee billed twice: {ours}"
            file = await http.get(batch["file_url"], headers=support)
            assert file.status_code == 200, file.text
            return file.text
        assert answer.status_code == 201, f"the next batch {batch['batch_id']} holds no fee of {case_id}"
    raise AssertionError(f"no batch holds the fees of {case_id}")
