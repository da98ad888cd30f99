""" "Check new events" for a 1,000-company portfolio: ratings' job runner (leased job, bounded
concurrency towards the provider, each company's file, entry and outcome written to the real Mongo
server) against the floor N x provider latency / concurrency, the latency measured in the same run
on the same local provider (its configured latency per call plus its own computing).

    bench_checks(stack) -> {"companies": 1000, "concurrency": 8, "runs": {...}, ...}

Two runs: the first check of the portfolio (each company's first file: three provider calls, the
report, its events and its history) and a second one (monitoring's steady state: two calls, the
report and the events since the last one).

The local provider runs in the service's own process: its computing (the walk of each company's
months) is serial whatever the concurrency, unlike a network provider's latency. So each run also
measures that computing alone (the same calls on a provider without latency) and gives the bound
max(floor, N x computing per company) beside the issue's floor.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from chassis.crypto import FieldCipher
from chassis.leases import Leases, new_owner
from chassis.mongo import ensure_indexes
from chassis.outbox import Outbox, outbox_indexes
from chassis.rights import RightsView
from devstack.stack import Stack
from ratings.adapters.providers import LocalProvider
from ratings.domain import checks, portfolios
from ratings.handlers import run_check
from ratings.ports import ProviderCredentials, RatingsPolicy, RatingsPorts
from ratings.store import accounts as accounts_store
from ratings.store import files, jobs, legacy
from ratings.store import portfolios as portfolio_store
from tests.clock import SettableClock

CREDENTIALS = ProviderCredentials("bench", "bench")


async def _latency_per_company(
    provider: LocalProvider, companies: list[Any], *, first: bool, samples: int = 40
) -> float:
    """Seconds the provider takes, one call after the other, for what a check asks of one company."""
    started = time.perf_counter()
    for company in companies[:samples]:
        await provider.credit_report(CREDENTIALS, company)
        await provider.events_since(CREDENTIALS, company, None)
        if first:
            await provider.history(CREDENTIALS, company, months=24)
    return (time.perf_counter() - started) / samples


async def bench_checks(
    stack: Stack, companies_per_country: int = 100, concurrency: int = 8, latency_s: float = 0.05
) -> dict[str, Any]:
    run = f"bench_ratings_{uuid.uuid4().hex[:8]}"
    clock = SettableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    provider = LocalProvider(clock=clock, companies_per_country=companies_per_country, latency_s=latency_s)
    every = [c.id for c in provider.directory]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[run]
    try:
        await ensure_indexes(
            db,
            [
                *portfolio_store.INDEXES,
                *jobs.INDEXES,
                *outbox_indexes(files.COMPANIES, portfolio_store.PORTFOLIOS),
            ],
        )
        outbox = Outbox(clock)
        ttl = timedelta(seconds=60)
        job_leases = Leases(db[jobs.JOBS], owner=new_owner("bench-checks"), clock=clock, ttl=ttl)
        monitor_leases = Leases(db[portfolio_store.PORTFOLIOS], owner=new_owner("bench-monitor"), clock=clock, ttl=ttl)
        ports = RatingsPorts(
            files=files.MongoCreditFiles(db, outbox),
            portfolios=portfolio_store.MongoPortfolios(db, outbox, monitor_leases, timedelta(hours=24)),
            jobs=jobs.MongoJobs(db, job_leases),
            accounts=accounts_store.MongoProviderAccounts(db, FieldCipher.for_development("bench")),
            legacy=legacy.MongoLegacy(db),
            provider=provider,
            rights=RightsView(db),
            clock=clock,
            new_id=lambda: uuid.uuid4().hex,
            policy=RatingsPolicy(check_concurrency=concurrency),
        )
        await ports.accounts.put("owner", CREDENTIALS, clock.now())
        made = portfolios.create("bench", "Bench", "owner", provider.name)
        filled = portfolios.add_companies(made.portfolio, every)
        await ports.portfolios.add(filled.portfolio, [])
        results: dict[str, Any] = {}
        computing = LocalProvider(clock=clock, companies_per_country=companies_per_country, latency_s=0.0)
        for name, first in (("first_check", True), ("steady_check", False)):
            latency = await _latency_per_company(provider, every, first=first)
            cpu = await _latency_per_company(computing, every, first=first)
            clock.advance(minutes=1)
            job = checks.start(
                f"job-{name}", "bench", filled.portfolio.companies, "owner", alert_on_new_event=True, now=clock.now()
            )
            await ports.jobs.add(job)
            calls_before = provider.calls
            started = time.perf_counter()
            done = await run_check.handle(run_check.RunCheck(), ports)
            elapsed = time.perf_counter() - started
            assert done is not None
            assert done.done == done.total == len(every)
            floor = len(every) * latency / concurrency
            bound = max(floor, len(every) * cpu)
            results[name] = {
                "seconds": round(elapsed, 2),
                "companies_per_second": round(len(every) / elapsed, 1),
                "provider_calls": provider.calls - calls_before,
                "provider_seconds_per_company": round(latency, 4),
                "floor_seconds": round(floor, 2),
                "to_floor_ratio": round(elapsed / floor, 2),
                "provider_computing_seconds_per_company": round(cpu, 4),
                "bound_seconds": round(bound, 2),
                "to_bound_ratio": round(elapsed / bound, 2),
                "outcomes": done.counts(),
            }
        return {
            "companies": len(every),
            "countries": len({c.country for c in every}),
            "concurrency": concurrency,
            "provider_latency_per_call_s": latency_s,
            "runs": results,
        }
    finally:
        await client.drop_database(run)
        await client.close()


if __name__ == "__main__":  # on a running test stack: python -m bench.ratings_checks
    import json

    from bench.stats import write_result
    from devstack.config import StackConfig

    stack = Stack(StackConfig.for_profile("test"))
    figures = asyncio.run(bench_checks(stack))
    write_result("ratings_checks", figures)
    print(json.dumps(figures, indent=2))
