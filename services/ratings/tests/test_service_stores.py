"""Ratings' MongoDB adapters on the real Mongo-wire server: the promises the in-memory fakes make
(a write with its events, a stale save refused, one claim at a time, a late holder fenced off,
secrets sealed at rest)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stdnum import luhn

from chassis.crypto import FieldCipher, new_key_entry
from chassis.leases import Leases
from chassis.outbox import Outbox
from ratings.domain import checks, portfolios
from ratings.domain.alerts import Alert
from ratings.domain.checks import CompanyOutcome, Outcome
from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import CreditFile, Money, Trends, change_between
from ratings.domain.history import MonthlyPoint
from ratings.domain.legacy import LegacyImport, LegacyPortfolio
from ratings.domain.portfolios import EntryState
from ratings.ports import AlreadyExists, CompanyRecord, NotFound, ProviderCredentials, StaleWrite
from ratings.store.accounts import MongoProviderAccounts
from ratings.store.files import COMPANIES, MongoCreditFiles
from ratings.store.jobs import JOBS, MongoJobs
from ratings.store.legacy import MongoLegacy
from ratings.store.portfolios import PORTFOLIOS, MongoPortfolios
from tests.clock import SettableClock

pytestmark = pytest.mark.infra


def siren(n: int) -> CompanyId:
    body = f"{n:08d}"
    return CompanyId.parse("FR", body + luhn.calc_check_digit(body))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def leases(db: Any, collection: str, clock: SettableClock, owner: str) -> Leases:
    return Leases(db[collection], owner=owner, clock=clock, ttl=timedelta(seconds=30))


def a_file(company: CompanyId, score: int, at: datetime) -> CreditFile:
    return CreditFile(company.key, "local", str(score), score, Money(500_000, "GBP"), 40, Trends(), None, at)


def outbox_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(e["value"]) for e in document.get("_outbox", [])]


async def test_a_credit_file_is_saved_with_its_rating_updated_and_a_stale_save_is_refused(
    db: Any, clock: SettableClock
) -> None:
    store = MongoCreditFiles(db, Outbox(clock))
    company = CompanyId.parse("GB", "01234567")
    first = CompanyRecord(
        company,
        "British Ltd",
        file=a_file(company, 80, clock.now()),
        history=(MonthlyPoint(clock.now().date().replace(day=1), 80, 500_000),),
    )
    saved = await store.save(first, None, expected_version=0)
    assert saved.version == 1
    with pytest.raises(StaleWrite):
        await store.save(first, None, expected_version=0)
    loaded = await store.get(company)
    assert loaded == saved
    assert await store.get_many([company, siren(5)]) == {company: saved}  # the stored ones only
    changed = CompanyRecord(**{**saved.__dict__, "file": a_file(company, 45, clock.now())})
    change = change_between(saved.file, changed.file)  # type: ignore[arg-type]
    await store.save(changed, change, expected_version=1)
    with pytest.raises(StaleWrite):
        await store.save(changed, change, expected_version=1)
    raw = await db[COMPANIES].find_one({"_id": company.key})
    events = outbox_of(raw)
    assert [e["type"] for e in events] == ["RatingUpdated"]
    assert events[0]["version"] == 2
    payload = events[0]["payload"]
    assert (payload["country"], payload["currency"], payload["rating"], payload["previous_rating"]) == (
        "GB",
        "GBP",
        "C",
        "A",
    )


async def test_portfolios_keep_their_revision_apart_from_the_monitoring_lease(db: Any, clock: SettableClock) -> None:
    store = MongoPortfolios(db, Outbox(clock), leases(db, PORTFOLIOS, clock, "a"), timedelta(hours=24))
    other = MongoPortfolios(db, Outbox(clock), leases(db, PORTFOLIOS, clock, "b"), timedelta(hours=24))
    made = portfolios.create("p1", "Watch", "u1", "local")
    added = portfolios.add_companies(made.portfolio, [siren(1), siren(2)], {siren(1): "ACME"})
    await store.add(added.portfolio, [*made.events, *added.events])
    with pytest.raises(AlreadyExists):
        await store.add(added.portfolio, made.events)
    loaded = await store.get("p1")
    assert loaded.companies == (siren(1), siren(2))
    assert loaded.entries[0].name == "ACME"
    assert await store.claim_due(clock.now()) is None  # due a cadence after its creation
    clock.advance(hours=25)
    claimed = await store.claim_due(clock.now())
    assert claimed is not None
    assert await other.claim_due(clock.now()) is None  # one holder at a time
    renamed = portfolios.rename(loaded, "Renamed")
    saved = await store.save(
        renamed.portfolio, renamed.events, expected_version=loaded.version
    )  # the claim does not make it stale
    with pytest.raises(StaleWrite):
        await store.save(renamed.portfolio, renamed.events, expected_version=loaded.version)
    assert await store.monitoring_scheduled("p1", clock.now() + timedelta(hours=24))
    assert await other.claim_due(clock.now()) is None
    entry = saved.entries[1].refreshed(a_file(siren(2), 30, clock.now()), new_event=True)
    alert = Alert("al-1", "u1", "p1", "Renamed", siren(2), "", "rating_changed", "t", "b", "A", "C", clock.now())
    assert await store.record_entry("p1", entry, [alert])
    stored = await store.get("p1")
    assert stored.entries[1].state is EntryState.NEW_EVENTS
    assert stored.entries[0].name == "ACME"  # the other entry untouched
    assert stored.name == "Renamed"
    assert not await store.record_entry("p1", entry.__class__(siren(9)), [])
    await store.delete(stored, portfolios.delete(stored), expected_version=stored.version)
    with pytest.raises(NotFound):
        await store.get("p1")
    raw = await db[PORTFOLIOS].find_one({"_id": "p1"})
    kinds = [(e["type"], e["payload"].get("change")) for e in outbox_of(raw)]
    assert kinds == [
        ("PortfolioChanged", "created"),
        ("PortfolioChanged", "companies-added"),
        ("PortfolioChanged", "renamed"),
        ("AlertRaised", None),
        ("PortfolioChanged", "deleted"),
    ]
    assert "expires_at" in raw


async def test_visible_portfolios_are_the_callers_and_those_of_their_spaces(db: Any, clock: SettableClock) -> None:
    store = MongoPortfolios(db, Outbox(clock), leases(db, PORTFOLIOS, clock, "a"), timedelta(hours=24))
    await store.add(portfolios.create("p1", "Mine", "u1", "local").portfolio, [])
    await store.add(portfolios.create("p2", "Shared", "u2", "local", company_space="123456789").portfolio, [])
    await store.add(portfolios.create("p3", "Theirs", "u2", "local").portfolio, [])
    assert [p.portfolio_id for p in await store.visible_to("u1", [])] == ["p1"]
    assert [p.portfolio_id for p in await store.visible_to("u1", ["123456789"])] == ["p1", "p2"]


async def test_a_job_is_held_by_one_runner_and_a_late_holder_writes_nothing(db: Any, clock: SettableClock) -> None:
    first = MongoJobs(db, leases(db, JOBS, clock, "runner-1"))
    second = MongoJobs(db, leases(db, JOBS, clock, "runner-2"))
    job = checks.start("j1", "p1", (siren(1), siren(2)), "u1", alert_on_new_event=True, now=clock.now())
    assert await first.add(job)
    assert not await first.add(job)
    held = await first.claim()
    assert held is not None
    assert await second.claim() is None
    assert await first.record(held, [(0, CompanyOutcome(siren(1), Outcome.UNCHANGED))])
    assert (await first.running_for("p1")) is not None
    clock.advance(seconds=31)  # runner-1 died: its lease lapsed
    taken = await second.claim()
    assert taken is not None
    assert taken.pending == (siren(2),)  # resumes with what is left
    assert not await first.record(held, [(1, CompanyOutcome(siren(2), Outcome.FAILED, "late"))])
    finished = checks.record(taken, siren(2), Outcome.NEW_EVENTS, "rating", now=clock.now())
    assert await second.record(taken, [(1, CompanyOutcome(siren(2), Outcome.NEW_EVENTS, "rating"))])
    assert await second.finish(finished)
    stored = await second.get("j1")
    assert stored.state.value == "done"
    assert [o.outcome for o in stored.outcomes] == [Outcome.UNCHANGED, Outcome.NEW_EVENTS]
    assert await second.running_for("p1") is None
    assert await second.claim() is None


async def test_provider_passwords_are_sealed_at_rest(db: Any, clock: SettableClock) -> None:
    cipher = FieldCipher.from_setting(new_key_entry("r1"))
    store = MongoProviderAccounts(db, cipher)
    await store.put("u1", ProviderCredentials("me@example.fr", "s3cret-pw"), clock.now())
    raw = await db["provider_accounts"].find_one({"_id": "u1"})
    assert "s3cret-pw" not in repr(raw)
    assert raw["password"].startswith("enc:v1:r1:")
    assert await store.get("u1") == ProviderCredentials("me@example.fr", "s3cret-pw")
    assert await store.connected_at("u1") == clock.now()
    assert await store.remove("u1")
    assert await store.get("u1") is None


async def test_legacy_imports_and_migrations_round_trip(db: Any, clock: SettableClock) -> None:
    store = MongoLegacy(db)
    record = LegacyImport(
        "L-1", (LegacyPortfolio("Ancien", (siren(1),), ("ACME",), False, True, clock.now()),), clock.now()
    )
    await store.put(record)
    assert await store.get("L-1") == record
    await store.record_migration("L-1", "acct-1", clock.now())
    await store.record_migration("L-1", "acct-2", clock.now())  # the first migration stays
    assert await store.migrated_to("L-1") == "acct-1"


async def test_entries_are_written_by_position_only_while_the_revision_holds(db: Any, clock: SettableClock) -> None:
    store = MongoPortfolios(db, Outbox(clock), leases(db, PORTFOLIOS, clock, "a"), timedelta(hours=24))
    made = portfolios.create("p1", "Watch", "u1", "local")
    added = portfolios.add_companies(made.portfolio, [siren(1), siren(2), siren(3)])
    await store.add(added.portfolio, [])
    loaded = await store.get("p1")
    failed = [(0, loaded.entries[0].failed()), (2, loaded.entries[2].failed())]
    assert await store.record_entries("p1", loaded.version, failed, [])
    states = [e.state for e in (await store.get("p1")).entries]
    assert states == [EntryState.SYNC_FAILED, EntryState.UP_TO_DATE, EntryState.SYNC_FAILED]
    removed = portfolios.remove_companies(loaded, [siren(1)])
    await store.save(removed.portfolio, removed.events, expected_version=loaded.version)
    assert not await store.record_entries("p1", loaded.version, [(0, loaded.entries[0])], [])  # positions moved
    assert [e.company for e in (await store.get("p1")).entries] == [siren(2), siren(3)]
