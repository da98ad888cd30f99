"""What every `CaseStore` promises, written once: the fake passes it here, and the Mongo adapter
will pass the same class in its service tests (subclass it and provide a `case_store` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recovery.domain import cases
from recovery.domain.cases import Case, Creditor
from recovery.domain.claims import accept_claim
from recovery.domain.jurisdiction import Office
from recovery.ports import CaseExists, CaseNotFound, CaseStore, StaleCase
from services.recovery.tests.builders import FILED_ON, claim

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = Office("metz-a", "Étude A", "Maître A", "1 rue A", "57000", "Metz", "57")


def new_case(case_id: str) -> cases.Decision:
    return cases.file_case(case_id, Creditor("acc"), accept_claim(claim(), FILED_ON), T0)


async def assigned(store: CaseStore, case_id: str) -> Case:
    case, events = new_case(case_id)
    await store.add(case, events)
    decision = cases.assign(case, OFFICE, T0)
    await store.save(decision.case, decision.events, expected_version=case.version)
    return decision.case


class CaseStoreContract:
    async def test_a_case_reads_back_as_written(self, case_store: CaseStore) -> None:
        case, events = new_case("k1")
        await case_store.add(case, events)
        assert await case_store.get("k1") == case
        with pytest.raises(CaseExists):
            await case_store.add(case, events)
        with pytest.raises(CaseNotFound):
            await case_store.get("k-none")

    async def test_a_save_over_a_stale_version_writes_nothing(self, case_store: CaseStore) -> None:
        case = await assigned(case_store, "k2")
        accepted = cases.accept(case, "metz-a", T0)
        with pytest.raises(StaleCase):
            await case_store.save(accepted.case, accepted.events, expected_version=case.version - 1)
        assert await case_store.get("k2") == case

    async def test_the_load_counts_open_cases_per_office(self, case_store: CaseStore) -> None:
        await assigned(case_store, "k3")
        closed = await assigned(case_store, "k4")
        withdrawn = cases.withdraw(closed, cases.Actor(cases.ActorKind.CREDITOR, "acc"), T0)
        await case_store.save(withdrawn.case, withdrawn.events, expected_version=closed.version)
        counts = await case_store.open_cases_by_office(["metz-a", "other"])
        assert counts.get("metz-a") == 1
        assert counts.get("other", 0) == 0

    async def test_a_due_case_is_claimed_once_until_saved_or_released(self, case_store: CaseStore) -> None:
        case = await assigned(case_store, "k5")
        assert case.due_at is not None
        assert await case_store.claim_due(case.due_at - timedelta(seconds=1)) is None
        claimed = await case_store.claim_due(case.due_at)
        assert claimed is not None
        assert claimed.case_id == "k5"
        assert await case_store.claim_due(case.due_at) is None  # held by the first claimer
        await case_store.release("k5", retry_at=case.due_at + timedelta(minutes=5))  # failed: later
        assert await case_store.claim_due(case.due_at + timedelta(minutes=4)) is None
        assert (await case_store.get("k5")).due_at == case.due_at  # the case's own deadline is unchanged
        assert await case_store.claim_due(case.due_at + timedelta(minutes=5)) is not None
        await case_store.release("k5")
        again = await case_store.claim_due(case.due_at + timedelta(minutes=5))
        assert again is not None
        decision = cases.advance(again, case.due_at, next_office=None)
        await case_store.save(decision.case, decision.events, expected_version=again.version)
        assert await case_store.claim_due(case.due_at + timedelta(days=400)) is None  # returned: no deadline
