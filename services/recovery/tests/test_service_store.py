"""The Mongo adapters on the real local Mongo-wire server: the CaseStore contract, the outbox
written with the case, deadline claims between two instances (leases, fencing), GridFS documents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chassis.leases import Leases
from chassis.mongo import ensure_indexes
from chassis.outbox import Outbox
from devstack.stack import Stack
from recovery.bus.views import REVOKED, SIGNED, CreditorView, MandateView
from recovery.domain import cases
from recovery.domain.claims import PostalAddress
from recovery.ports import Mail, StaleCase
from recovery.store.cases import CASES, INDEXES, MongoCaseStore
from recovery.store.documents import INDEXES as DOCUMENT_INDEXES
from recovery.store.documents import GridFsDocumentStore
from services.recovery.tests.case_store_contract import OFFICE, T0, CaseStoreContract, assigned, new_case
from tests.clock import SettableClock

pytestmark = pytest.mark.infra
TTL = timedelta(seconds=30)


@pytest.fixture
async def db(stack: Stack) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"recovery_t_{uuid.uuid4().hex[:8]}"
    try:
        database = client[name]
        await ensure_indexes(database, [*INDEXES, *DOCUMENT_INDEXES])
        yield database
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(T0)


def instance(db: Any, clock: SettableClock, owner: str) -> MongoCaseStore:
    return MongoCaseStore(
        db, Outbox(clock), Leases(db[CASES], owner=owner, clock=clock, ttl=TTL, version_field="fence")
    )


class TestMongoCaseStore(CaseStoreContract):
    @pytest.fixture
    def case_store(self, db: Any, clock: SettableClock) -> MongoCaseStore:
        return instance(db, clock, "one")


async def test_a_save_writes_the_case_its_events_and_its_mail_in_one_document(db: Any, clock: SettableClock) -> None:
    store = instance(db, clock, "one")
    case, events = new_case("o1")
    await store.add(case, events)
    decision = cases.assign(case, OFFICE, T0)
    await store.save(decision.case, decision.events, expected_version=case.version, mails=[Mail("d@x.fr", "s", "t")])
    document = await db[CASES].find_one({"_id": "o1"})
    topics = [entry["topic"] for entry in document["_outbox"]]
    assert topics == [
        "creditdesk.recovery.case-filed.v1",
        "creditdesk.recovery.case-assigned.v1",
        "creditdesk.recovery.case-phase-changed.v1",
    ]
    assert [entry["key"] for entry in document["_courier"]] == ["d@x.fr"]
    assert document["due_at"] == decision.case.due_at
    assert document["open"] is True


async def test_two_instances_never_hold_one_due_case_and_a_lapsed_claim_is_fenced(
    db: Any, clock: SettableClock
) -> None:
    one, two = instance(db, clock, "one"), instance(db, clock, "two")
    case = await assigned(one, "o2")
    assert case.due_at is not None
    clock.at = case.due_at
    held = await one.claim_due(clock.now())
    assert held is not None
    assert await two.claim_due(clock.now()) is None
    clock.advance(seconds=TTL.total_seconds() + 1)  # `one` died: its lease lapses
    taken = await two.claim_due(clock.now())
    assert taken is not None
    late = cases.advance(held, clock.now(), next_office=None)
    with pytest.raises(StaleCase):  # the dead holder's write matches nothing (fencing)
        await one.save(late.case, late.events, expected_version=held.version)
    done = cases.advance(taken, clock.now(), next_office=None)
    await two.save(done.case, done.events, expected_version=taken.version)
    stored = await two.get("o2")
    assert stored.phase is cases.Phase.RETURNED
    assert [t.action for t in stored.timeline].count("returned") == 1


async def test_a_save_by_a_command_while_a_sweep_holds_the_case_wins_and_fences_the_sweep(
    db: Any, clock: SettableClock
) -> None:
    sweep, api = instance(db, clock, "sweep"), instance(db, clock, "api")
    case = await assigned(sweep, "o3")
    assert case.due_at is not None
    clock.at = case.due_at
    held = await sweep.claim_due(clock.now())
    assert held is not None
    accepted = cases.accept(case, OFFICE.office_id, clock.now())
    await api.save(accepted.case, accepted.events, expected_version=case.version)
    late = cases.advance(held, clock.now(), next_office=None)
    with pytest.raises(StaleCase):
        await sweep.save(late.case, late.events, expected_version=held.version)
    assert (await api.get("o3")).phase is cases.Phase.ACCEPTED


async def test_cases_are_listed_by_creditor_and_by_office(db: Any, clock: SettableClock) -> None:
    store = instance(db, clock, "one")
    await assigned(store, "o4")
    assert [c.case_id for c in await store.of_creditor("acc")] == ["o4"]
    assert [c.case_id for c in await store.of_office(OFFICE.office_id)] == ["o4"]
    assert await store.of_office("nobody") == []


async def test_documents_are_stored_with_their_sha256_and_read_back(db: Any) -> None:
    documents = GridFsDocumentStore(db)
    content = b"%PDF-1.7\n" + bytes(range(256)) * 1000
    stored = await documents.put(content, media_type="application/pdf", name="lettre.pdf")
    assert await documents.get(stored.document_id) == content
    assert stored.size == len(content)
    described = await documents.describe(stored.document_id)
    assert described == stored
    with pytest.raises(KeyError):
        await documents.get("missing")


async def test_datetimes_read_back_as_utc(db: Any, clock: SettableClock) -> None:
    store = instance(db, clock, "one")
    case = await assigned(store, "o5")
    back = await store.get("o5")
    assert back.filed_at.tzinfo is not None
    assert back.filed_at == case.filed_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_views_keep_the_newest_event_per_account(db: Any) -> None:
    mandates, creditors = MandateView(db), CreditorView(db)
    assert await mandates.signed("m1") is False
    assert await mandates.record("m1", SIGNED, T0, "RUM-1")
    assert await mandates.record("m1", REVOKED, T0 + timedelta(days=2), "RUM-1", "revoked")
    assert not await mandates.record("m1", SIGNED, T0 + timedelta(days=1), "RUM-1")  # late: ignored
    assert await mandates.signed("m1") is False
    await creditors.record_address("m1", PostalAddress("5 avenue Foch", "54000", "Nancy", "54"))
    assert await creditors.record("m1", T0, name="Dupont SAS", email="d@example.fr")
    assert await creditors.record("m1", T0 + timedelta(days=1), name="Dupont & Fils SAS", siren="552100554")
    assert not await creditors.record("m1", T0, name="Old name")
    known = await creditors.details("m1")
    assert known is not None
    assert (known.name, known.email, known.siren) == ("Dupont & Fils SAS", "d@example.fr", "552100554")
    assert known.address is not None
    assert known.address.department == "54"
    assert await creditors.details("nobody") is None
