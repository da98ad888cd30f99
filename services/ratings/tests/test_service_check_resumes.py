"""A "check new events" job survives its service: the app stops mid-job, a second instance (same
database) takes the job over when the lease allows and finishes it, no result lost, none twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from devstack.stack import Stack
from ratings.app import create_app
from ratings.domain.checks import JobState, Outcome
from ratings.domain.portfolios import add_companies, create
from ratings.handlers import start_check
from ratings.ports import ProviderCredentials, RatingsPorts
from ratings.settings import RatingsSettings
from tests.clock import SettableClock
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra


def settings_for(stack: Stack, name: str) -> RatingsSettings:
    return RatingsSettings(
        service_name=name,
        environment="test",
        mongo_url=stack.mongo_url,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        log_level="WARNING",
        monitoring_enabled=False,
        check_concurrency=2,
        check_lease_seconds=2.0,
        check_poll_seconds=0.2,
        local_provider_latency_s=0.05,
        local_provider_companies_per_country=10,
    )


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[RatingsPorts]:
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=90):
        yield app.state.ports


async def test_a_job_interrupted_by_a_stop_is_finished_by_the_next_instance(stack: Stack) -> None:
    name = f"ratings_r_{uuid.uuid4().hex[:8]}"
    clock = SettableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    first = create_app(settings_for(stack, name), clock=clock)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[name]
    try:
        async with running(first) as ports:
            companies = tuple(c.id for c in ports.provider.directory)  # type: ignore[attr-defined]
            await ports.accounts.put("owner", ProviderCredentials("me", "pw"), clock.now())
            made = create("p-resume", "Resume", "owner", ports.provider.name)
            filled = add_companies(made.portfolio, companies)
            await ports.portfolios.add(filled.portfolio, filled.events)
            job, _ = await start_check.handle(start_check.StartCheck("owner", "p-resume"), ports)

            async def some_done() -> bool:
                return (await ports.jobs.get(job.job_id)).done > 0

            await eventually(some_done, timeout=60, interval=0.05)
        interrupted = await db["check_jobs"].find_one({"_id": job.job_id})
        assert interrupted is not None
        assert interrupted["state"] == "running"  # stopped mid-job
        assert interrupted["lease"] is None  # and released on the way out
        second = create_app(settings_for(stack, name), clock=clock)
        async with running(second) as again:

            async def finished() -> bool:
                clock.advance(seconds=3)  # past the stopped instance's lease, if it still held the job
                return (await again.jobs.get(job.job_id)).state is JobState.DONE

            await eventually(finished, timeout=90, interval=0.2)
            done = await again.jobs.get(job.job_id)
        assert done.done == done.total == len(companies)
        assert all(o.outcome is Outcome.UNCHANGED for o in done.outcomes)  # first files: nothing new
        stored = await db["companies"].count_documents({})
        assert stored == len(companies)  # every company stored once, none lost
    finally:
        await client.drop_database(name)
        await client.close()
