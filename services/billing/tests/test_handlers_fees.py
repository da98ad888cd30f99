"""The fee collection's handlers over in-memory fakes of their ports (no broker, no database):
a fee once per fee_id, pre-notified collections 14 days ahead, FRST then RCUR, one batch per fee,
the same file when produced again, revocation and the 36-month lapse."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from billing.adapters.pain008 import SUPPORTED, Pain008Writer, compiled_schema
from billing.domain.bank import BankDetails, Civility, MandateStatus
from billing.domain.fees import BatchLine, CollectionStatus, Fee, FeeError, SepaCreditor, collection_date
from billing.domain.onboarding import Onboarding, accept_terms, decide_mandate, give_bank_details
from billing.domain.profiles import BillingProfile, ProfileStatus
from billing.handlers.fees import plan_collections, record_fee
from billing.handlers.mandates import lapse_unused_mandates, revoke
from billing.handlers.sepa_batches import produce_batch, require_batch_role
from billing.ports import Fees, HeldLedger, SaveOutcome
from chassis.errors import Conflict, NotFound, Problem
from contracts import PersonKind
from contracts.events.billing import MandateRevoked
from contracts.events.recovery import FeeIncurred
from services.billing.tests.fakes import FakeBatches, FakeLedgers, FakeOnboardings, FakeProfiles
from tests.clock import SettableClock

START = datetime(2026, 12, 2, 9, tzinfo=UTC)
CREDITOR = SepaCreditor("FR72ZZZ123456", "creditdesk SAS", "FR7630006000011234567890189", "AGRIFRPPXXX")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


@dataclass
class World:
    fees: Fees
    ledgers: FakeLedgers
    batches: FakeBatches
    onboardings: FakeOnboardings
    profiles: FakeProfiles
    clock: SettableClock


@pytest.fixture
def world() -> World:
    ledgers, batches, onboardings, profiles = FakeLedgers(), FakeBatches(), FakeOnboardings(), FakeProfiles()
    clock = SettableClock(START)
    fees = Fees(ledgers, batches, onboardings, profiles, Pain008Writer(CREDITOR), CREDITOR, clock)
    return World(fees, ledgers, batches, onboardings, profiles, clock)


def creditor(w: World, account_id: str = "acc-1", *, sign: bool = True) -> str:
    onboarding = give_bank_details(
        Onboarding(),
        BankDetails("FR1420041010050500013M02606", "PSSTFRPPXXX", "Jeanne Martin", Civility.MRS),
        now=START,
    )
    onboarding = accept_terms(onboarding, "2026-01", "2026-01", now=START)
    if sign:
        onboarding = decide_mandate(
            onboarding, sign=True, account_id=account_id, creditor_identifier=CREDITOR.identifier, now=w.clock.now()
        )
    w.onboardings.docs[account_id] = (onboarding, 1)
    w.profiles.docs[account_id] = BillingProfile(
        account_id,
        f"{account_id}@example.org",
        PersonKind.NATURAL,
        "Jeanne Martin",
        None,
        ProfileStatus.ACTIVE,
        START,
        "e",
    )
    return account_id


def fee(w: World, creditor_id: str, step: str, cents: int, case: str = "case_1") -> FeeIncurred:
    return FeeIncurred(
        fee_id=f"{case}:{step}",
        case_id=case,
        creditor_id=creditor_id,
        step=step,
        amount_cents=cents,
        incurred_at=w.clock.now(),
    )


def sequences(xml: bytes) -> list[tuple[str, str]]:
    root = ET.fromstring(xml)
    return [
        (info.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) or "", tx.findtext("p:InstdAmt", namespaces=NS) or "")
        for info in root.iterfind("p:CstmrDrctDbtInitn/p:PmtInf", NS)
        for tx in info.iterfind("p:DrctDbtTxInf", NS)
    ]


async def test_a_fee_delivered_twice_is_recorded_once(world: World) -> None:
    w = world
    event = fee(w, creditor(w), "filing", 1500)
    assert await record_fee(w.ledgers, w.clock, event)
    assert not await record_fee(w.ledgers, w.clock, event)
    ledger = await w.ledgers.get("acc-1")
    assert ledger is not None
    assert [f.fee_id for f in ledger.fees] == ["case_1:filing"]


async def test_pending_fees_become_one_collection_pre_notified_14_days_ahead(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "amicable_letter", 990))
    report = await plan_collections(w.fees)
    assert report.planned == 1
    ledger = await w.ledgers.get("acc-1")
    assert ledger is not None
    [collection] = ledger.collections
    assert collection.collection_on == date(2026, 12, 16)
    assert (collection.sequence, collection.amount_cents, len(collection.fee_ids)) == ("FRST", 2490, 2)
    [mail] = w.ledgers.mails()
    assert mail.to == "acc-1@example.org"
    assert "24.90 EUR" in mail.text
    assert "16/12/2026" in mail.text
    assert collection.mandate_reference in mail.text
    assert CREDITOR.identifier in mail.text
    assert ledger.pending == ()
    assert (await plan_collections(w.fees)).planned == 0  # nothing pending: no second collection, no mail
    assert len(w.ledgers.mails()) == 1


async def test_fees_wait_for_a_signed_mandate(world: World) -> None:
    w = world
    creditor(w, sign=False)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    report = await plan_collections(w.fees)
    assert (report.planned, report.waiting) == (0, 1)
    assert w.ledgers.mails() == []
    onboarding, version = w.onboardings.docs["acc-1"]
    signed = decide_mandate(onboarding, sign=True, account_id="acc-1", creditor_identifier="X", now=START)
    w.onboardings.docs["acc-1"] = (signed, version)
    assert (await plan_collections(w.fees)).planned == 0  # looked at again after `replan_after` only
    w.clock.advance(hours=1)
    assert (await plan_collections(w.fees)).planned == 1


async def test_a_fee_recorded_while_planning_is_planned_too(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    real_save = w.ledgers.save_planned
    late = fee(w, "acc-1", "amicable_letter", 990)

    async def save_after_a_fee_arrives(held: HeldLedger, *args: object, **kwargs: object) -> SaveOutcome:
        if len(w.ledgers.docs["acc-1"].ledger.fees) == 1:
            await record_fee(w.ledgers, w.clock, late)
        return await real_save(held, *args, **kwargs)  # type: ignore[arg-type]

    w.ledgers.save_planned = save_after_a_fee_arrives  # type: ignore[method-assign]
    assert (await plan_collections(w.fees)).planned == 1
    ledger = await w.ledgers.get("acc-1")
    assert ledger is not None
    [collection] = ledger.collections
    assert collection.amount_cents == 2490


async def test_the_next_batch_holds_frst_then_rcur_and_no_fee_twice(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    first = await produce_batch(w.fees)
    assert first.created
    assert first.batch.collection_on == date(2026, 12, 16)
    assert sequences(first.batch.xml) == [("FRST", "15.00")]
    assert [f.fee_id for f in first.batch.fees] == ["case_1:filing"]

    again = await produce_batch(w.fees, date(2026, 12, 16))
    assert not again.created
    assert again.batch.xml == first.batch.xml
    assert (await produce_batch(w.fees)).batch.xml == first.batch.xml  # nothing new: the next batch is that one

    w.clock.advance(days=1)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "registered_letter", 2500))
    second = await produce_batch(w.fees)
    assert second.batch.collection_on == date(2026, 12, 17)
    assert sequences(second.batch.xml) == [("RCUR", "25.00")]
    assert [f.fee_id for f in second.batch.fees] == ["case_1:registered_letter"]


async def test_a_collection_is_not_due_before_its_date(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    with pytest.raises(NotFound) as caught:
        await produce_batch(w.fees, date(2026, 12, 15))  # pre-notified for the 16th
    assert caught.value.code == "nothing-to-collect"
    with pytest.raises(Problem) as past:
        await produce_batch(w.fees, date(2026, 12, 1))
    assert past.value.status == 422


async def test_a_batch_being_produced_elsewhere_is_a_409(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    await w.batches.open("CDFEES-20261216", date(2026, 12, 16), now=START)
    with pytest.raises(Conflict) as caught:
        await produce_batch(w.fees, date(2026, 12, 16))
    assert caught.value.code == "batch-being-produced"


async def test_a_revoked_mandate_emits_the_event_and_its_collection_is_cancelled(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    await plan_collections(w.fees)
    revoked = await revoke(w.fees, "acc-1")
    assert revoked.mandate is not None
    assert revoked.mandate.status is MandateStatus.REVOKED
    [(subject, event)] = w.onboardings.events
    assert isinstance(event, MandateRevoked)
    assert (subject, event.reason) == ("acc-1", "revoked")
    with pytest.raises(NotFound):
        await produce_batch(w.fees, date(2026, 12, 16))
    ledger = await w.ledgers.get("acc-1")
    assert ledger is not None
    assert [c.status for c in ledger.collections] == [CollectionStatus.CANCELLED]
    assert [f.fee_id for f in ledger.pending] == ["case_1:filing"]  # waits for a new mandate
    with pytest.raises(Problem) as twice:
        await revoke(w.fees, "acc-1")
    assert twice.value.status == 409


async def test_a_mandate_unused_for_36_months_lapses(world: World) -> None:
    w = world
    creditor(w)
    w.clock.at = datetime(2029, 12, 1, 9, tzinfo=UTC)  # one day short of 36 months after the signature
    assert await lapse_unused_mandates(w.fees) == 0
    w.clock.at = datetime(2029, 12, 2, 9, tzinfo=UTC)
    assert await lapse_unused_mandates(w.fees) == 1
    [(_, event)] = w.onboardings.events
    assert isinstance(event, MandateRevoked)
    assert event.reason == "lapsed"
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    assert (await plan_collections(w.fees)).waiting == 1  # nothing collected under a lapsed mandate


async def test_a_collection_counts_as_use_of_the_mandate(world: World) -> None:
    w = world
    creditor(w)
    await record_fee(w.ledgers, w.clock, fee(w, "acc-1", "filing", 1500))
    await produce_batch(w.fees)  # collected on 2026-12-16
    w.clock.at = datetime(2029, 12, 10, 9, tzinfo=UTC)  # 36 months after the signature, not after the use
    assert await lapse_unused_mandates(w.fees) == 0
    w.clock.at = datetime(2029, 12, 16, 9, tzinfo=UTC)
    assert await lapse_unused_mandates(w.fees) == 1


@pytest.mark.parametrize("schema", SUPPORTED)
def test_the_batch_file_is_valid_against_its_xsd(schema: str) -> None:
    lines = [
        BatchLine(
            "COL-1", "acc-1", 1234, "FRST", "CD-ACC1-001", date(2026, 1, 2), "Jérôme Dupont",
            "FR1420041010050500013M02606", "PSSTFRPPXXX", "frais", ("f1",),
        ),
        BatchLine(
            "COL-2", "acc-2", 999, "RCUR", "CD-ACC2-001", date(2025, 1, 2), "Société Éa",
            "FR1420041010050500013M02606", "PSSTFRPPXXX", "frais", ("f2",),
        ),
    ]  # fmt: skip
    writer = Pain008Writer(CREDITOR, schema)
    xml = writer.render(lines, batch_id="CDFEES-20261216", on=date(2026, 12, 16), created_at=START)
    compiled_schema(schema).validate(xml.decode())
    assert writer.render(lines, batch_id="CDFEES-20261216", on=date(2026, 12, 16), created_at=START) == xml
    text = xml.decode()
    assert "<MsgId>CDFEES-20261216</MsgId>" in text
    assert "<CtrlSum>22.33</CtrlSum>" in text  # integer cents in, two decimals out
    assert "<PmtInfId>CDFEES-20261216-FRST</PmtInfId>" in text
    with pytest.raises(ValueError, match="at least one"):
        writer.render([], batch_id="x", on=date(2026, 12, 16), created_at=START)


def test_a_pre_notification_period_under_14_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 14"):
        collection_date(date(2026, 12, 2), notice_days=13)
    assert collection_date(date(2026, 12, 2), notice_days=14, not_before=date(2026, 12, 20)) == date(2026, 12, 20)


def test_a_fee_is_a_positive_amount() -> None:
    with pytest.raises(FeeError):
        Fee("case_1:filing", "case_1", "acc-1", "filing", 0, START)


def test_only_support_or_an_operator_handle_the_batch_files(world: World) -> None:
    from chassis.auth import Caller

    with pytest.raises(Problem) as refused:
        require_batch_role(world.fees, Caller("acc-1", "c@example.fr", ("merchant",), {}))
    assert (refused.value.status, refused.value.code) == (403, "missing-role")
    assert "support, operator" in refused.value.detail
    for role in ("support", "operator"):
        require_batch_role(world.fees, Caller("staff", "s@creditdesk.dev", (role,), {}))
