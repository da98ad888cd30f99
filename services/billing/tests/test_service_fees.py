"""Recovery's fees collected by SEPA Core direct debit, on the real local Kafka, Mongo server and
SMTP sink: `FeeIncurred` published on Kafka (twice) -> one fee in the creditor's ledger -> a
collection pre-notified by mail 14 days ahead -> the next batch file (valid against sepaxml's
pain.008 XSD) holds it as FRST, the next one as RCUR; a batch produced again is the same file;
a mandate unused for 36 months lapses with `MandateRevoked`. Time is a settable clock."""

from __future__ import annotations

import asyncio
import email
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from email.message import Message

import pytest

from billing.adapters.pain008 import compiled_schema
from billing.domain.bank import BankDetails, Civility
from billing.domain.profiles import BillingProfile, ProfileStatus
from billing.handlers import onboarding
from billing.handlers.fees import plan_collections
from billing.handlers.mandates import lapse_unused_mandates
from billing.handlers.sepa_batches import produce_batch
from chassis.errors import Conflict
from contracts import Envelope, PersonKind
from contracts.events.billing import MandateRevoked
from contracts.events.recovery import FeeIncurred
from devstack.stack import Stack
from services.billing.tests.service_app import BillingApp, billing_app
from tests.e2e.helpers import find_event
from tests.polling import eventually

pytestmark = pytest.mark.infra
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
START = datetime(2026, 12, 2, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
async def service(stack: Stack) -> AsyncIterator[BillingApp]:
    async with billing_app(stack, "billing_f", START, fee_collection_scheduler_enabled=False) as started:
        yield started


async def creditor_with_mandate(h: BillingApp) -> tuple[str, str]:
    account_id = f"acc-{uuid.uuid4().hex[:10]}"
    mail_to = f"creditor-{uuid.uuid4().hex[:8]}@example.org"
    await h.billing.profiles.add_if_absent(
        BillingProfile(
            account_id,
            mail_to,
            PersonKind.NATURAL,
            "Jeanne Martin",
            None,
            ProfileStatus.AWAITING_ONBOARDING,
            h.clock.now(),
            "e-1",
        )
    )
    await onboarding.give_bank_details(
        h.billing, account_id, BankDetails("FR1420041010050500013M02606", "PSSTFRPPXXX", "Jeanne Martin", Civility.MRS)
    )
    await onboarding.accept_terms(h.billing, account_id, h.billing.settings.terms_version)
    await onboarding.decide_mandate(h.billing, account_id, sign=True)
    return account_id, mail_to


async def publish_fee(h: BillingApp, creditor_id: str, step: str, amount_cents: int, *, times: int = 1) -> str:
    case_id = f"case_{uuid.uuid4().hex[:10]}"
    event = FeeIncurred(
        fee_id=f"{case_id}:{step}",
        case_id=case_id,
        creditor_id=creditor_id,
        step=step,
        amount_cents=amount_cents,
        incurred_at=h.clock.now(),
    )
    for _ in range(times):  # each time a new envelope: the fee_id, not the event id, makes it once
        envelope = Envelope.wrap(event, occurred_at=h.clock.now())
        await h.broker.publish(envelope.to_bytes(), topic=FeeIncurred.topic, key=envelope.subject.encode())
    return event.fee_id


async def ledger_holds(h: BillingApp, creditor_id: str, count: int) -> None:
    async def holds() -> bool:
        ledger = await h.fees.ledgers.get(creditor_id)
        return ledger is not None and len(ledger.fees) >= count

    await eventually(holds, timeout=60)


def mails_to(stack: Stack, address: str) -> list[Message]:
    found = []
    for path in sorted(stack.config.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        if address in str(message["To"]):
            found.append(message)
    return found


def text_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def transactions(xml: bytes) -> list[tuple[str, str, str, str]]:
    """(sequence, requested date, end-to-end id, amount) of every transaction."""
    root = ET.fromstring(xml)
    rows = []
    for info in root.iterfind("p:CstmrDrctDbtInitn/p:PmtInf", NS):
        sequence = info.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) or ""
        on = info.findtext("p:ReqdColltnDt", namespaces=NS) or ""
        for tx in info.iterfind("p:DrctDbtTxInf", NS):
            rows.append(
                (
                    sequence,
                    on,
                    tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS) or "",
                    tx.findtext("p:InstdAmt", namespaces=NS) or "",
                )
            )
    return rows


