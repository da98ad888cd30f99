"""Recovery's deadline sweep over 10,000 open cases, some due, against a bare scan of the same
collection, on the real Mongo-wire server in one run:

- the sweep: `AdvanceDueDeadlines` until nothing is due (each a lease claim by `due_at`, the
  transition, the fenced save with its events), here simplified-procedure cases whose month passed;
- an idle sweep pass (nothing due: one claim that finds nothing);
- the bare scan: reading every case of the collection once (what a sweep without the `due_at`
  query and index would at least cost per pass).

    python -m bench.recovery_sweep [MONGO_URL]   (or `python -m bench sweep`)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.stats import write_result
from chassis.clock import Clock
from chassis.leases import Leases
from chassis.mongo import ensure_indexes
from chassis.outbox import Outbox, outbox_indexes
from chassis.tokens import Tokens
from devstack.stack import Stack
from recovery.adapters.directory import FileDirectory
from recovery.adapters.letters import WeasyPrintRenderer
from recovery.adapters.links import TokenDebtorLinks
from recovery.adapters.postal import FolderPostalService
from recovery.bus.views import CreditorView, MandateView
from recovery.domain import cases
from recovery.domain.cases import Case, Creditor
from recovery.domain.claims import AddressInput, ClaimInput, DebtorInput, InvoiceInput, accept_claim
from recovery.handlers import AdvanceDueDeadlines, dispatch
from recovery.ports import RecoveryPorts
from recovery.store.cases import CASES, FENCE_FIELD, INDEXES, LEASE_FIELD, MongoCaseStore, state_of
from recovery.store.documents import GridFsDocumentStore
from recovery.store.sagas import SAGAS, MongoSagaStore

OPEN, DUE, ROUNDS = 10_000, 200, 10
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _simplified_case() -> Case:
    """A case in its simplified procedure (registered letter sent), built by the domain's transitions."""
    address = AddressInput("12 rue Serpenoise", "57000", "Metz")
    debtor = DebtorInput("legal", "Quincaillerie Lorraine SARL", address, "compta@x.example", siren="732829320")
    invoice = InvoiceInput("F-1", T0.date() - timedelta(days=60), T0.date() - timedelta(days=30), 120_000)
    claim = ClaimInput(debtor, "contract", (invoice,))
    office = FileDirectory()._offices["sample-metz-1"]
    case = cases.file_case("template", Creditor("acc"), accept_claim(claim, T0.date()), T0).case
    case = cases.assign(case, office, T0).case
    case = cases.accept(case, office.office_id, T0).case
    case = cases.start_amicable(case, "template.plain", T0, T0).case
    assert case.due_at is not None
    return cases.advance(case, case.due_at, letter_id="template.registered").case


def _ports(db: Any, clock: Clock, postal: Path, *, owner: str = "bench-deadlines") -> RecoveryPorts:
    ttl = timedelta(minutes=2)
    leases = Leases(db[CASES], owner=owner, clock=clock, ttl=ttl, version_field=FENCE_FIELD)
    saga_leases = Leases(db[SAGAS], owner=f"{owner}-saga", clock=clock, ttl=ttl, version_field=FENCE_FIELD)
    documents = GridFsDocumentStore(db)
    return RecoveryPorts(
        cases=MongoCaseStore(db, Outbox(clock), leases),
        directory=FileDirectory(),
        documents=documents,
        postal=FolderPostalService(postal, documents, clock),
        clock=clock,
        letters=WeasyPrintRenderer(),
        mandates=MandateView(db),
        creditors=CreditorView(db),
        rights=_NoRights(),
        links=TokenDebtorLinks(Tokens(db, clock=clock), "http://bench"),
        sagas=MongoSagaStore(db, saga_leases),
    )


class _NoRights:
    async def may(self, company_id: str, member_id: str, right: Any) -> bool:
        return False


async def seed(db: Any, open_cases: int, due: int) -> datetime:
    """`open_cases` simplified-procedure cases, `due` of them past their month; returns the month's end."""
    await ensure_indexes(db, [*INDEXES, *outbox_indexes(CASES)])
    template = _simplified_case()
    assert template.due_at is not None
    documents = []
    for i in range(open_cases):
        at = template.due_at if i % (open_cases // due) == 0 else template.due_at + timedelta(days=365)
        case = replace(template, case_id=f"k{i:05d}", due_at=at)
        documents.append({"_id": case.case_id, **state_of(case), LEASE_FIELD: None, FENCE_FIELD: 0})
    for start in range(0, open_cases, 1000):
        await db[CASES].insert_many(documents[start : start + 1000])
    return template.due_at


async def measure(mongo_url: str) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"bench_sweep_{uuid.uuid4().hex[:8]}"
    db = client[name]
    try:
        month_end = await seed(db, OPEN, DUE)
        clock = _Clock(month_end + timedelta(hours=1))
        with tempfile.TemporaryDirectory() as postal:
            ports = _ports(db, clock, Path(postal))
            began = time.perf_counter()
            swept = 0
            while await dispatch(AdvanceDueDeadlines(), ports) is not None:
                swept += 1
            sweep_s = time.perf_counter() - began
            began = time.perf_counter()
            for _ in range(ROUNDS):
                assert await dispatch(AdvanceDueDeadlines(), ports) is None
            idle_ms = (time.perf_counter() - began) / ROUNDS * 1000
        began = time.perf_counter()
        for _ in range(ROUNDS):
            scanned = len([doc async for doc in db[CASES].find({}, {"_outbox": 0})])
        scan_ms = (time.perf_counter() - began) / ROUNDS * 1000
        assert scanned == OPEN
        assert swept == DUE
        after = await db[CASES].count_documents({"phase": "injunction_available"})
        assert after == DUE, "every due case advanced once, none twice"
    finally:
        await client.drop_database(name)
        await client.close()
    return {
        "open_cases": OPEN,
        "due_cases": swept,
        "sweep_ms": round(sweep_s * 1000, 1),
        "sweep_ms_per_transition": round(sweep_s * 1000 / swept, 2),
        "idle_sweep_pass_ms": round(idle_ms, 2),
        "bare_scan_ms": round(scan_ms, 1),
        "sweep_to_scan_ratio": round(sweep_s * 1000 / scan_ms, 2),
        "idle_pass_to_scan_ratio": round(idle_ms / scan_ms, 4),
    }


async def bench_recovery_sweep(stack: Stack) -> dict[str, Any]:
    return await measure(stack.mongo_url)


if __name__ == "__main__":  # the same results file `python -m bench` writes
    write_result(
        "recovery_sweep", asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017"))
    )
