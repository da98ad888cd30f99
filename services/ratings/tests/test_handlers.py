"""Ratings' use cases on in-memory fakes of the ports: load, decide in the domain, save with the events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from stdnum import luhn

from contracts import Right
from ratings.domain.checks import JobState, Outcome
from ratings.domain.companies import CompanyId
from ratings.domain.errors import RuleViolations
from ratings.domain.history import Aggregate, Period
from ratings.domain.legacy import LegacyPortfolio
from ratings.domain.portfolios import EntryState
from ratings.handlers import (
    change_companies,
    company_history,
    connect_provider_account,
    create_portfolio,
    delete_portfolio,
    duplicate_portfolio,
    edit_portfolio,
    legacy_portfolios,
    list_portfolios,
    monitor_due_portfolios,
    open_credit_file,
    portfolio_csv,
    run_check,
    search_companies,
    start_check,
    sync_company,
)
from ratings.handlers.base import NoProviderAccount, NotOwner
from ratings.ports import InvalidCredentials, NotFound, ProviderEvent, RatingsPorts
from services.ratings.tests.fakes import FakeAccounts, FakeFiles, FakeJobs, FakePortfolios, FakeProvider, FakeRights
from tests.clock import SettableClock


def siren(n: int) -> CompanyId:
    body = f"{n:08d}"
    return CompanyId.parse("FR", body + luhn.calc_check_digit(body))


def fakes(ports: RatingsPorts) -> tuple[FakeProvider, FakeFiles, FakePortfolios, FakeJobs]:
    assert isinstance(ports.provider, FakeProvider)
    assert isinstance(ports.files, FakeFiles)
    assert isinstance(ports.portfolios, FakePortfolios)
    assert isinstance(ports.jobs, FakeJobs)
    return ports.provider, ports.files, ports.portfolios, ports.jobs


async def connected(ports: RatingsPorts, account: str = "u1") -> None:
    await connect_provider_account.handle(
        connect_provider_account.ConnectProviderAccount(account, "alice", "secret"), ports
    )


async def test_an_account_is_checked_with_the_provider_before_it_is_stored(ports: RatingsPorts) -> None:
    with pytest.raises(InvalidCredentials):
        await connect_provider_account.handle(
            connect_provider_account.ConnectProviderAccount("u1", "alice", "x"), ports
        )
    assert isinstance(ports.accounts, FakeAccounts)
    assert ports.accounts.accounts == {}
    with pytest.raises(RuleViolations) as refused:
        await connect_provider_account.handle(connect_provider_account.ConnectProviderAccount("u1", " ", ""), ports)
    assert {v.field for v in refused.value.violations} == {"username", "password"}
    await connected(ports)
    assert await ports.accounts.get("u1") is not None


async def test_sync_without_an_account_says_how_to_connect_one(ports: RatingsPorts) -> None:
    provider, *_ = fakes(ports)
    provider.scores[siren(1)] = 80
    with pytest.raises(NoProviderAccount, match="provider-account"):
        await sync_company.handle(sync_company.SyncCompany("u1", siren(1)), ports)


async def test_search_checks_the_number_and_asks_the_provider(ports: RatingsPorts) -> None:
    provider, *_ = fakes(ports)
    provider.scores[siren(1)] = 80
    await connected(ports)
    found = await search_companies.handle(search_companies.SearchCompanies("u1", "fr", number=siren(1).number), ports)
    assert [c.id for c in found] == [siren(1)]
    with pytest.raises(RuleViolations, match="check digits"):
        await search_companies.handle(search_companies.SearchCompanies("u1", "FR", number="732829321"), ports)
    with pytest.raises(RuleViolations, match="registration number or a name"):
        await search_companies.handle(search_companies.SearchCompanies("u1", "FR"), ports)
    with pytest.raises(RuleViolations, match="ISO 3166"):
        await search_companies.handle(search_companies.SearchCompanies("u1", "XX", name="Acme"), ports)


async def test_sync_stores_the_file_and_history_and_a_change_emits_rating_updated(
    ports: RatingsPorts, clock: SettableClock
) -> None:
    provider, files, *_ = fakes(ports)
    company = siren(2)
    provider.scores[company] = 80
    await connected(ports)
    first = await sync_company.handle(sync_company.SyncCompany("u1", company), ports)
    assert first.file is not None
    assert first.file.rating.value == "A"
    assert len(first.history) == 24 + 1  # the provider's 24 months and this month's point
    assert files.changes == []  # a first file is no change
    provider.scores[company] = 40
    clock.advance(days=1)
    second = await sync_company.handle(sync_company.SyncCompany("u1", company), ports)
    assert second.file is not None
    assert second.file.synchronised_at == clock.now()
    assert len(files.changes) == 1
    assert files.changes[0].changed_fields == ("rating", "national_score")
    assert len(second.history) == len(first.history)  # the same month is replaced, not added


async def test_a_credit_file_never_fetched_is_fetched_once(ports: RatingsPorts) -> None:
    provider, *_ = fakes(ports)
    provider.scores[siren(3)] = 60
    await connected(ports)
    opened = await open_credit_file.handle(open_credit_file.OpenCreditFile("u1", siren(3)), ports)
    calls = provider.calls
    again = await open_credit_file.handle(open_credit_file.OpenCreditFile("someone-else", siren(3)), ports)
    assert again == opened
    assert provider.calls == calls


async def test_history_grouped_by_year_shows_the_last_month_or_the_mean_never_a_sum(ports: RatingsPorts) -> None:
    provider, *_ = fakes(ports)
    provider.scores[siren(4)] = 90
    await connected(ports)
    last = await company_history.handle(
        company_history.CompanyHistory("u1", siren(4), Period.YEAR, Aggregate.LAST), ports
    )
    mean = await company_history.handle(
        company_history.CompanyHistory("u1", siren(4), Period.YEAR, Aggregate.MEAN), ports
    )
    assert [p.period_start.year for p in last.national_score] == [2024, 2025, 2026]
    for point in (*last.national_score, *mean.national_score):
        assert point.value is not None
        assert 0 <= point.value <= 100
    assert last.national_score[-1].value == 90  # March 2026: this sync's month


async def test_portfolios_are_created_edited_duplicated_and_deleted_with_their_events(ports: RatingsPorts) -> None:
    _, _, store, _ = fakes(ports)
    made = await create_portfolio.handle(
        create_portfolio.CreatePortfolio("u1", "  Clients   clés ", companies=(siren(1), siren(2))), ports
    )
    assert made.name == "Clients clés"
    assert made.companies == (siren(1), siren(2))
    edited = await edit_portfolio.handle(
        edit_portfolio.EditPortfolio("u1", made.portfolio_id, name="Top", active=False, alert_on_new_event=True), ports
    )
    assert (edited.name, edited.active, edited.alert_on_new_event) == ("Top", False, True)
    with pytest.raises(NotFound):  # u2 may not see u1's own portfolio, so not copy it
        await duplicate_portfolio.handle(duplicate_portfolio.DuplicatePortfolio("u2", made.portfolio_id), ports)
    copy = await duplicate_portfolio.handle(duplicate_portfolio.DuplicatePortfolio("u1", made.portfolio_id), ports)
    assert copy.portfolio_id != made.portfolio_id
    assert copy.companies == made.companies
    assert copy.name == "Top (copy)"
    await delete_portfolio.handle(delete_portfolio.DeletePortfolio("u1", made.portfolio_id), ports)
    with pytest.raises(NotFound):
        await store.get(made.portfolio_id)
    assert [e.change for e in store.events] == [
        "created",
        "companies-added",
        "renamed",
        "deactivated",
        "options-changed",
        "created",
        "deleted",
    ]


async def test_a_shared_portfolio_is_read_by_members_with_right_1_and_changed_by_its_owner(
    ports: RatingsPorts,
) -> None:
    assert isinstance(ports.rights, FakeRights)
    with pytest.raises(RuleViolations, match="view_financial_documents"):
        await create_portfolio.handle(
            create_portfolio.CreatePortfolio("u1", "Shared", company_space="123456789"), ports
        )
    ports.rights.grant("123456789", "u1", Right.VIEW_FINANCIAL_DOCUMENTS)
    made = await create_portfolio.handle(
        create_portfolio.CreatePortfolio("u1", "Shared", company_space="123456789"), ports
    )
    assert await list_portfolios.handle(list_portfolios.ListPortfolios("u2"), ports) == []
    ports.rights.grant("123456789", "u2", Right.MANAGE_FUNDS)
    with pytest.raises(NotFound):
        await list_portfolios.show(list_portfolios.ShowPortfolio("u2", made.portfolio_id), ports)
    ports.rights.grant("123456789", "u2", Right.VIEW_FINANCIAL_DOCUMENTS)
    seen = await list_portfolios.handle(list_portfolios.ListPortfolios("u2"), ports)
    assert [p.portfolio_id for p in seen] == [made.portfolio_id]
    with pytest.raises(NotOwner):
        await change_companies.add(change_companies.AddCompanies("u2", made.portfolio_id, (siren(1),)), ports)


async def test_csv_import_keeps_the_good_lines_and_reports_the_bad_ones(ports: RatingsPorts) -> None:
    made = await create_portfolio.handle(create_portfolio.CreatePortfolio("u1", "CSV"), ports)
    text = (
        "country;registration_number;name\n"
        f"FR;{siren(7).number};=HYPERLINK(x)\n"
        "FR;732829321;Bad checksum\n"
        "GB;01234567;British Ltd\n"
        "DE;HRB 12345;GmbH\n"
        f"FR;{siren(7).number};Twice\n"
    )
    imported = await portfolio_csv.import_csv(portfolio_csv.ImportPortfolioCsv("u1", made.portfolio_id, text), ports)
    assert imported.added == 3
    assert [p.field for p in imported.problems] == ["line 3"]
    _, exported = await portfolio_csv.export_csv(portfolio_csv.ExportPortfolioCsv("u1", made.portfolio_id), ports)
    lines = exported.splitlines()
    assert lines[0].startswith("country,registration_number,name")
    assert lines[1].split(",")[:3] == ["FR", siren(7).number, "Twice"]  # a company listed twice: its last name
    assert [line.split(",")[0] for line in lines[1:]] == ["FR", "GB", "DE"]
    assert lines[2].split(",")[1] == "01234567"


async def _portfolio_of(ports: RatingsPorts, n: int, *, alert: bool = True) -> str:
    provider, *_ = fakes(ports)
    companies = tuple(siren(100 + i) for i in range(n))
    for i, company in enumerate(companies):
        provider.scores[company] = 20 + i % 80
    made = await create_portfolio.handle(
        create_portfolio.CreatePortfolio("u1", "Watch", companies=companies, alert_on_new_event=alert), ports
    )
    return made.portfolio_id


async def test_check_needs_an_account_and_a_second_start_returns_the_running_job(ports: RatingsPorts) -> None:
    pid = await _portfolio_of(ports, 3)
    with pytest.raises(NoProviderAccount):
        await start_check.handle(start_check.StartCheck("u1", pid), ports)
    await connected(ports)
    job, created = await start_check.handle(start_check.StartCheck("u1", pid), ports)
    again, created_again = await start_check.handle(start_check.StartCheck("u1", pid), ports)
    assert created
    assert not created_again
    assert again.job_id == job.job_id
    assert (job.done, job.total) == (0, 3)


async def test_a_check_reports_each_company_and_raises_one_alert_per_new_event(
    ports: RatingsPorts, clock: SettableClock, sleeps: list[float]
) -> None:
    provider, files, store, jobs = fakes(ports)
    pid = await _portfolio_of(ports, 10)
    await connected(ports)
    _first, _ = await start_check.handle(start_check.StartCheck("u1", pid), ports)
    done = await run_check.handle(run_check.RunCheck(), ports)
    assert done is not None
    assert done.state is JobState.DONE
    assert done.counts()["unchanged"] == 10
    assert store.alerts == []
    clock.advance(days=1)
    companies = (await store.get(pid)).companies
    provider.scores[companies[0]] = 99  # a change
    provider.events[companies[1]] = [
        ProviderEvent("ev-1", companies[1], clock.now(), "address_changed", "Nouvelle adresse"),
        ProviderEvent("ev-2", companies[1], clock.now(), "director_changed", "Nouveau dirigeant"),
    ]
    provider.down.add(companies[2])
    provider.unknown.add(companies[3])
    provider.rate_limited[companies[4]] = 2  # answers after two 429s
    job, _ = await start_check.handle(start_check.StartCheck("u1", pid), ports)
    result = await run_check.handle(run_check.RunCheck(), ports)
    assert result is not None
    assert result.job_id == job.job_id
    assert result.state is JobState.DONE
    assert (await jobs.get(job.job_id)).counts() == {"pending": 0, "unchanged": 6, "new_events": 2, "failed": 2}
    outcomes = {o.company: o for o in result.outcomes}
    assert outcomes[companies[2]].outcome is Outcome.FAILED
    assert "ProviderUnavailable" in outcomes[companies[2]].detail
    assert outcomes[companies[4]].outcome is Outcome.UNCHANGED
    assert sleeps.count(2.0) >= 2  # Retry-After honoured
    assert len(store.alerts) == 3  # one change + two provider events
    assert len(files.changes) == 1
    portfolio = await store.get(pid)
    assert portfolio.entry(companies[0]).state is EntryState.NEW_EVENTS  # type: ignore[union-attr]
    assert portfolio.entry(companies[2]).state is EntryState.SYNC_FAILED  # type: ignore[union-attr]
    assert portfolio.last_monitored_at == clock.now()
    # Checking again finds nothing new: no new alert.
    await start_check.handle(start_check.StartCheck("u1", pid), ports)
    await run_check.handle(run_check.RunCheck(), ports)
    assert len(store.alerts) == 3


async def test_a_check_keeps_at_most_the_configured_calls_in_flight(ports: RatingsPorts) -> None:
    provider, *_ = fakes(ports)
    pid = await _portfolio_of(ports, 20)
    await connected(ports)
    await start_check.handle(start_check.StartCheck("u1", pid), ports)
    done = await run_check.handle(run_check.RunCheck(), ports)
    assert done is not None
    assert done.done == 20
    assert 1 < provider.most_in_flight <= ports.policy.check_concurrency


async def test_a_job_taken_over_resumes_with_the_companies_still_pending(ports: RatingsPorts) -> None:
    provider, _, store, jobs = fakes(ports)
    pid = await _portfolio_of(ports, 6)
    await connected(ports)
    job, _ = await start_check.handle(start_check.StartCheck("u1", pid), ports)
    companies = (await store.get(pid)).companies
    provider.down.add(companies[5])

    class Crash(Exception):
        pass

    original = provider.credit_report
    seen: list[CompanyId] = []

    async def crashing(credentials, company):  # type: ignore[no-untyped-def]
        seen.append(company)
        if len(seen) > 3:
            raise Crash()
        return await original(credentials, company)

    provider.credit_report = crashing  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await run_check.handle(run_check.RunCheck(), ports)
    kept = await jobs.get(job.job_id)
    assert 0 < kept.done < 6
    assert kept.state is JobState.RUNNING
    provider.credit_report = original  # type: ignore[method-assign]
    resumed = await run_check.handle(run_check.RunCheck(), ports)
    assert resumed is not None
    assert resumed.state is JobState.DONE
    assert resumed.done == 6
    assert resumed.counts()["failed"] == 1


async def test_a_crash_between_the_alerts_and_the_file_raises_the_same_alerts_when_redone(
    ports: RatingsPorts, clock: SettableClock
) -> None:
    provider, files, store, jobs = fakes(ports)
    pid = await _portfolio_of(ports, 2)
    await connected(ports)
    await start_check.handle(start_check.StartCheck("u1", pid), ports)
    await run_check.handle(run_check.RunCheck(), ports)
    companies = (await store.get(pid)).companies
    for company in companies:
        provider.scores[company] = 5  # both change
    clock.advance(days=1)
    job, _ = await start_check.handle(start_check.StartCheck("u1", pid), ports)

    class Crash(Exception):
        pass

    saving = files.save

    async def crash(*args: object, **kwargs: object) -> None:
        raise Crash()

    files.save = crash  # type: ignore[assignment, method-assign]
    with pytest.raises(Crash):
        await run_check.handle(run_check.RunCheck(), ports)
    assert len(store.alerts) == 2  # the entries and their alerts were written first
    assert files.changes == []
    assert (await jobs.get(job.job_id)).done == 0  # so the job redoes both companies
    files.save = saving  # type: ignore[method-assign]
    resumed = await run_check.handle(run_check.RunCheck(), ports)
    assert resumed is not None
    assert resumed.counts()["new_events"] == 2
    assert len(store.alerts) == 2  # the same alert ids: nothing twice
    assert len(files.changes) == 2  # each change stored once, with its RatingUpdated


async def test_a_lost_claim_stops_the_run_without_finishing_the_job(ports: RatingsPorts) -> None:
    _, _, _, jobs = fakes(ports)
    pid = await _portfolio_of(ports, 2)
    await connected(ports)
    job, _ = await start_check.handle(start_check.StartCheck("u1", pid), ports)
    jobs.lost.add(job.job_id)
    assert await run_check.handle(run_check.RunCheck(), ports) is None
    assert (await jobs.get(job.job_id)).done == 0


async def test_monitoring_starts_one_check_per_due_portfolio_and_schedules_the_next(
    ports: RatingsPorts, clock: SettableClock
) -> None:
    _, _, store, jobs = fakes(ports)
    pid = await _portfolio_of(ports, 2)
    await connected(ports)
    inactive = await _portfolio_of(ports, 1)
    await edit_portfolio.handle(edit_portfolio.EditPortfolio("u1", inactive, active=False), ports)
    store.due[pid] = clock.now()
    store.due[inactive] = clock.now()
    job = await monitor_due_portfolios.handle(monitor_due_portfolios.MonitorDuePortfolios(), ports)
    assert job is not None
    assert job.portfolio_id == pid
    assert job.requested_by == "u1"
    assert await monitor_due_portfolios.handle(monitor_due_portfolios.MonitorDuePortfolios(), ports) is None
    assert store.due[pid] == clock.now() + timedelta(hours=24)
    await run_check.handle(run_check.RunCheck(), ports)
    assert (await jobs.get(job.job_id)).state is JobState.DONE


async def test_a_monitoring_claim_redone_after_a_crash_finds_its_job_again(
    ports: RatingsPorts, clock: SettableClock
) -> None:
    _, _, store, jobs = fakes(ports)
    pid = await _portfolio_of(ports, 2)
    store.due[pid] = clock.now()

    async def crash(portfolio_id: str, next_at: object) -> bool:
        raise RuntimeError("died before scheduling")

    scheduled = store.monitoring_scheduled
    store.monitoring_scheduled = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await monitor_due_portfolios.handle(monitor_due_portfolios.MonitorDuePortfolios(), ports)
    store.monitoring_scheduled = scheduled  # type: ignore[method-assign]
    job = await monitor_due_portfolios.handle(monitor_due_portfolios.MonitorDuePortfolios(), ports)
    assert job is not None
    assert list(jobs.jobs) == [job.job_id]


@pytest.mark.parametrize("import_first", [True, False])
async def test_legacy_portfolios_attach_unchanged_whichever_comes_first(
    ports: RatingsPorts, import_first: bool
) -> None:
    _, _, store, _ = fakes(ports)
    items = (
        LegacyPortfolio("Ancien portefeuille", (siren(1), siren(2)), ("A", "B"), active=False, alert_on_new_event=True),
        LegacyPortfolio("Second", (siren(3),)),
    )
    imported = legacy_portfolios.ImportLegacyPortfolios("L-42", items)
    migrated = legacy_portfolios.AttachMigratedAccount("L-42", "acct-9")
    if import_first:
        await legacy_portfolios.import_portfolios(imported, ports)
        assert store.portfolios == {}
        await legacy_portfolios.attach_migrated(migrated, ports)
    else:
        await legacy_portfolios.attach_migrated(migrated, ports)
        await legacy_portfolios.import_portfolios(imported, ports)
    await legacy_portfolios.attach_migrated(migrated, ports)  # redelivered: attached once
    mine = await list_portfolios.handle(list_portfolios.ListPortfolios("acct-9"), ports)
    assert sorted(p.name for p in mine) == ["Ancien portefeuille", "Second"]
    first = await store.get("legacy-L-42-1")
    assert (first.active, first.alert_on_new_event, [e.name for e in first.entries]) == (False, True, ["A", "B"])
    with pytest.raises(legacy_portfolios.AlreadyAttached):
        await legacy_portfolios.import_portfolios(imported, ports)


async def test_a_legacy_import_reports_every_problem(ports: RatingsPorts) -> None:
    with pytest.raises(RuleViolations) as refused:
        await legacy_portfolios.import_portfolios(
            legacy_portfolios.ImportLegacyPortfolios(" ", (LegacyPortfolio(" ", ()),)), ports
        )
    assert {v.field for v in refused.value.violations} == {"legacy_id", "portfolios.0.name"}