async def test_fees_from_kafka_are_pre_notified_then_collected_frst_then_rcur(service: BillingApp) -> None:
    h = service
    h.clock.at = START
    creditor_id, mail_to = await creditor_with_mandate(h)
    first = await publish_fee(h, creditor_id, "filing", 1500, times=2)
    second = await publish_fee(h, creditor_id, "amicable_letter", 990)
    await ledger_holds(h, creditor_id, 2)

    produced = await produce_batch(h.fees)
    assert produced.created
    batch = produced.batch
    assert batch.collection_on == date(2026, 12, 16)  # 14 calendar days after the pre-notification
    compiled_schema("pain.008.001.02").validate(batch.xml.decode())
    ledger = await h.fees.ledgers.get(creditor_id)
    assert ledger is not None
    assert sorted(fee.fee_id for fee in ledger.fees) == sorted([first, second])  # delivered twice, recorded once
    [collection] = [c for c in ledger.collections if c.batch_id == batch.batch_id]
    assert (collection.sequence, collection.amount_cents) == ("FRST", 2490)
    assert ("FRST", "2026-12-16", collection.collection_id, "24.90") in transactions(batch.xml)
    assert {fee.fee_id for fee in batch.fees} >= {first, second}

    [notice] = await eventually(lambda: asyncio.sleep(0, mails_to(h.stack, mail_to)), timeout=60)
    assert collection.collection_on - collection.prenotified_at.date() >= timedelta(days=14)
    text = text_of(notice)
    assert "24.90 EUR" in text
    assert "16/12/2026" in text
    assert collection.mandate_reference in text

    again = await produce_batch(h.fees, batch.collection_on)
    assert not again.created
    assert again.batch.xml == batch.xml  # the same file, byte for byte

    h.clock.advance(days=1)
    third = await publish_fee(h, creditor_id, "registered_letter", 2500)
    await ledger_holds(h, creditor_id, 3)
    following = (await produce_batch(h.fees)).batch
    assert following.collection_on == date(2026, 12, 17)
    compiled_schema("pain.008.001.02").validate(following.xml.decode())
    rows = [row for row in transactions(following.xml) if row[3] == "25.00"]
    assert [row[0] for row in rows] == ["RCUR"]
    assert [fee.fee_id for fee in following.fees if fee.creditor_id == creditor_id] == [third]
    # No fee in two batches.
    assert not {fee.fee_id for fee in following.fees} & {fee.fee_id for fee in batch.fees}


async def test_a_mandate_unused_for_36_months_lapses_and_its_fees_wait(service: BillingApp) -> None:
    h = service
    h.clock.at = START
    creditor_id, _ = await creditor_with_mandate(h)
    h.clock.at = START + timedelta(days=3 * 366)
    assert await lapse_unused_mandates(h.fees) >= 1
    found = await h.billing.onboarding.get(creditor_id)
    assert found is not None
    mandate = found[0].mandate
    assert mandate is not None
    assert (mandate.status.value, mandate.revoked_reason) == ("revoked", "lapsed")
    revoked = await find_event(
        h.stack, MandateRevoked.topic, lambda envelope: envelope.subject == creditor_id, timeout=60
    )
    assert (revoked.payload["reason"], revoked.payload["mandate_reference"]) == ("lapsed", mandate.reference)
    await publish_fee(h, creditor_id, "filing", 1500)
    await ledger_holds(h, creditor_id, 1)
    report = await plan_collections(h.fees)
    assert report.waiting >= 1
    ledger = await h.fees.ledgers.get(creditor_id)
    assert ledger is not None
    assert ledger.collections == ()  # nothing collected under a lapsed mandate


