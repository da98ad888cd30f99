"""Monitoring on the real stack with two instances of ratings on one database: each due portfolio is
checked once per cadence, by one of them (the leases), neither skipped nor repeated."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from devstack.stack import Stack
from ratings.app import create_app
from ratings.domain.portfolios import add_companies, create
from ratings.ports import ProviderCredentials, RatingsPorts
from ratings.settings import RatingsSettings
from tests.clock import SettableClock
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra


def settings_for(stack: Stack, name: str, db: str) -> RatingsSettings:
    return RatingsSettings(
        service_name=name,
        mongo_db=db,
        environment="test",
        mongo_url=stack.mongo_url,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        log_level="WARNING",
        monitoring_cadence_hours=1.0,
        monitoring_poll_seconds=0.1,
        check_poll_seconds=0.1,
        local_provider_companies_per_country=2,
    )


async def test_two_instances_check_each_due_portfolio_once_per_cadence(stack: Stack) -> None:
    run = uuid.uuid4().hex[:8]
    db_name = f"ratings_m_{run}"
    clock = SettableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    first = create_app(settings_for(stack, f"ratings_m1_{run}", db_name), clock=clock)
    second = create_app(settings_for(stack, f"ratings_m2_{run}", db_name), clock=clock)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[db_name]
    try:
        async with (
            LifespanManager(first, startup_timeout=60, shutdown_timeout=90),
            LifespanManager(second, startup_timeout=60, shutdown_timeout=90),
        ):
            ports: RatingsPorts = first.state.ports
            companies = tuple(c.id for c in ports.provider.directory)  # type: ignore[attr-defined]
            await ports.accounts.put("owner", ProviderCredentials("me", "pw"), clock.now())
            made = create("p-watch", "Watched", "owner", ports.provider.name)
            await ports.portfolios.add(add_companies(made.portfolio, companies).portfolio, [])
            inactive = create("p-off", "Off", "owner", ports.provider.name)
            await ports.portfolios.add(inactive.portfolio, [])
            await ports.portfolios.save(
                inactive.portfolio.__class__(**{**inactive.portfolio.__dict__, "active": False}),
                [],
                expected_version=1,
            )

            async def jobs_done(count: int) -> bool:
                jobs = await db["check_jobs"].find({"portfolio_id": "p-watch"}).to_list()
                return len(jobs) == count and all(j["state"] == "done" for j in jobs)

            for cadence in (1, 2):
                clock.advance(hours=1, seconds=1)  # the portfolio is due again

                async def checked(n: int = cadence) -> bool:
                    return await jobs_done(n)

                await eventually(checked, timeout=60, interval=0.1)
                # Within the cadence, neither instance starts another: both loops get passes to try.
                for _ in range(5):
                    clock.advance(minutes=10)
                    await asyncio.sleep(0.3)  # three monitoring passes of each instance
                    assert await jobs_done(cadence)
            assert await db["check_jobs"].count_documents({"portfolio_id": "p-off"}) == 0
            stored = await db["portfolios"].find_one({"_id": "p-watch"})
            assert stored is not None
            assert stored["last_monitored_at"] is not None
            assert stored["lease"] is None
    finally:
        await client.drop_database(db_name)
        await client.close()
