"""The Creditsafe Connect client against a real local HTTP server answering in Connect's shapes:
token caching and renewal, retries, 429 and Retry-After, the circuit breaker, timeouts, and the
mapping of searches, reports, events and history to the domain."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from ratings.adapters.providers import provider_from_settings
from ratings.adapters.providers.creditsafe import ClientConfig, CreditsafeClient
from ratings.adapters.providers.local import LocalProvider
from ratings.domain.companies import CompanyId
from ratings.ports import (
    CompanyUnknown,
    InvalidCredentials,
    ProviderCredentials,
    ProviderRateLimited,
    ProviderUnavailable,
)
from ratings.settings import RatingsSettings
from services.ratings.tests.connect_server import ConnectServer
from tests.clock import SettableClock
from tests.e2e.helpers import eventually

# A real adapter at work (PDF rendering, an HTTP server, the OpenAPI export): in `make test`, not `make test-unit`.
pytestmark = pytest.mark.adapter

ACCOUNT = ProviderCredentials("credit.manager@example.com", "s3cret")
START = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
FAST = ClientConfig(
    connect_timeout_s=2.0,
    read_timeout_s=5.0,
    retry_attempts=3,
    retry_backoff_s=0.05,
    retry_backoff_max_s=0.4,
    rate_limit_budget_s=10.0,
    breaker_threshold=3,
    breaker_ttl_s=0.3,
)


@pytest.fixture(scope="module")
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture(scope="module")
def connect(clock: SettableClock) -> Iterator[ConnectServer]:
    with ConnectServer(LocalProvider(clock=clock, companies_per_country=20)).running() as server:
        yield server


@pytest.fixture
def server(connect: ConnectServer, clock: SettableClock) -> ConnectServer:
    connect.reset()
    connect.drop_tokens()
    clock.at = START
    return connect


@pytest.fixture
def expected(clock: SettableClock) -> LocalProvider:
    """The same data as the server's, read directly: what the client must map to."""
    return LocalProvider(clock=clock, companies_per_country=20)


