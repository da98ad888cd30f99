"""The deterministic local provider: its directory, accounts, and credit files that evolve with time."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import siret as siret_module

from ratings.adapters.providers import LocalProvider, provider_from_settings
from ratings.adapters.providers.directory import COUNTRIES, Directory
from ratings.adapters.providers.local import REFUSED_PASSWORD
from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import change_between
from ratings.domain.errors import RuleViolations
from ratings.ports import (
    LIMIT_CHANGED,
    RATING_CHANGED,
    SCORE_CHANGED,
    CompanyUnknown,
    InvalidCredentials,
    ProviderCredentials,
    ProviderEvent,
)
from ratings.settings import RatingsSettings
from tests.clock import SettableClock

ACCOUNT = ProviderCredentials("credit.manager@example.com", "s3cret")
START = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def provider(at: datetime = START, per_country: int = 20) -> tuple[LocalProvider, SettableClock]:
    clock = SettableClock(at)
    return LocalProvider(clock=clock, companies_per_country=per_country), clock


def test_the_directory_holds_valid_numbers_of_many_countries() -> None:
    directory = Directory(30)
    countries = Counter(c.id.country for c in directory)
    assert set(countries) == {p.code for p in COUNTRIES}
    assert len(countries) >= 10
    assert set(countries.values()) == {30}
    for company in directory:
        assert CompanyId.parse(company.id.country, company.id.number) == company.id
        assert company.name
        assert company.address is not None
        assert company.provider_id
    assert all(c.id.checked for c in directory if c.id.country in ("FR", "BE", "ES", "IT", "LU", "PT", "CH", "GB"))


def test_the_directory_is_the_same_on_every_run() -> None:
    assert list(Directory(15)) == list(Directory(15))


async def test_search_by_number_and_by_name() -> None:
    local, _ = provider()
    target = local.directory.in_country("FR")[3]
    spaced = f"{target.id.number[:3]} {target.id.number[3:6]} {target.id.number[6:]}"
    assert await local.search(ACCOUNT, country="fr", number=spaced) == [target]
    first_word = target.name.split()[0].upper()
    found = await local.search(ACCOUNT, country="FR", name=first_word)
    assert target in found
    assert all(c.id.country == "FR" for c in found)
    assert await local.search(ACCOUNT, country="FR", name="no such company anywhere") == []
    unknown_siren = "732829320"
    assert CompanyId.parse("FR", unknown_siren) not in {c.id for c in local.directory}
    assert await local.search(ACCOUNT, country="FR", number=unknown_siren) == []


async def test_a_name_search_ignores_accents_and_case() -> None:
    local, _ = provider()
    accented = next(c for c in local.directory if "É" in c.name or "é" in c.name)
    word = next(w for w in accented.name.split() if "é" in w.lower())
    plain = word.lower().replace("é", "e")
    assert accented in await local.search(ACCOUNT, country=accented.id.country, name=plain)


@pytest.mark.parametrize(
    "credentials",
    [
        ProviderCredentials("someone", REFUSED_PASSWORD),
        ProviderCredentials("", "s3cret"),
        ProviderCredentials("someone", ""),
    ],
)
async def test_an_account_is_refused_like_a_wrong_password(credentials: ProviderCredentials) -> None:
    local, _ = provider()
    company = next(iter(local.directory)).id
    with pytest.raises(InvalidCredentials):
        await local.authenticate(credentials)
    with pytest.raises(InvalidCredentials):
        await local.credit_report(credentials, company)
    await local.authenticate(ACCOUNT)


async def test_an_unknown_company_has_no_file() -> None:
    local, _ = provider()
    with pytest.raises(CompanyUnknown):
        await local.credit_report(ACCOUNT, CompanyId.parse("FR", "732829320"))


async def test_the_same_company_and_time_give_the_same_file() -> None:
    first, _ = provider()
    second, _ = provider()
    for company in list(first.directory)[::7]:
        assert await first.credit_report(ACCOUNT, company.id) == await second.credit_report(ACCOUNT, company.id)


async def test_files_evolve_month_to_month_so_monitoring_finds_changes() -> None:
    local, clock = provider()
    companies = [c.id for c in local.directory]
    before = {c: await local.credit_report(ACCOUNT, c) for c in companies}
    clock.advance(days=31)
    after = {c: await local.credit_report(ACCOUNT, c) for c in companies}
    changes = [change_between(before[c], after[c]) for c in companies]
    changed = [c for c in changes if c is not None]
    # Some companies change each month, not all of them: monitoring has both outcomes.
    assert 0 < len(changed) < len(companies)
    fields = Counter(name for change in changed for name in change.changed_fields)
    assert fields["national_score"] > 0
    assert fields["credit_limit"] > 0
    assert all(0 <= f.national_score <= 100 for f in after.values() if f.national_score is not None)


async def test_history_has_one_point_per_month_ending_with_the_current_file() -> None:
    local, _ = provider()
    for company in list(local.directory)[::11]:
        points = await local.history(ACCOUNT, company.id, months=24)
        assert len(points) == 24
        months = [p.month for p in points]
        assert months == sorted(months)
        assert len(set(months)) == 24
        assert months[-1] == START.date().replace(day=1)
        assert all(m.day == 1 for m in months)
        current = await local.credit_report(ACCOUNT, company.id)
        assert points[-1].national_score == current.national_score
        assert current.credit_limit is not None
        assert points[-1].credit_limit_cents == current.credit_limit.cents
        assert points[-1].currency == current.credit_limit.currency
        assert len({p.national_score for p in points}) > 1  # it moved within two years


async def test_events_carry_the_old_and_new_values_of_the_files() -> None:
    local, clock = provider()
    checked_at = clock.now()
    companies = [c.id for c in local.directory]
    before = {c: await local.credit_report(ACCOUNT, c) for c in companies}
    clock.advance(days=62)
    seen = 0
    for company in companies:
        now_file = await local.credit_report(ACCOUNT, company)
        events = await local.events_since(ACCOUNT, company, checked_at)
        assert all(checked_at < e.occurred_at <= clock.now() for e in events)
        assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
        by_kind: dict[str, list[str | None]] = {}
        for event in events:
            by_kind.setdefault(event.kind, []).append(event.old_value)
            by_kind.setdefault(event.kind + ":new", []).append(event.new_value)
        old, new = before[company], now_file
        if SCORE_CHANGED in by_kind:
            assert by_kind[SCORE_CHANGED][0] == str(old.national_score)
            assert by_kind[SCORE_CHANGED + ":new"][-1] == str(new.national_score)
        else:
            assert old.national_score == new.national_score
        if LIMIT_CHANGED in by_kind:
            assert old.credit_limit is not None
            assert new.credit_limit is not None
            assert by_kind[LIMIT_CHANGED][0] == str(old.credit_limit.cents)
            assert by_kind[LIMIT_CHANGED + ":new"][-1] == str(new.credit_limit.cents)
        else:
            assert old.credit_limit == new.credit_limit
        if RATING_CHANGED in by_kind:
            assert by_kind[RATING_CHANGED][0] == old.rating.value
            assert by_kind[RATING_CHANGED + ":new"][-1] == new.rating.value
        seen += len(events)
    assert seen > 0


async def test_successive_checks_neither_lose_nor_repeat_an_event() -> None:
    local, clock = provider()
    company = next(iter(local.directory)).id
    origin = clock.now() - timedelta(days=400)
    pieces: list[ProviderEvent] = []
    since = origin
    for _ in range(8):
        clock.advance(days=23)
        pieces.extend(await local.events_since(ACCOUNT, company, since))
        since = clock.now()
    whole = await local.events_since(ACCOUNT, company, origin)
    recent = [e for e in whole if e.occurred_at > origin]
    assert [e.event_id for e in pieces if e.occurred_at > START] == [
        e.event_id for e in recent if e.occurred_at > START
    ]
    assert len({e.event_id for e in whole}) == len(whole)
    everything = await local.events_since(ACCOUNT, company, None)
    assert {e.event_id for e in whole} <= {e.event_id for e in everything}


async def test_a_configured_latency_is_spent_on_every_call() -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    local = LocalProvider(clock=SettableClock(START), companies_per_country=5, latency_s=0.25, sleep=record)
    company = next(iter(local.directory)).id
    await local.authenticate(ACCOUNT)
    await local.credit_report(ACCOUNT, company)
    await local.events_since(ACCOUNT, company, None)
    assert slept == [0.25, 0.25, 0.25]
    assert local.calls == 3


async def test_the_settings_choose_the_local_provider() -> None:
    settings = RatingsSettings(provider="local", local_provider_latency_s=0.01, local_provider_companies_per_country=7)
    chosen = provider_from_settings(settings, clock=SettableClock(START))
    assert isinstance(chosen, LocalProvider)
    assert chosen.latency_s == 0.01
    assert len(chosen.directory) == 7 * len(COUNTRIES)
    await chosen.aclose()


@pytest.mark.parametrize(
    ("country", "number", "name", "expected"),
    [
        ("XX", None, None, ["unknown-country", "missing-criteria"]),
        ("FR", "732829321", None, ["bad-checksum"]),
        ("FR", "  ", " ", ["missing-criteria"]),
    ],
)
async def test_bad_search_criteria_are_named_before_any_call(
    country: str, number: str | None, name: str | None, expected: list[str]
) -> None:
    local, _ = provider()
    with pytest.raises(RuleViolations) as error:
        await local.search(ACCOUNT, country=country, number=number, name=name)
    assert [v.code for v in error.value.violations] == expected
    assert local.calls == 0


async def test_a_siret_finds_its_company() -> None:
    local, _ = provider()
    target = local.directory.in_country("FR")[0]
    body = target.id.number + "0001"
    siret = next(body + d for d in "0123456789" if siret_module.is_valid(body + d))
    assert await local.search(ACCOUNT, country="FR", number=siret) == [target]
    assert await local.search(ACCOUNT, country="FR", number=siret, name=target.name.split()[1]) == [target]
    assert await local.search(ACCOUNT, country="FR", number=siret, name="unrelated words") == []


PROPERTY_PROVIDER = LocalProvider(clock=SettableClock(START), companies_per_country=3)
PROPERTY_COMPANIES = [c.id for c in PROPERTY_PROVIDER.directory]


@settings(max_examples=60, deadline=None)
@given(
    company=st.sampled_from(PROPERTY_COMPANIES),
    start=st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    gap=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=400)),
)
def test_events_between_two_reads_lead_from_the_first_file_to_the_second(
    company: CompanyId, start: datetime, gap: timedelta
) -> None:
    clock = SettableClock(start)
    local = LocalProvider(clock=clock, companies_per_country=3)

    async def check() -> None:
        first = await local.credit_report(ACCOUNT, company)
        clock.advance(seconds=gap.total_seconds())
        second = await local.credit_report(ACCOUNT, company)
        events = await local.events_since(ACCOUNT, company, start)
        score = first.national_score
        limit = first.credit_limit.cents if first.credit_limit else None
        rating = first.rating.value
        for event in events:
            if event.kind == SCORE_CHANGED:
                assert event.old_value == str(score)
                score = int(event.new_value or 0)
            elif event.kind == LIMIT_CHANGED:
                assert event.old_value == str(limit)
                limit = int(event.new_value or 0)
            elif event.kind == RATING_CHANGED:
                assert event.old_value == rating
                rating = event.new_value or ""
        assert score == second.national_score
        assert limit == (second.credit_limit.cents if second.credit_limit else None)
        assert rating == second.rating.value
        if change_between(first, second) is not None:  # a value may also come back to where it was
            assert events

    asyncio.run(check())
