"""Recovery's routes on the wired app over the real local Mongo-wire server and Kafka (the store's
case lists, GridFS proofs and letters, the chassis' single-use tokens): filing by multipart, the
lists, 404 for another's case, downloads with their SHA-256, the debtor space once. The caller is
forged (identity is not started here); time is a settable clock."""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pypdf import PdfReader

from chassis.auth import current_caller
from devstack.stack import Stack
from recovery.app import create_app
from recovery.bus.views import SIGNED, CreditorView, MandateView
from recovery.handlers import AdvanceDueDeadlines, dispatch
from recovery.ports import RecoveryPorts
from recovery.settings import RecoverySettings
from services.recovery.tests.api_fakes import forged_caller
from services.recovery.tests.builders import PDF
from tests.clock import SettableClock

pytestmark = pytest.mark.infra
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class Api:
    def __init__(self, http: httpx.AsyncClient, ports: RecoveryPorts, clock: SettableClock, db: Any) -> None:
        self.http, self.ports, self.clock, self.db = http, ports, clock, db

    async def creditor(self, account_id: str) -> dict[str, str]:
        at = T0 - timedelta(days=30)
        await CreditorView(self.db).record(account_id, at, name="ACME Recouvrement SAS", email="a@acme.fr")
        await MandateView(self.db).record(account_id, SIGNED, at, "RUM-1")
        return {"Authorization": f"Test {account_id}"}


@pytest.fixture(scope="module")
async def api(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    name = f"recovery_api_{uuid.uuid4().hex[:8]}"
    settings = RecoverySettings(
        service_name=name,
        environment="test",
        mongo_url=stack.mongo_url,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        sweeper_enabled=False,
        postal_dir=str(tmp_path_factory.mktemp("postal")),
        smtp_port=stack.config.port("smtp"),
        log_level="WARNING",
    )
    clock = SettableClock(T0)
    app = create_app(settings, clock=clock)
    app.dependency_overrides[current_caller] = forged_caller
    async with LifespanManager(app, startup_timeout=90, shutdown_timeout=90):
        runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://recovery", timeout=60) as http:
            yield Api(http, app.state.recovery, clock, runtime.db)
        await runtime.mongo.drop_database(name)


def claim_form(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "debtor": {
            "kind": "natural",
            "name": "Schmitt",
            "first_name": "Paul",
            "address": {"line1": "3 rue des Clercs", "postcode": "57000", "city": "Metz"},
            "email": "paul.schmitt@example.fr",
        },
        "cause": "contract",
        "invoices": [{"number": "F-77", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 84_050}],
        "creditor_address": {"line1": "1 avenue des Champs-Élysées", "postcode": "75008", "city": "Paris"},
    } | changes
    return {"data": {"claim": json.dumps(body)}, "files": [("documents", ("facture-F-77.pdf", PDF, "application/pdf"))]}


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_filing_lists_and_downloads_on_the_real_store(api: Api) -> None:
    jeanne = await api.creditor(f"acc-{uuid.uuid4().hex[:6]}")
    paul = await api.creditor(f"acc-{uuid.uuid4().hex[:6]}")
    filed = await api.http.post("/cases", headers=jeanne, **claim_form())
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["phase"] == "assigned"
    assert case["office_id"].startswith("sample-metz-")
    mine = await api.http.get("/cases", headers=jeanne)
    assert [c["case_id"] for c in mine.json()] == [case["case_id"]]
    assert (await api.http.get("/cases", headers=paul)).json() == []
    assert (await api.http.get(f"/cases/{case['case_id']}", headers=paul)).status_code == 404
    proof = case["documents"][0]
    download = await api.http.get(f"/cases/{case['case_id']}/documents/{proof['document_id']}", headers=jeanne)
    assert download.content == PDF
    assert download.headers["x-content-sha256"] == hashlib.sha256(PDF).hexdigest() == proof["sha256"]
    office = {"Authorization": f"Test acc-cj;role=commissaire;office_id={case['office_id']}"}
    listed = await api.http.get("/office/cases", headers=office)
    assert case["case_id"] in [c["case_id"] for c in listed.json()]
    over = await api.http.post(
        "/cases",
        headers=jeanne,
        **claim_form(
            invoices=[{"number": "F-1", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 500_001}]
        ),
    )
    assert over.status_code == 422
    assert "R125-1" in over.json()["detail"]


async def test_the_debtor_answers_once_through_the_link_of_the_registered_letter(api: Api) -> None:
    jeanne = await api.creditor(f"acc-{uuid.uuid4().hex[:6]}")
    case = (await api.http.post("/cases", headers=jeanne, **claim_form())).json()
    office = {"Authorization": f"Test acc-cj;role=commissaire;office_id={case['office_id']}"}
    accepted = await api.http.post(f"/office/cases/{case['case_id']}/acceptance", headers=office)
    assert accepted.json()["phase"] == "amicable"
    api.clock.advance(days=16)
    assert await dispatch(AdvanceDueDeadlines(case["case_id"]), api.ports) is not None
    view = (await api.http.get(f"/cases/{case['case_id']}", headers=jeanne)).json()
    assert view["phase"] == "simplified"
    letter = next(d for d in view["documents"] if d["kind"] == "registered_letter")
    pdf = await api.http.get(f"/cases/{case['case_id']}/documents/{letter['document_id']}", headers=jeanne)
    assert hashlib.sha256(pdf.content).hexdigest() == letter["sha256"]
    found = re.search(r"debtor-space#token=([A-Za-z0-9_-]{43})", re.sub(r"\s+", "", pdf_text(pdf.content)))
    assert found is not None
    token = found.group(1)
    seen = await api.http.post("/debtor-space/claim", json={"token": token})
    assert seen.status_code == 200, seen.text
    assert seen.json()["balance_cents"] == 84_050
    refused = await api.http.post("/debtor-space/answer", json={"token": token, "answer": "refused"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["phase"] == "injunction_available"
    again = await api.http.post("/debtor-space/answer", json={"token": token, "answer": "accepted"})
    assert again.status_code == 410
    timeline = (await api.http.get(f"/office/cases/{case['case_id']}", headers=office)).json()["timeline"]
    answered = [t for t in timeline if t["action"] == "debtor refused"]
    assert [t["actor"] for t in answered] == ["debtor"]  # recorded once, with its time, for the commissaire
