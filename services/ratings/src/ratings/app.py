"""Wiring of the ratings service: the real adapters behind the ports, the routes, the subscribers,
the check runner and monitoring (both claiming their work with the chassis' leases)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI

from chassis.clock import Clock
from chassis.rights import RIGHTS_VIEW_INDEXES, RightsView
from chassis.service import Runtime, ServiceDefinition, create_service_app
from contracts.events.ratings import AlertRaised, PortfolioChanged, RatingUpdatedV2
from ratings.adapters.providers import provider_from_settings
from ratings.api import checks, companies, errors, legacy, portfolios
from ratings.bus.handlers import subscriber
from ratings.handlers.loops import CheckRunner, Monitoring
from ratings.ports import RatingsPorts
from ratings.settings import RatingsSettings
from ratings.store import accounts, files, jobs
from ratings.store import legacy as legacy_store
from ratings.store import portfolios as portfolio_store

TAGS = [
    {"name": "companies", "description": "Search, credit files, sync now, history charts, the provider account."},
    {"name": "portfolios", "description": "Watch lists: create, edit, duplicate, delete, companies, CSV."},
    {"name": "checks", "description": '"Check new events" jobs with their progress.'},
    {"name": "legacy migration", "description": "Support's import of legacy portfolios and monitoring."},
]


def create_app(settings: RatingsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or RatingsSettings()
    provider = provider_from_settings(settings, clock=clock)

    def ports_of() -> RatingsPorts:
        ports: RatingsPorts = app.state.ports
        return ports

    async def start(runtime: Runtime) -> None:
        job_leases = runtime.leases(jobs.JOBS, purpose="checks", ttl=timedelta(seconds=settings.check_lease_seconds))
        monitor_leases = runtime.leases(
            portfolio_store.PORTFOLIOS, purpose="monitoring", ttl=timedelta(seconds=settings.monitoring_lease_seconds)
        )
        policy = settings.policy()
        ports = RatingsPorts(
            files=files.MongoCreditFiles(runtime.db, runtime.outbox),
            portfolios=portfolio_store.MongoPortfolios(
                runtime.db, runtime.outbox, monitor_leases, policy.monitoring_cadence
            ),
            jobs=jobs.MongoJobs(runtime.db, job_leases),
            accounts=accounts.MongoProviderAccounts(runtime.db, settings.field_cipher),
            legacy=legacy_store.MongoLegacy(runtime.db),
            provider=provider,
            rights=RightsView(runtime.db),
            clock=runtime.clock,
            new_id=lambda: uuid.uuid4().hex,
            policy=policy,
            wake_checks=lambda: app.state.check_runner.wake(),
        )
        runner = CheckRunner(ports, settings.check_poll_seconds)
        app.state.ports = ports
        app.state.check_runner = runner
        runtime.start_background(runner, "check-runner")
        if settings.monitoring_enabled:
            runtime.start_background(Monitoring(ports, settings.monitoring_poll_seconds), "monitoring")

    async def stop(runtime: Runtime) -> None:
        await provider.aclose()

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk ratings",
            description="Company credit files, history, portfolios, monitoring and alerts.",
            routers=[companies.router, portfolios.router, checks.router, legacy.router],
            indexes=[
                *files.INDEXES,
                *portfolio_store.INDEXES,
                *jobs.INDEXES,
                *accounts.INDEXES,
                *legacy_store.INDEXES,
                *RIGHTS_VIEW_INDEXES,
            ],
            outbox_collections=[files.COMPANIES, portfolio_store.PORTFOLIOS],
            publishes=[RatingUpdatedV2, PortfolioChanged, AlertRaised],
            subscribe=subscriber(ports_of),
            on_startup=[start],
            on_shutdown=[stop],
            clock=clock,
            openapi_tags=TAGS,
            expiring=[portfolio_store.PORTFOLIOS, jobs.JOBS],
        )
    )
    app.state.support_role = settings.support_role
    errors.install(app)
    return app