class Sleeps:
    """The client's waits (backoff, Retry-After), recorded and not slept."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


ClientMaker = Callable[..., CreditsafeClient]


@pytest.fixture
async def make_client(server: ConnectServer, clock: SettableClock, sleeps: Sleeps) -> AsyncIterator[ClientMaker]:
    made: list[CreditsafeClient] = []

    def make(base_url: str | None = None, **config: Any) -> CreditsafeClient:
        client = CreditsafeClient(base_url or server.base_url, replace(FAST, **config), clock=clock, sleep=sleeps)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


def some(local: LocalProvider, country: str, index: int = 0) -> CompanyId:
    return local.directory.in_country(country)[index].id


# -- mapping of the documented shapes ---------------------------------------------------------


async def test_search_by_number_and_by_name(make_client: ClientMaker, expected: LocalProvider) -> None:
    client = make_client()
    target = expected.directory.in_country("FR")[2]
    spaced = f"{target.id.number[:3]} {target.id.number[3:6]} {target.id.number[6:]}"
    assert await client.search(ACCOUNT, country="FR", number=spaced) == [target]
    by_name = await client.search(ACCOUNT, country="FR", name=target.name.split()[0])
    assert target in by_name
    assert await client.search(ACCOUNT, country="GB", name="nothing like this") == []


async def test_a_report_maps_to_the_credit_file(
    make_client: ClientMaker, expected: LocalProvider, clock: SettableClock
) -> None:
    client = make_client()
    for country in ("FR", "GB", "DE", "IT", "CH"):
        company = some(expected, country, 4)
        got = await client.credit_report(ACCOUNT, company)
        want = await expected.credit_report(ACCOUNT, company)
        assert got.company_key == company.key
        assert got.provider == "creditsafe"
        assert got.national_score == want.national_score
        assert got.rating == want.rating
        assert got.credit_limit == want.credit_limit
        assert got.solvency_index == want.solvency_index
        assert got.trends == want.trends
        assert got.provider_rating == str(want.national_score)
        assert got.provider_url is not None
        assert f"{company.country}-X-{company.number}" in got.provider_url
        assert got.synchronised_at == clock.now()


async def test_an_unknown_company_is_named(make_client: ClientMaker, server: ConnectServer) -> None:
    client = make_client()
    with pytest.raises(CompanyUnknown):
        await client.credit_report(ACCOUNT, CompanyId.parse("FR", "732829320"))
    assert server.seen.requests["companies"] == 1  # resolved by a search, no report ordered


async def test_events_carry_old_and_new_values_in_domain_units(
    make_client: ClientMaker, expected: LocalProvider
) -> None:
    client = make_client()
    since = START - timedelta(days=200)
    seen = 0
    for company in [some(expected, c, 1) for c in ("FR", "BE", "ES", "NL")]:
        got = await client.events_since(ACCOUNT, company, since)
        want = await expected.events_since(ACCOUNT, company, since)
        assert sorted((e.occurred_at, e.kind, e.old_value, e.new_value) for e in got) == sorted(
            (e.occurred_at, e.kind, e.old_value, e.new_value) for e in want
        )
        assert [e.occurred_at for e in got] == sorted(e.occurred_at for e in got)
        assert len({e.event_id for e in got}) == len(got)
        seen += len(got)
    assert seen > 0


async def test_events_are_read_across_pages(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer
) -> None:
    client = make_client(events_page_size=10)
    company = some(expected, "IT", 3)
    got = await client.events_since(ACCOUNT, company, None)
    assert len(got) > 20  # more than two pages of 10
    assert server.seen.requests["events"] == (len(got) + 9) // 10
    assert len(got) == len(await expected.events_since(ACCOUNT, company, None))


async def test_history_is_rebuilt_month_by_month_from_the_events(
    make_client: ClientMaker, expected: LocalProvider
) -> None:
    client = make_client()
    for company in [some(expected, c, 5) for c in ("FR", "GB", "PT")]:
        got = await client.history(ACCOUNT, company, months=24)
        want = await expected.history(ACCOUNT, company, months=24)
        assert got == list(want)


# -- the token -----------------------------------------------------------------------------


async def test_the_token_is_cached_per_account(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer
) -> None:
    client = make_client()
    for index in range(5):
        await client.credit_report(ACCOUNT, some(expected, "FR", index))
    assert server.seen.authentications == 1
    await client.search(ProviderCredentials("second.user@example.com", "an0ther"), country="FR", name="a")
    assert server.seen.authentications == 2


async def test_concurrent_callers_share_one_authentication(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer, clock: SettableClock
) -> None:
    client = make_client()
    companies = [some(expected, c, i) for c in ("FR", "DE") for i in range(10)]
    await asyncio.gather(*(client.credit_report(ACCOUNT, c) for c in companies))
    assert server.seen.authentications == 1
    clock.advance(minutes=58)  # within the renewal margin: one renewal for all of them
    await asyncio.gather(*(client.credit_report(ACCOUNT, c) for c in companies))
    assert server.seen.authentications == 2


async def test_the_token_is_renewed_before_it_expires(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer, clock: SettableClock
) -> None:
    client = make_client(renew_margin_s=300)
    company = some(expected, "GB")
    await client.credit_report(ACCOUNT, company)
    clock.advance(minutes=30)
    await client.credit_report(ACCOUNT, company)
    assert server.seen.authentications == 1
    clock.advance(minutes=26)  # 56 minutes: less than 5 left on the hour
    await client.credit_report(ACCOUNT, company)
    assert server.seen.authentications == 2
    assert server.seen.refused_tokens == 0


async def token_dropped(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer
) -> tuple[CreditsafeClient, CompanyId]:
    """A client that had a token and read a report with it; the server has since forgotten it."""
    client = make_client()
    company = some(expected, "ES")
    await client.credit_report(ACCOUNT, company)
    server.drop_tokens()
    return client, company


async def test_a_refused_token_is_renewed_once(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer
) -> None:
    client, company = await token_dropped(make_client, expected, server)
    file = await client.credit_report(ACCOUNT, company)
    assert file.company_key == company.key
    assert server.seen.refused_tokens == 1
    assert server.seen.authentications == 2


async def test_a_refused_token_and_a_changed_password_give_invalid_credentials(
    make_client: ClientMaker, expected: LocalProvider, server: ConnectServer
) -> None:
    client, company = await token_dropped(make_client, expected, server)
    server.accounts[ACCOUNT.username] = "changed"
    with pytest.raises(InvalidCredentials):
        await client.credit_report(ACCOUNT, company)


async def test_a_wrong_password_is_refused_and_never_opens_the_circuit(
    make_client: ClientMaker, expected: LocalProvider
) -> None:
    client = make_client(breaker_threshold=2)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            await client.authenticate(ProviderCredentials(ACCOUNT.username, "wrong"))
    await client.authenticate(ACCOUNT)
    assert (await client.credit_report(ACCOUNT, some(expected, "FR"))).national_score is not None


# -- retries, 429, timeouts ------------------------------------------------------------------


async def test_5xx_are_retried_with_growing_backoff(
    make_client: ClientMaker, server: ConnectServer, sleeps: Sleeps, expected: LocalProvider
) -> None:
    client = make_client()
    await client.authenticate(ACCOUNT)
    server.switches.fail_next = 2
    target = expected.directory.in_country("BE")[0]
    assert await client.search(ACCOUNT, country="BE", number=target.id.number) == [target]
    assert server.seen.requests["companies"] == 3
    assert len(sleeps.waits) == 2
    assert all(FAST.retry_backoff_s <= wait <= FAST.retry_backoff_max_s for wait in sleeps.waits)


async def test_retries_are_bounded(make_client: ClientMaker, server: ConnectServer) -> None:
    client = make_client(breaker_threshold=10)
    await client.authenticate(ACCOUNT)
    server.switches.fail_next = 10
    server.switches.fail_status = 502
    with pytest.raises(ProviderUnavailable) as error:
        await client.search(ACCOUNT, country="FR", name="atlas")
    assert "502" in str(error.value)
    assert server.seen.requests["companies"] == FAST.retry_attempts


async def test_an_unreachable_provider_is_unavailable(make_client: ClientMaker, sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{closed_port}/v1")
    with pytest.raises(ProviderUnavailable) as error:
        await client.authenticate(ACCOUNT)
    assert "unreachable" in str(error.value)
    assert len(sleeps.waits) == FAST.retry_attempts - 1


async def test_a_slow_provider_times_out(make_client: ClientMaker, server: ConnectServer) -> None:
    client = make_client(read_timeout_s=0.1, retry_attempts=2)
    server.switches.latency_s = 0.5
    with pytest.raises(ProviderUnavailable) as error:
        await client.authenticate(ACCOUNT)
    assert "in time" in str(error.value)
    assert server.seen.requests["authenticate"] == 2


async def test_429_waits_for_retry_after_within_the_budget(
    make_client: ClientMaker, server: ConnectServer, sleeps: Sleeps, expected: LocalProvider
) -> None:
    client = make_client(rate_limit_budget_s=5)
    await client.authenticate(ACCOUNT)
    server.switches.rate_limit_next = 2
    server.switches.retry_after = "2"
    file = await client.credit_report(ACCOUNT, some(expected, "LU"))
    assert file.national_score is not None
    assert sleeps.waits == [2.0, 2.0]


async def test_429_beyond_the_budget_tells_when_to_come_back(
    make_client: ClientMaker, server: ConnectServer, sleeps: Sleeps
) -> None:
    client = make_client(rate_limit_budget_s=5, breaker_threshold=2)
    await client.authenticate(ACCOUNT)
    for _ in range(3):  # rate limits never open the circuit
        server.switches.rate_limit_next = 1
        server.switches.retry_after = "30"
        with pytest.raises(ProviderRateLimited) as error:
            await client.search(ACCOUNT, country="FR", name="nova")
        assert error.value.retry_after_s == 30
    assert sleeps.waits == []
    assert server.seen.requests["companies"] == 3
    await client.search(ACCOUNT, country="FR", name="nova")


async def test_retry_after_as_an_http_date(
    make_client: ClientMaker, server: ConnectServer, sleeps: Sleeps, clock: SettableClock
) -> None:
    client = make_client()
    await client.authenticate(ACCOUNT)
    server.switches.rate_limit_next = 1
    server.switches.retry_after = format_datetime(clock.now() + timedelta(seconds=3), usegmt=True)
    await client.search(ACCOUNT, country="DE", name="vega")
    assert sleeps.waits == [3.0]


# -- the circuit breaker ---------------------------------------------------------------------


async def test_the_circuit_opens_after_repeated_failures_and_recovers_half_open(
    make_client: ClientMaker, server: ConnectServer, expected: LocalProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ratings.adapters.providers.creditsafe")
    # A TTL long enough that a loaded machine does not half-open the circuit between two lines.
    client = make_client(retry_attempts=1, breaker_threshold=3, breaker_ttl_s=1.5)
    company = some(expected, "NL")
    server.switches.fail_next = 100
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            await client.credit_report(ACCOUNT, company)
    reached = sum(server.seen.requests.values())
    with pytest.raises(ProviderUnavailable) as error:
        await client.credit_report(ACCOUNT, company)
    assert "not called" in str(error.value)
    assert error.value.retry_after_s is not None
    assert 0 <= error.value.retry_after_s <= 1.5
    assert sum(server.seen.requests.values()) == reached  # the open circuit did not call

    server.switches.fail_next = 0

    async def recovered() -> bool:
        try:
            await client.credit_report(ACCOUNT, company)
        except ProviderUnavailable:
            return False
        return True

    assert await eventually(recovered, timeout=15, interval=0.1)
    before = sum(server.seen.requests.values())
    await client.credit_report(ACCOUNT, company)  # closed again: calls go through
    assert sum(server.seen.requests.values()) > before
    states = [r.getMessage().rsplit(" ", 1)[-1] for r in caplog.records if "circuit" in r.getMessage()]
    assert states == ["opened", "half-opened", "closed"]


def test_a_page_url_with_other_fields_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="connect_id"):
        ClientConfig(page_url="https://example.com/{country}/{connect_id}")


async def test_a_failed_probe_opens_the_circuit_again(
    make_client: ClientMaker, server: ConnectServer, expected: LocalProvider
) -> None:
    client = make_client(retry_attempts=1, breaker_threshold=2, breaker_ttl_s=1.5)
    company = some(expected, "PT")
    await client.credit_report(ACCOUNT, company)
    server.switches.fail_next = 2
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            await client.credit_report(ACCOUNT, company)
    server.switches.fail_next = 1_000
    reached = server.seen.requests["companies"]

    async def probed() -> bool:
        with pytest.raises(ProviderUnavailable):
            await client.credit_report(ACCOUNT, company)
        return server.seen.requests["companies"] > reached

    assert await eventually(probed, timeout=15, interval=0.1)
    after_probe = server.seen.requests["companies"]
    assert after_probe == reached + 1  # one probe in half-open...
    with pytest.raises(ProviderUnavailable) as error:
        await client.credit_report(ACCOUNT, company)
    assert "not called" in str(error.value)  # ...which failed: open again at once
    assert server.seen.requests["companies"] == after_probe


async def test_unknown_companies_never_open_the_circuit(make_client: ClientMaker) -> None:
    client = make_client(breaker_threshold=2)
    for number in ("732829320", "552100554", "542051180"):
        with pytest.raises(CompanyUnknown):
            await client.credit_report(ACCOUNT, CompanyId.parse("FR", number))
    assert await client.search(ACCOUNT, country="FR", name="atlas") is not None


# -- selection by settings --------------------------------------------------------------------


async def test_the_settings_choose_the_creditsafe_client(server: ConnectServer, expected: LocalProvider) -> None:
    settings = RatingsSettings(provider="creditsafe", provider_base_url=server.base_url, provider_read_timeout_s=4)
    client = provider_from_settings(settings)
    assert isinstance(client, CreditsafeClient)
    assert client.config.read_timeout_s == 4
    target = expected.directory.in_country("CH")[0]
    assert await client.search(ACCOUNT, country="CH", number=target.id.number) == [target]
    await client.aclose()