async def test_two_producers_at_once_never_put_a_fee_in_two_batches(service: BillingApp) -> None:
    h = service
    h.clock.at = START + timedelta(days=40)  # after the other tests' batches
    creditors = [await creditor_with_mandate(h) for _ in range(3)]
    fee_ids = [await publish_fee(h, creditor_id, "filing", 1000 + i) for i, (creditor_id, _) in enumerate(creditors)]
    for creditor_id, _ in creditors:
        await ledger_holds(h, creditor_id, 1)
    await plan_collections(h.fees)
    on = h.clock.now().date() + timedelta(days=14)

    outcomes = await asyncio.gather(produce_batch(h.fees, on), produce_batch(h.fees, on), return_exceptions=True)
    produced = [o for o in outcomes if not isinstance(o, BaseException)]
    assert produced, outcomes
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, Conflict), outcome  # the other one was producing it
    files = {p.batch.xml for p in produced}
    assert len(files) == 1  # one file for the date, whoever asked
    batch = (await produce_batch(h.fees, on)).batch
    assert batch.xml in files
    held = [fee.fee_id for fee in batch.fees]
    assert sorted(held) == sorted(set(held))
    assert set(fee_ids) <= set(held)
    for creditor_id, _ in creditors:
        ledger = await h.fees.ledgers.get(creditor_id)
        assert ledger is not None
        assert [c.batch_id for c in ledger.collections] == [batch.batch_id]


async def test_a_producer_dead_half_way_is_completed_by_the_next(service: BillingApp) -> None:
    """A producer marks a ledger's collection for the batch and dies before writing the file: once its
    leases lapse, the next producer takes the batch over and its file holds that collection too."""
    from billing.domain.fees import batch_due, batch_id_for
    from billing.store.fees import FEE_LEDGERS, SEPA_BATCHES, BatchMongo, FeeLedgerMongo
    from chassis.crypto import FieldCipher
    from chassis.leases import Leases

    h = service
    h.clock.at = START + timedelta(days=80)
    creditor_id, _ = await creditor_with_mandate(h)
    fee_id = await publish_fee(h, creditor_id, "filing", 4321)
    await ledger_holds(h, creditor_id, 1)
    await plan_collections(h.fees)
    on = h.clock.now().date() + timedelta(days=14)
    ttl = timedelta(seconds=30)
    dead_ledgers = FeeLedgerMongo(h.db, Leases(h.db[FEE_LEDGERS], owner="dead", clock=h.clock, ttl=ttl))
    cipher = FieldCipher.for_development("billing-fields")
    dead_batches = BatchMongo(h.db, Leases(h.db[SEPA_BATCHES], owner="dead", clock=h.clock, ttl=ttl), cipher)
    batch_id = batch_id_for(on)
    assert await dead_batches.open(batch_id, on, now=h.clock.now()) is not None
    held = await dead_ledgers.claim_due(on)
    assert held is not None
    assert held.ledger.creditor_id == creditor_id  # the only ledger with a collection still to batch
    found = await h.billing.onboarding.get(held.ledger.creditor_id)
    assert found is not None
    marked, batched = batch_due(held.ledger, found[0].mandate, batch_id=batch_id, on=on)
    assert batched
    assert await dead_ledgers.save_batched(held, marked, plan_again_at=None)
    # ...and the producer dies here, holding the batch.
    with pytest.raises(Conflict):
        await produce_batch(h.fees, on)
    h.clock.advance(seconds=31)
    batch = (await produce_batch(h.fees, on)).batch
    assert fee_id in [fee.fee_id for fee in batch.fees]
    assert [line.amount_cents for line in batch.lines if line.creditor_id == creditor_id] == [4321]


async def test_the_fee_collection_job_started_with_the_app_plans_and_mails(stack: Stack) -> None:
    async with billing_app(stack, "billing_fj", START, fee_collection_interval_seconds=0.2) as h:
        creditor_id, mail_to = await creditor_with_mandate(h)
        await publish_fee(h, creditor_id, "injunction_request", 3300)

        async def planned() -> bool:
            ledger = await h.fees.ledgers.get(creditor_id)
            return ledger is not None and len(ledger.collections) == 1

        await eventually(planned, timeout=60)  # nobody called plan_collections: the job did
        [notice] = await eventually(lambda: asyncio.sleep(0, mails_to(stack, mail_to)), timeout=60)
        assert "33.00 EUR" in text_of(notice)
