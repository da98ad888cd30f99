"""The handlers' letters, mail, links, fees and checks, on fakes: acceptance sends the plain letter,
the sweep the registered one, each posted once, emailed with a link; the debtor answers once; the
injunction request is generated once; filing needs a mandate and, for a company, right 3."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contracts import Right
from recovery.domain import events as ev
from recovery.domain.cases import Answer, CaseError, Creditor, LinkInvalid, MandateRequired, MissingRight, Phase
from recovery.domain.claims import AddressInput, ClaimRefused
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
from recovery.handlers.sweeper import DeadlineSweeper
from recovery.ports import DocumentKind, LetterRequest, RecoveryPorts
from services.recovery.tests.builders import claim, proof
from services.recovery.tests.fakes import (
    FakeCaseStore,
    FakeCreditors,
    FakeDebtorLinks,
    FakeLetterRenderer,
    FakeMandates,
    FakePostalPort,
    FakeRights,
)
from tests.clock import SettableClock

CREDITOR = Creditor("acc", trader=True)


async def amicable(ports: RecoveryPorts, case_id: str = "c1") -> str:
    await dispatch(FileCase(case_id, CREDITOR, claim(), (proof(),)), ports)
    assigned = await dispatch(AssignCase(case_id), ports)
    assert assigned.office_id is not None
    await dispatch(AcceptCase(case_id, assigned.office_id), ports)
    return assigned.office_id


def fees(store: FakeCaseStore) -> list[tuple[str, int]]:
    return [(e.fee_id, e.amount_cents) for e in store.events if isinstance(e, ev.FeeIncurred)]


async def test_acceptance_renders_stores_posts_and_emails_the_plain_letter(
    ports: RecoveryPorts, store: FakeCaseStore
) -> None:
    await amicable(ports)
    case = await store.get("c1")
    assert case.phase is Phase.AMICABLE
    plain = case.generated_of(DocumentKind.AMICABLE_LETTER.value)
    assert plain is not None
    assert case.letters[0].document_id == plain.document_id
    content = await ports.documents.get(plain.document_id)
    assert b"Fournitures Dupont SAS" in content
    assert b"Quincaillerie Lorraine SARL" in content
    postal = ports.postal
    assert isinstance(postal, FakePostalPort)
    assert list(postal.sent) == ["c1.plain"]
    assert [m.to for m in store.mails] == ["compta@quincaillerie.example"]
    assert "https://creditdesk.test/debtor/tok-1" in store.mails[0].text
    issued = [e for e in store.events if isinstance(e, ev.LetterIssued)]
    assert [(e.kind, e.document_id, e.sha256) for e in issued] == [("plain", plain.document_id, plain.sha256)]
    assert fees(store) == [("c1:filing", 1_500), ("c1:amicable_letter", 500)]


async def test_a_failed_letter_leaves_the_acceptance_and_the_sweep_sends_it(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    class Broken(FakeLetterRenderer):
        def render(self, request: object) -> bytes:
            raise RuntimeError("renderer down")

    broken = replace(ports, letters=Broken())
    await dispatch(FileCase("c1", CREDITOR, claim(), (proof(),)), broken)
    assigned = await dispatch(AssignCase("c1"), broken)
    assert assigned.office_id is not None
    case = await dispatch(AcceptCase("c1", assigned.office_id), broken)
    assert case.phase is Phase.ACCEPTED
    assert store.claimed == set()
    assert await dispatch(AdvanceDueDeadlines(), ports) is None  # retried later, not at once
    clock.advance(minutes=5)
    swept = await dispatch(AdvanceDueDeadlines(), ports)
    assert swept is not None
    assert swept.phase is Phase.AMICABLE


async def test_a_case_whose_letter_fails_does_not_hold_up_the_sweep(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    class FailsForC1(FakeLetterRenderer):
        def render(self, request: LetterRequest) -> bytes:
            if request.case.case_id == "c1":
                raise RuntimeError("this letter cannot be rendered")
            return super().render(request)

    await amicable(ports, "c1")
    await amicable(ports, "c2")
    clock.advance(days=16)
    sweeper = DeadlineSweeper(replace(ports, letters=FailsForC1()), interval_seconds=60)
    assert await sweeper.sweep_once() == 2  # c1 tried, failed and put back for later; c2 went on
    assert (await store.get("c1")).phase is Phase.AMICABLE
    assert (await store.get("c2")).phase is Phase.SIMPLIFIED
    assert store.claimed == set()


async def test_the_registered_letter_is_posted_once_with_its_tracking_id_and_a_new_link(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    await amicable(ports)
    clock.advance(days=16)
    case = await dispatch(AdvanceDueDeadlines(), ports)
    assert case is not None
    assert case.phase is Phase.SIMPLIFIED
    assert case.letters[-1].tracking_id == "RR000000002FR"
    postal = ports.postal
    assert isinstance(postal, FakePostalPort)
    assert list(postal.sent) == ["c1.plain", "c1.registered"]
    assert "tok-2" in store.mails[-1].text
    assert ("c1:registered_letter", 1_200) in fees(store)
    links = ports.links
    assert isinstance(links, FakeDebtorLinks)
    assert links.links["tok-2"][1] == case.due_at  # the link ends with the month


async def test_the_debtor_views_then_answers_once_through_the_link(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    await amicable(ports)
    assert (await dispatch(ViewAsDebtor("tok-1"), ports)).case_id == "c1"
    with pytest.raises(CaseError) as early:  # the answer belongs to the simplified procedure
        await dispatch(AnswerAsDebtor("tok-1", Answer.REFUSED), ports)
    assert early.value.code == "illegal-transition"
    clock.advance(days=16)
    await dispatch(AdvanceDueDeadlines(), ports)
    answered = await dispatch(AnswerAsDebtor("tok-2", Answer.ACCEPTED, 150_000, "3 x 500"), ports)
    assert answered.phase is Phase.DEBTOR_ACCEPTED
    assert answered.timeline[-1].actor.kind.value == "debtor"
    with pytest.raises(LinkInvalid):
        await dispatch(AnswerAsDebtor("tok-2", Answer.REFUSED), ports)
    with pytest.raises(LinkInvalid):
        await dispatch(ViewAsDebtor("unknown"), ports)


async def test_the_injunction_request_is_generated_once_by_the_creditor(
    ports: RecoveryPorts, store: FakeCaseStore, clock: SettableClock
) -> None:
    await amicable(ports)
    with pytest.raises(CaseError):
        await dispatch(GenerateInjunctionRequest("c1", "acc"), ports)
    clock.advance(days=16)
    await dispatch(AdvanceDueDeadlines(), ports)
    await dispatch(AnswerAsDebtor("tok-2", Answer.REFUSED), ports)
    with pytest.raises(CaseError) as other:
        await dispatch(GenerateInjunctionRequest("c1", "intruder"), ports)
    assert other.value.code == "not-your-case"
    first = await dispatch(GenerateInjunctionRequest("c1", "acc"), ports)
    again = await dispatch(GenerateInjunctionRequest("c1", "acc"), ports)
    assert first == again
    renderer = ports.letters
    assert isinstance(renderer, FakeLetterRenderer)
    request = renderer.rendered[-1]
    assert request.kind is DocumentKind.INJUNCTION_REQUEST
    assert request.court == "Chambre commerciale du tribunal judiciaire"  # Metz, between traders
    assert fees(store)[-1] == ("c1:injunction_request", 1_000)
    assert [e.kind for e in store.events if isinstance(e, ev.LetterIssued)][-1] == "injunction_request"


async def test_filing_needs_a_signed_mandate_and_for_a_company_its_right_3(ports: RecoveryPorts) -> None:
    unsigned = replace(ports, mandates=FakeMandates())
    with pytest.raises(MandateRequired) as refused:
        await dispatch(FileCase("c1", CREDITOR, claim(), (proof(),)), unsigned)
    assert refused.value.code == "mandate-required"
    assert "/api/billing/profiles/me/mandate" in refused.value.detail
    for_company = Creditor("acc", company_id="732829320")
    with pytest.raises(MissingRight):
        await dispatch(FileCase("c2", for_company, claim(), (proof(),)), ports)
    rights = ports.rights
    assert isinstance(rights, FakeRights)
    rights.granted.add(("732829320", "acc", Right.HANDLE_COMPANY_REQUESTS))
    filed = await dispatch(FileCase("c2", for_company, claim(), (proof(),)), ports)
    assert filed.creditor.company_id == "732829320"


async def test_without_a_known_address_the_creditor_gives_one_with_the_filing(ports: RecoveryPorts) -> None:
    unknown = replace(ports, creditors=FakeCreditors())
    with pytest.raises(ClaimRefused) as refused:
        await dispatch(FileCase("c1", CREDITOR, claim(), (proof(),)), unknown)
    assert "creditor_address" in {v.field for v in refused.value.violations}
    given = claim(creditor_address=AddressInput(line1="5 avenue Foch", postcode="54000", city="Nancy"))
    case = await dispatch(FileCase("c1", CREDITOR, given, (proof(),)), unknown)
    assert case.claim.creditor_address is not None
    assert case.claim.creditor_address.department == "54"
