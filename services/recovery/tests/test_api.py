"""Recovery's routes on in-memory fakes: the creditor's, the commissaire's and the debtor's, their
problems (field errors, 404 for someone else's case, 409 without a mandate) and their OpenAPI."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts import Right
from recovery.api.schemas import EXAMPLE_CLAIM
from recovery.domain.cases import Phase
from recovery.handlers import AdvanceDueDeadlines, dispatch
from recovery.ports import KnownCreditor, RecoveryPorts
from services.recovery.tests.api_fakes import api_app
from services.recovery.tests.builders import JPEG, PDF, PNG
from services.recovery.tests.fakes import FakeCaseStore, FakeCreditors, FakeDebtorLinks, FakeMandates, FakeRights
from tests.clock import SettableClock

CREDITOR = {"Authorization": "Test acc-jeanne"}
OTHER = {"Authorization": "Test acc-paul"}
METZ_A = {"Authorization": "Test acc-cj-a;role=commissaire;office_id=metz-a"}
METZ_B = {"Authorization": "Test acc-cj-b;role=commissaire;office_id=metz-b"}
COMPANY = "732829320"
PERSONAL_FILING_OMITS = ("case_id", "company_id", "creditor_trader")


def claim_body(**changes: Any) -> dict[str, Any]:
    """The API's example claim (two invoices of a Metz hardware shop), filed by a creditor for
    themself (no company, no case id of their choosing)."""
    body = {k: v for k, v in copy.deepcopy(EXAMPLE_CLAIM).items() if k not in PERSONAL_FILING_OMITS}
    return {**body, **changes}


def form(body: dict[str, Any] | str, files: list[tuple[str, bytes]] | None = None) -> dict[str, Any]:
    documents = files if files is not None else [("facture-F-2026-001.pdf", PDF)]
    return {
        "data": {"claim": body if isinstance(body, str) else json.dumps(body)},
        "files": [("documents", (name, content, "application/octet-stream")) for name, content in documents],
    }


@dataclass
class World:
    """The app on the handlers' fakes, and the fakes a test changes."""

    app: FastAPI
    ports: RecoveryPorts
    store: FakeCaseStore

    @property
    def mandates(self) -> FakeMandates:
        assert isinstance(self.ports.mandates, FakeMandates)
        return self.ports.mandates

    @property
    def rights(self) -> FakeRights:
        assert isinstance(self.ports.rights, FakeRights)
        return self.ports.rights

    def debtor_token(self, case_id: str) -> str:
        """The newest link issued for the case (the letter's), as the debtor reads it."""
        links = self.ports.links
        assert isinstance(links, FakeDebtorLinks)
        return [token for token, (case, _, _) in links.links.items() if case == case_id][-1]


@pytest.fixture
def world(ports: RecoveryPorts, store: FakeCaseStore) -> World:
    world = World(api_app(ports, store, max_document_bytes=200_000), ports, store)
    world.mandates.signed_by.add("acc-jeanne")
    creditors = ports.creditors
    assert isinstance(creditors, FakeCreditors)
    creditors.known["acc-jeanne"] = KnownCreditor("ACME Recouvrement SAS", "jeanne@acme-recouvrement.fr", "732829320")
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=world.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://recovery") as client:
        yield client


