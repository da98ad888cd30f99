"""A throwaway service keeping a rights view exactly as the chassis builds it
for billing (for the e2e and integration tests of teams' rights events)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asgi_lifespan import LifespanManager

from chassis.consumer import EventConsumer
from chassis.mongo import ensure_indexes
from chassis.rights import RIGHTS_VIEW_INDEXES, RightsView, subscribe_rights_view
from chassis.service import Runtime, ServiceDefinition, create_service_app
from chassis.settings import ServiceSettings
from devstack.stack import Stack


class RightsProbe:
    """Another service's rights view, exactly as the chassis builds it for billing."""

    def __init__(self, stack: Stack) -> None:
        self.name = f"rights-probe-{uuid.uuid4().hex[:8]}"
        self.settings = ServiceSettings(
            service_name=self.name,
            environment="test",
            mongo_url=stack.mongo_url,
            kafka_bootstrap_servers=stack.bootstrap_servers,
        )
        self.view: RightsView | None = None

    def subscribe(self, consumer: EventConsumer, runtime: Runtime) -> None:
        self.view = RightsView(runtime.db)
        subscribe_rights_view(consumer, self.view)


@asynccontextmanager
async def running_rights_probe(stack: Stack) -> AsyncIterator[tuple[RightsProbe, RightsView]]:
    """The probe's app started (its consumer subscribed), then its database dropped."""
    probe = RightsProbe(stack)

    async def indexes(runtime: Runtime) -> None:
        await ensure_indexes(runtime.db, RIGHTS_VIEW_INDEXES)

    app = create_service_app(
        ServiceDefinition(
            settings=probe.settings,
            title="probe",
            description="rights view",
            subscribe=probe.subscribe,
            on_startup=[indexes],
        )
    )
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        assert probe.view is not None
        yield probe, probe.view
        await app.state.runtime.mongo.drop_database(probe.settings.mongo_db)
