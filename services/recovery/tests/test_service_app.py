"""Recovery wired on the real local Mongo-wire server and Kafka (its app, its adapters): a case from
filing to the injunction request, letters rendered by WeasyPrint, stored in GridFS and posted to
the folder, mail queued with the case, fees and events in the outbox, the debtor's single-use link.
Time is a settable clock: the 15 days and the month pass without sleeping."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from pypdf import PdfReader

from devstack.stack import Stack
from recovery.app import create_app
from recovery.bus.views import SIGNED, CreditorView, MandateView
from recovery.domain.cases import Answer, CaseError, Creditor, LinkInvalid, MandateRequired, Phase
from recovery.domain.claims import AddressInput
from recovery.handlers import (
    AcceptCase,
    AdvanceDueDeadlines,
    AnswerAsDebtor,
    AssignCase,
    FileCase,
    GenerateInjunctionRequest,
    ViewAsDebtor,
    dispatch,
)
from recovery.ports import DocumentKind, RecoveryPorts
from recovery.settings import RecoverySettings
from services.recovery.tests.builders import claim, proof
from tests.clock import SettableClock

pytestmark = pytest.mark.infra
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
# identity's events carry no address: the creditor gives it with the filing.
CREDITOR_ADDRESS = AddressInput(line1="5 avenue Foch", postcode="54000", city="Nancy")


@dataclass
class Service:
    ports: RecoveryPorts
    clock: SettableClock
    db: Any
    postal_dir: Path


@pytest.fixture(scope="module")
async def service(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    name = f"recovery_t_{uuid.uuid4().hex[:8]}"
    postal = tmp_path_factory.mktemp("postal")
    settings = RecoverySettings(
        service_name=name,
        environment="test",
        mongo_url=stack.mongo_url,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        sweeper_enabled=False,
        postal_dir=str(postal),
        smtp_port=stack.config.port("smtp"),
        log_level="WARNING",
    )
    clock = SettableClock(T0)
    app = create_app(settings, clock=clock)
    async with LifespanManager(app, startup_timeout=90, shutdown_timeout=90):
        runtime = app.state.runtime
        yield Service(app.state.recovery, clock, runtime.db, postal)
        await runtime.mongo.drop_database(name)


async def creditor(service: Service, account_id: str, *, mandate: bool = True) -> Creditor:
    await CreditorView(service.db).record(
        account_id, T0 - timedelta(days=30), name="Fournitures Dupont SAS", email="dupont@example.fr", siren="552100554"
    )
    if mandate:
        await MandateView(service.db).record(account_id, SIGNED, T0 - timedelta(days=30), "RUM-1")
    return Creditor(account_id, trader=True)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def link_token(text: str) -> str:
    flat = re.sub(r"\s+", "", text)
    found = re.search(r"debtor-space#token=([A-Za-z0-9_-]{43})", flat)
    assert found is not None, "the letter carries the debtor space's link"
    return found.group(1)


async def test_without_a_mandate_filing_is_refused_and_says_where_to_sign(service: Service) -> None:
    who = await creditor(service, f"acc-{uuid.uuid4().hex[:6]}", mandate=False)
    with pytest.raises(MandateRequired) as refused:
        await dispatch(FileCase(uuid.uuid4().hex, who, claim(), (proof(),)), service.ports)
    assert "/api/billing/profiles/me/mandate" in refused.value.detail


async def test_a_case_from_filing_to_the_injunction_request(service: Service) -> None:
    ports, clock = service.ports, service.clock
    clock.at = T0
    who = await creditor(service, f"acc-{uuid.uuid4().hex[:6]}")
    case_id = f"case-{uuid.uuid4().hex[:8]}"
    await dispatch(FileCase(case_id, who, claim(creditor_address=CREDITOR_ADDRESS), (proof(),)), ports)
    assigned = await dispatch(AssignCase(case_id), ports)
    assert assigned.phase is Phase.ASSIGNED
    assert assigned.office_id is not None
    case = await dispatch(AcceptCase(case_id, assigned.office_id), ports)

    assert case.phase is Phase.AMICABLE
    plain = case.generated_of(DocumentKind.AMICABLE_LETTER.value)
    assert plain is not None
    text = pdf_text(await ports.documents.get(plain.document_id))
    assert "Fournitures Dupont SAS" in text
    assert "Quincaillerie Lorraine SARL" in text
    assert list(service.postal_dir.glob(f"*{case_id}*")), "the plain letter was posted to the folder"
    document = await service.db["cases"].find_one({"_id": case_id})
    mails = [entry["key"] for entry in document.get("_courier", [])]
    assert mails in ([], ["compta@quincaillerie.example"])  # queued with the case (or sent already)

    assert case.due_at is not None
    clock.at = case.due_at + timedelta(hours=1)
    swept = await dispatch(AdvanceDueDeadlines(case_id), ports)
    assert swept is not None
    case = swept
    assert case.phase is Phase.SIMPLIFIED
    registered = case.letters[-1]
    assert registered.tracking_id
    letter = case.generated_of(DocumentKind.REGISTERED_LETTER.value)
    assert letter is not None
    token = link_token(pdf_text(await ports.documents.get(letter.document_id)))
    assert await dispatch(AdvanceDueDeadlines(case_id), ports) is None  # one transition per deadline

    seen = await dispatch(ViewAsDebtor(token), ports)
    assert seen.case_id == case_id
    clock.advance(days=3)
    answered = await dispatch(AnswerAsDebtor(token, Answer.REFUSED), ports)
    assert answered.phase is Phase.INJUNCTION_AVAILABLE
    with pytest.raises(LinkInvalid):
        await dispatch(AnswerAsDebtor(token, Answer.ACCEPTED), ports)

    request = await dispatch(GenerateInjunctionRequest(case_id, who.account_id), ports)
    again = await dispatch(GenerateInjunctionRequest(case_id, who.account_id), ports)
    assert again == request
    court = pdf_text(await ports.documents.get(request.document_id)).lower()
    assert "chambre commerciale du tribunal judiciaire" in re.sub(r"\s+", " ", court)  # Metz, between traders
    stored = await ports.cases.get(case_id)
    assert [d.kind for d in stored.generated] == ["amicable_letter", "registered_letter", "injunction_request"]
    with pytest.raises(CaseError):
        await dispatch(GenerateInjunctionRequest(case_id, "someone-else"), ports)