async def filed(http: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    answer = await http.post("/cases", headers=CREDITOR, **form(claim_body(**changes)))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def assigned(http: httpx.AsyncClient, world: World) -> str:
    case_id: str = (await filed(http))["case_id"]
    assert world.store.cases[case_id].phase is Phase.ASSIGNED  # the filing assigned it at once
    return case_id


async def in_simplified(http: httpx.AsyncClient, world: World, clock: SettableClock) -> str:
    case_id = await assigned(http, world)
    office = world.store.cases[case_id].office_id
    headers = METZ_A if office == "metz-a" else METZ_B
    assert (await http.post(f"/office/cases/{case_id}/acceptance", headers=headers)).status_code == 200
    assert world.store.cases[case_id].phase is Phase.AMICABLE  # the acceptance sent the plain letter
    clock.advance(days=20)
    await dispatch(AdvanceDueDeadlines(), world.ports)
    assert world.store.cases[case_id].phase is Phase.SIMPLIFIED
    return case_id


def office_headers(world: World, case_id: str) -> dict[str, str]:
    return METZ_A if world.store.cases[case_id].office_id == "metz-a" else METZ_B


def codes(answer: httpx.Response) -> set[str]:
    return {e.get("code") for e in answer.json().get("errors", [])}


# --- filing --------------------------------------------------------------------------


async def test_filing_stores_the_case_its_proofs_and_answers_201(http: httpx.AsyncClient, world: World) -> None:
    answer = await http.post(
        "/cases", headers=CREDITOR, **form(claim_body(), [("facture.pdf", PDF), ("bon.png", PNG), ("photo.jpg", JPEG)])
    )
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert answer.headers["location"] == f"/api/recovery/cases/{case['case_id']}"
    assert case["phase"] == "assigned"  # filed, then given to the least-loaded competent office
    assert case["office_id"] in {"metz-a", "metz-b", "thionville-c"}
    assert [t["action"] for t in case["timeline"]][:2] == ["filed", "assigned"]
    assert case["creditor_account_id"] == "acc-jeanne"
    assert case["total_cents"] == 201_234
    assert case["debtor"]["address"]["department"] == "57"
    assert [d["media_type"] for d in case["documents"]] == ["application/pdf", "image/png", "image/jpeg"]
    assert case["documents"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert case["timeline"][0]["actor"] == "creditor"
    assert world.store.cases[case["case_id"]].claim.total_cents == 201_234


async def test_the_ceiling_is_5000_euros_principal_and_interest(http: httpx.AsyncClient, world: World) -> None:
    at_ceiling = [{"number": "F-1", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 490_000}]
    accepted = await http.post(
        "/cases", headers=CREDITOR, **form(claim_body(invoices=at_ceiling, interest_cents=10_000))
    )
    assert accepted.status_code == 201, accepted.text
    refused = await http.post(
        "/cases", headers=CREDITOR, **form(claim_body(invoices=at_ceiling, interest_cents=10_001))
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["type"].endswith("/ceiling-exceeded")
    assert "R125-1" in problem["detail"]
    assert "5,000.01" in problem["detail"]
    assert problem["errors"][0]["source"] == "CPCE R125-1"
    assert len(world.store.cases) == 1


async def test_every_rule_the_claim_breaks_is_a_field_error_at_once(http: httpx.AsyncClient, world: World) -> None:
    body = claim_body(
        cause="tort",
        invoices=[{"number": "F-9", "issue_date": "2026-02-01", "due_date": "2026-12-31", "amount_cents": 1000}],
    )
    body["debtor"] = {
        **body["debtor"],
        "siren": "123456789",
        "address": {**body["debtor"]["address"], "postcode": "98000"},
    }
    answer = await http.post("/cases", headers=CREDITOR, **form(body, [("virus.pdf", b"MZ\x90\x00exe")]))
    assert answer.status_code == 422
    assert {"cause-not-covered", "invoice-not-due", "siren-invalid", "address-outside-france"} <= codes(answer)
    assert any(e["field"] == "invoices[0].due_date" for e in answer.json()["errors"])
    assert any(e["field"].startswith("documents[0]") for e in answer.json()["errors"])
    assert world.store.cases == {}


async def test_a_legal_person_needs_a_siren(http: httpx.AsyncClient) -> None:
    body = claim_body()
    body["debtor"] = {**body["debtor"], "siren": ""}
    answer = await http.post("/cases", headers=CREDITOR, **form(body))
    assert answer.status_code == 422
    assert codes(answer) == {"siren-required"}


async def test_an_overseas_natural_person_is_accepted(http: httpx.AsyncClient) -> None:
    debtor = {
        "kind": "natural",
        "name": "Hoarau",
        "first_name": "Marie",
        "address": {"line1": "8 rue de Paris", "postcode": "97400", "city": "Saint-Denis"},
        "email": "marie.hoarau@example.re",
    }
    case = await filed(http, debtor=debtor, cause="statutory_obligation")
    assert case["debtor"]["address"]["department"] == "974"
    assert case["debtor"]["display_name"] == "Marie Hoarau"


async def test_malformed_json_and_control_characters_are_field_errors(http: httpx.AsyncClient) -> None:
    broken = await http.post("/cases", headers=CREDITOR, **form("{not json"))
    # an unparsable JSON part is an unparsable body (issue #15): 400, the position in words
    assert broken.status_code == 400, broken.text
    assert broken.json()["type"].endswith("/malformed-body")
    assert "line 1 column 2" in broken.json()["detail"]
    body = claim_body()
    body["debtor"] = {**body["debtor"], "name": "Quincaillerie\u202eSARL"}
    sneaky = await http.post("/cases", headers=CREDITOR, **form(body))
    assert sneaky.status_code == 422
    assert sneaky.json()["errors"][0]["field"] == "claim.debtor.name"
    no_docs = await http.post("/cases", headers=CREDITOR, data={"claim": json.dumps(claim_body())})
    assert no_docs.status_code == 422
    assert any(e["field"] == "documents" for e in no_docs.json()["errors"])


async def test_a_form_too_large_is_413_and_stores_nothing(http: httpx.AsyncClient, world: World) -> None:
    # the test app's form limit is 200 kB (the policy's per-document limit 10 MiB)
    over_form = await http.post("/cases", headers=CREDITOR, **form(claim_body(), [("big.pdf", PDF + b"0" * 250_000)]))
    assert over_form.status_code == 413
    assert world.store.cases == {}


async def test_without_a_signed_mandate_filing_is_409_saying_where_to_sign(
    http: httpx.AsyncClient, world: World
) -> None:
    answer = await http.post("/cases", headers=OTHER, **form(claim_body()))
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("/mandate-required")
    assert "/api/billing/profiles/me/mandate" in answer.json()["detail"]
    assert world.store.cases == {}


async def test_filing_for_a_company_needs_right_3(http: httpx.AsyncClient, world: World) -> None:
    refused = await http.post("/cases", headers=CREDITOR, **form(claim_body(company_id="552100554")))
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/missing-right")
    world.rights.granted.add(("552100554", "acc-jeanne", Right.HANDLE_COMPANY_REQUESTS))
    case = await filed(http, company_id="552100554")
    assert case["company_id"] == "552100554"
    assert world.store.cases[case["case_id"]].creditor.trader is True
    # a colleague with the right sees the company's case; without it, 404
    world.mandates.signed_by.add("acc-paul")
    assert (await http.get(f"/cases/{case['case_id']}", headers=OTHER)).status_code == 404
    world.rights.granted.add(("552100554", "acc-paul", Right.HANDLE_COMPANY_REQUESTS))
    assert (await http.get(f"/cases/{case['case_id']}", headers=OTHER)).status_code == 200
    listed = await http.get("/cases", params={"company_id": "552100554"}, headers=OTHER)
    assert [c["case_id"] for c in listed.json()] == [case["case_id"]]


async def test_filing_again_with_the_same_case_id_files_once(http: httpx.AsyncClient, world: World) -> None:
    first = await filed(http, case_id="case-2026-0001")
    again = await filed(http, case_id="case-2026-0001")
    assert first["case_id"] == again["case_id"] == "case-2026-0001"
    assert len(world.store.cases) == 1
    world.mandates.signed_by.add("acc-paul")
    taken = await http.post("/cases", headers=OTHER, **form(claim_body(case_id="case-2026-0001")))
    assert taken.status_code == 409
    assert taken.json()["type"].endswith("/case-id-taken")


async def test_no_token_is_401(http: httpx.AsyncClient) -> None:
    assert (await http.get("/cases")).status_code == 401
    assert (await http.post("/cases", **form(claim_body()))).status_code == 401


# --- reading, withdrawing, downloading ---------------------------------------------------


async def test_someone_elses_case_is_404_like_an_unknown_one(http: httpx.AsyncClient, world: World) -> None:
    case = await filed(http)
    mine = await http.get(f"/cases/{case['case_id']}", headers=CREDITOR)
    assert mine.status_code == 200
    theirs = await http.get(f"/cases/{case['case_id']}", headers=OTHER)
    unknown = await http.get("/cases/no-such-case", headers=OTHER)
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["type"] == unknown.json()["type"]
    doc = case["documents"][0]["document_id"]
    assert (await http.get(f"/cases/{case['case_id']}/documents/{doc}", headers=OTHER)).status_code == 404
    assert (await http.post(f"/cases/{case['case_id']}/withdrawal", json={}, headers=OTHER)).status_code == 404
    assert [c["case_id"] for c in (await http.get("/cases", headers=OTHER)).json()] == []
    assert [c["case_id"] for c in (await http.get("/cases", headers=CREDITOR)).json()] == [case["case_id"]]


async def test_a_proof_downloads_with_its_sha256(http: httpx.AsyncClient) -> None:
    case = await filed(http)
    doc = case["documents"][0]
    answer = await http.get(f"/cases/{case['case_id']}/documents/{doc['document_id']}", headers=CREDITOR)
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-sha256"] == hashlib.sha256(PDF).hexdigest() == doc["sha256"]
    missing = await http.get(f"/cases/{case['case_id']}/documents/doc-999", headers=CREDITOR)
    assert missing.status_code == 404


async def test_withdrawing_closes_the_case_once(http: httpx.AsyncClient) -> None:
    case = await filed(http)
    answer = await http.post(f"/cases/{case['case_id']}/withdrawal", json={"reason": "payé"}, headers=CREDITOR)
    assert answer.status_code == 200
    assert answer.json()["phase"] == "closed"
    assert answer.json()["outcome"] == "withdrawn"
    assert answer.json()["timeline"][-1]["action"] == "withdrawn"
    again = await http.post(f"/cases/{case['case_id']}/withdrawal", json={}, headers=CREDITOR)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/illegal-transition")


# --- the commissaire ---------------------------------------------------------------------


async def test_only_a_commissaire_with_an_office_uses_the_office_routes(http: httpx.AsyncClient) -> None:
    assert (await http.get("/office/cases", headers=CREDITOR)).status_code == 403
    no_office = {"Authorization": "Test acc-x;role=commissaire"}
    assert (await http.get("/office/cases", headers=no_office)).status_code == 403


async def test_the_assigned_office_sees_accepts_and_the_other_gets_404(http: httpx.AsyncClient, world: World) -> None:
    case_id = await assigned(http, world)
    mine = office_headers(world, case_id)
    other = METZ_B if mine is METZ_A else METZ_A
    assert [c["case_id"] for c in (await http.get("/office/cases", headers=mine)).json()] == [case_id]
    assert (await http.get("/office/cases", headers=other)).json() == []
    assert (await http.get(f"/office/cases/{case_id}", headers=other)).status_code == 404
    assert (await http.post(f"/office/cases/{case_id}/acceptance", headers=other)).status_code == 404
    accepted = await http.post(f"/office/cases/{case_id}/acceptance", headers=mine)
    assert accepted.status_code == 200
    assert accepted.json()["phase"] == "amicable"  # accepted, and the plain letter sent at once
    assert [x["kind"] for x in accepted.json()["letters"]] == ["plain"]
    twice = await http.post(f"/office/cases/{case_id}/acceptance", headers=mine)
    assert twice.status_code == 409


async def test_a_refusal_needs_a_reason_and_passes_the_case_on(http: httpx.AsyncClient, world: World) -> None:
    case_id = await assigned(http, world)
    first = world.store.cases[case_id].office_id
    headers = office_headers(world, case_id)
    blank = await http.post(f"/office/cases/{case_id}/refusal", json={"reason": "  "}, headers=headers)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "reason"
    refused = await http.post(
        f"/office/cases/{case_id}/refusal", json={"reason": "Conflit d'intérêts"}, headers=headers
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["refused_by"] == [first]
    assert world.store.cases[case_id].office_id != first
    assert (await http.get(f"/office/cases/{case_id}", headers=headers)).status_code == 404


async def test_payments_agreement_and_title(http: httpx.AsyncClient, world: World, clock: SettableClock) -> None:
    case_id = await in_simplified(http, world, clock)
    headers = office_headers(world, case_id)
    paid = await http.post(
        f"/office/cases/{case_id}/payments", json={"reference": "VIR-1", "amount_cents": 1234}, headers=headers
    )
    assert paid.status_code == 200
    assert paid.json()["balance_cents"] == 200_000
    too_much = await http.post(
        f"/office/cases/{case_id}/payments", json={"reference": "VIR-2", "amount_cents": 300_000}, headers=headers
    )
    assert too_much.status_code == 422
    assert too_much.json()["type"].endswith("/amount-above-balance")
    negative = await http.post(
        f"/office/cases/{case_id}/payments", json={"reference": "VIR-3", "amount_cents": -5}, headers=headers
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "amount_cents"
    answer = await http.post(
        f"/office/cases/{case_id}/debtor-answer",
        json={"answer": "accepted", "proposed_amount_cents": 200_000, "proposed_terms": "4 mensualités"},
        headers=headers,
    )
    assert answer.status_code == 200
    assert answer.json()["phase"] == "debtor_accepted"
    future = await http.post(
        f"/office/cases/{case_id}/agreement",
        json={
            "amount_cents": 200_000,
            "payment_terms": "4 mensualités",
            "title_number": "T-1",
            "title_date": "2030-01-01",
        },
        headers=headers,
    )
    assert future.status_code == 422
    assert future.json()["type"].endswith("/title-date-in-future")
    agreed = await http.post(
        f"/office/cases/{case_id}/agreement",
        json={
            "amount_cents": 200_000,
            "payment_terms": "4 mensualités de 500,00 EUR",
            "title_number": "CJ-57-2026-0117",
            "title_date": clock.now().date().isoformat(),
        },
        headers=headers,
    )
    assert agreed.status_code == 200, agreed.text
    case = agreed.json()
    assert case["phase"] == "closed"
    assert case["agreement"]["title_number"] == "CJ-57-2026-0117"
    assert [t["actor"] for t in case["timeline"]].count("commissaire") >= 4


# --- the debtor --------------------------------------------------------------------------


async def test_the_debtor_reads_the_claim_and_refuses_once(
    http: httpx.AsyncClient, world: World, clock: SettableClock
) -> None:
    case_id = await in_simplified(http, world, clock)
    token = world.debtor_token(case_id)
    view = await http.post("/debtor-space/claim", json={"token": token})
    assert view.status_code == 200, view.text
    claim = view.json()
    assert claim["balance_cents"] == 201_234
    assert claim["answer_until"] is not None
    assert {d["kind"] for d in claim["documents"]} == {"proof", "amicable_letter", "registered_letter"}
    letter = next(d for d in claim["documents"] if d["kind"] == "registered_letter")
    download = await http.post("/debtor-space/documents", json={"token": token, "document_id": letter["document_id"]})
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF-")
    assert b"registered_letter" in download.content
    assert download.headers["x-content-sha256"] == letter["sha256"]
    refused = await http.post("/debtor-space/answer", json={"token": token, "answer": "refused"})
    assert refused.status_code == 200
    assert refused.json()["phase"] == "injunction_available"
    case = world.store.cases[case_id]
    assert case.answer is not None
    assert case.answer.at == clock.now()
    assert case.timeline[-1].actor.kind.value == "debtor"
    used = await http.post("/debtor-space/answer", json={"token": token, "answer": "accepted"})
    assert used.status_code == 410
    assert used.json()["type"].endswith("/link-invalid")
    assert (await http.post("/debtor-space/claim", json={"token": token})).status_code == 410
    # the commissaire sees it
    office = await http.get(f"/office/cases/{case_id}", headers=office_headers(world, case_id))
    assert office.json()["answer"]["answer"] == "refused"


async def test_unknown_and_expired_links_are_410(http: httpx.AsyncClient, world: World, clock: SettableClock) -> None:
    unknown = await http.post("/debtor-space/claim", json={"token": "x" * 32})
    assert unknown.status_code == 410
    assert unknown.json()["type"].endswith("/link-invalid")
    assert (await http.post("/debtor-space/claim", json={})).status_code == 422
    case_id = await in_simplified(http, world, clock)
    token = world.debtor_token(case_id)
    bad = await http.post("/debtor-space/answer", json={"token": token, "answer": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "answer"
    clock.advance(days=40)
    # the month is over: the link expired with it, before any sweep ran, and after
    late = await http.post("/debtor-space/answer", json={"token": token, "answer": "refused"})
    assert late.status_code == 410
    assert late.json()["type"].endswith("/link-invalid")
    assert world.store.cases[case_id].answer is None
    await dispatch(AdvanceDueDeadlines(), world.ports)
    assert world.store.cases[case_id].phase is Phase.INJUNCTION_AVAILABLE
    expired = await http.post("/debtor-space/claim", json={"token": token})
    assert expired.status_code == 410


async def test_an_answer_before_the_registered_letter_is_409(http: httpx.AsyncClient, world: World) -> None:
    case_id = await assigned(http, world)
    assert (
        await http.post(f"/office/cases/{case_id}/acceptance", headers=office_headers(world, case_id))
    ).status_code == 200
    token = world.debtor_token(case_id)  # the plain letter's link: the claim is visible, no answer yet
    assert (await http.post("/debtor-space/claim", json={"token": token})).status_code == 200
    early = await http.post("/debtor-space/answer", json={"token": token, "answer": "refused"})
    assert early.status_code == 409
    assert early.json()["type"].endswith("/illegal-transition")


# --- the injunction request ------------------------------------------------------------


async def test_the_injunction_request_once_the_procedure_failed(
    http: httpx.AsyncClient, world: World, clock: SettableClock
) -> None:
    case_id = await in_simplified(http, world, clock)
    early = await http.post(f"/cases/{case_id}/injunction-request", headers=CREDITOR)
    assert early.status_code == 409
    assert early.json()["type"].endswith("/illegal-transition")
    token = world.debtor_token(case_id)
    assert (await http.post("/debtor-space/answer", json={"token": token, "answer": "refused"})).status_code == 200
    made = await http.post(f"/cases/{case_id}/injunction-request", headers=CREDITOR)
    assert made.status_code == 201
    again = await http.post(f"/cases/{case_id}/injunction-request", headers=CREDITOR)
    assert again.json()["document_id"] == made.json()["document_id"]
    download = await http.get(made.headers["location"].removeprefix("/api/recovery"), headers=CREDITOR)
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF-")
    assert download.headers["x-content-sha256"] == made.json()["sha256"]
    assert (await http.post(f"/cases/{case_id}/injunction-request", headers=OTHER)).status_code == 404


# --- the contract ------------------------------------------------------------------------


def test_openapi_documents_every_error_and_an_example(world: World) -> None:
    schema = world.app.openapi()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            errors = {code for code in responses if code.startswith("4")}
            assert errors, f"{method} {path} documents no error"
            if path.startswith(("/cases", "/office")):
                assert ("401" in responses and "404" in responses) or path in {"/cases", "/office/cases"}, (
                    f"{method} {path}"
                )
    filing = schema["paths"]["/cases"]["post"]
    assert {"401", "403", "409", "413", "422"} <= set(filing["responses"])
    assert "R125-1" in filing["responses"]["422"]["description"]
    multipart = filing["requestBody"]["content"]["multipart/form-data"]
    assert multipart["examples"]["company-debtor"]["value"]["claim"]["debtor"]["siren"] == "732829320"
    assert multipart["encoding"]["claim"]["contentType"] == "application/json"
    assert schema["components"]["schemas"]["AgreementIn"]["examples"][0]["title_number"]


def test_the_service_gives_the_filing_form_the_document_limit() -> None:
    from recovery.api import DOCUMENT_PATHS
    from recovery.settings import RecoverySettings

    limits = RecoverySettings().body_limits()
    assert all(limits[path] >= 12 * 1024 * 1024 for path in DOCUMENT_PATHS)


def test_the_app_mounts_the_routes_and_builds_outside_an_event_loop() -> None:
    """`make docs` builds the app with no event loop running: the loops the wiring asks for (the
    deadline leases' renewer) wait for the runtime's start (chassis `Runtime.start_deferred`)."""
    from recovery.app import create_app

    app = create_app()
    paths = set(app.openapi()["paths"])
    assert {"/cases", "/cases/{case_id}", "/office/cases", "/debtor-space/answer"} <= paths
    assert app.state.runtime.deferred, "the lease renewer waits for the runtime's start"
    assert not app.state.runtime.background
