"""Portfolios: edits with their events, CSV in and out, and the check job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratings.domain import checks, portfolios
from ratings.domain.checks import JobState, Outcome
from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import CommonRating, CreditFile, Money, Trends, change_between
from ratings.domain.errors import RuleViolations
from ratings.domain.portfolios import EntryState

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
AIR_LIQUIDE = CompanyId("FR", "552096281")
LA_POSTE = CompanyId("FR", "356000000")


def file(company: CompanyId, score: int | None, limit: int = 10_000_00) -> CreditFile:
    return CreditFile(company.key, "local", str(score), score, Money(limit, "EUR"), 3, Trends(), None, NOW)


def test_create_rename_activate_with_events() -> None:
    created = portfolios.create("p1", "  Key   suppliers ", "acc-1", "local")
    assert created.portfolio.name == "Key suppliers"
    assert [e.change for e in created.events] == ["created"]
    renamed = portfolios.rename(created.portfolio, "Suppliers")
    assert [e.change for e in renamed.events] == ["renamed"]
    assert portfolios.rename(renamed.portfolio, "Suppliers").events == ()
    assert [e.change for e in portfolios.set_active(renamed.portfolio, False).events] == ["deactivated"]


def test_adding_a_company_twice_is_a_no_op() -> None:
    p = portfolios.create("p1", "x", "acc-1", "local").portfolio
    added = portfolios.add_companies(p, [AIR_LIQUIDE, AIR_LIQUIDE, LA_POSTE])
    assert added.portfolio.companies == (AIR_LIQUIDE, LA_POSTE)
    assert portfolios.add_companies(added.portfolio, [LA_POSTE]).events == ()


def test_a_portfolio_has_a_size_limit() -> None:
    p = portfolios.create("p1", "x", "acc-1", "local").portfolio
    many = [CompanyId("DE", f"HRB {i}") for i in range(portfolios.MAX_COMPANIES + 1)]
    with pytest.raises(RuleViolations) as error:
        portfolios.add_companies(p, many)
    assert error.value.violations[0].code == "portfolio-full"


def test_duplicate_copies_the_companies_for_the_new_owner() -> None:
    p = portfolios.add_companies(portfolios.create("p1", "Suppliers", "acc-1", "local").portfolio, [LA_POSTE]).portfolio
    copy = portfolios.duplicate(p, "p2", "acc-2").portfolio
    assert (copy.portfolio_id, copy.name, copy.owner_id, copy.companies) == (
        "p2",
        "Suppliers (copy)",
        "acc-2",
        (LA_POSTE,),
    )
    assert copy.last_monitored_at is None


def test_csv_round_trip_and_per_line_problems() -> None:
    text = (
        "country;registration_number;name\n"
        "FR;552 096 281;Air Liquide\nFR;552096282;Typo\nXX;1;Nowhere\nFR;356000000;La Poste\n"
    )
    result = portfolios.parse_csv(text)
    assert result.companies == (AIR_LIQUIDE, LA_POSTE)
    assert [(v.field, v.code) for v in result.problems] == [
        ("line 3", "bad-checksum"),
        ("line 4", "unknown-country"),
        ("line 4", "bad-number"),
    ]
    p = portfolios.add_companies(portfolios.create("p1", "x", "acc-1", "local").portfolio, result.companies).portfolio
    again = portfolios.parse_csv(portfolios.to_csv(p))
    assert again.companies == result.companies


def test_csv_needs_its_columns() -> None:
    with pytest.raises(RuleViolations) as error:
        portfolios.parse_csv("siren\n552096281\n")
    assert error.value.violations[0].code == "csv-header"


def test_exported_names_cannot_become_formulas() -> None:
    p = portfolios.create("p1", "x", "acc-1", "local").portfolio
    p = portfolios.add_companies(p, [LA_POSTE]).portfolio
    p = p.__class__(**{**p.__dict__, "entries": (portfolios.Entry(LA_POSTE, "=HYPERLINK(1)"),)})
    assert ",'=HYPERLINK(1)," in portfolios.to_csv(p)


def test_a_check_refreshes_entries_and_marks_failures() -> None:
    p = portfolios.add_companies(
        portfolios.create("p1", "x", "acc-1", "local").portfolio, [AIR_LIQUIDE, LA_POSTE]
    ).portfolio
    checked = portfolios.record_check(p, {AIR_LIQUIDE: file(AIR_LIQUIDE, 80), LA_POSTE: None}, {AIR_LIQUIDE}, NOW)
    first, second = checked.entries
    assert (first.rating, first.state, first.last_event_date) == (CommonRating.A, EntryState.NEW_EVENTS, NOW.date())
    assert second.state is EntryState.SYNC_FAILED
    assert checked.last_monitored_at == NOW


def test_only_rating_score_or_limit_changes_are_events() -> None:
    assert change_between(file(LA_POSTE, 60), file(LA_POSTE, 60)) is None
    change = change_between(file(LA_POSTE, 60), file(LA_POSTE, 75, 20_000_00))
    assert change is not None
    assert change.changed_fields == ("rating", "national_score", "credit_limit")
    assert change_between(None, file(LA_POSTE, 60)) is not None


def test_a_check_job_reports_progress_and_resumes() -> None:
    job = checks.start("j1", "p1", (AIR_LIQUIDE, LA_POSTE), "acc-1", alert_on_new_event=True, now=NOW)
    assert (job.done, job.total, job.state) == (0, 2, JobState.RUNNING)
    job = checks.record(job, AIR_LIQUIDE, Outcome.NEW_EVENTS, "national_score", now=NOW)
    assert job.pending == (LA_POSTE,)
    # A resumed job may check again a company already recorded: the first result stays.
    job = checks.record(job, AIR_LIQUIDE, Outcome.FAILED, "timeout", now=NOW)
    assert job.outcomes[0].outcome is Outcome.NEW_EVENTS
    job = checks.record(job, LA_POSTE, Outcome.FAILED, "provider answered 503", now=NOW)
    assert (job.state, job.finished_at, job.counts()["failed"]) == (JobState.DONE, NOW, 1)
