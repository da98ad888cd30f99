"""Wiring of the billing service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from billing.api import companies, operations, profiles, schedules, terms
from billing.bus.handlers import subscribe
from billing.handlers import Billing, DebitScheduler, retry_policy
from billing.payments.provider import SimulatedProvider
from billing.settings import BillingSettings
from billing.store.onboarding import OnboardingStore
from billing.store.profiles import INDEXES as PROFILE_INDEXES
from billing.store.profiles import PROFILES, ProfileStore
from billing.store.schedules import INDEXES as SCHEDULE_INDEXES
from billing.store.schedules import SCHEDULES, ScheduleStore
from chassis.clock import Clock
from chassis.rights import RIGHTS_VIEW_INDEXES, RightsView
from chassis.service import Runtime, ServiceDefinition, create_service_app
from contracts.events.billing import (
    MandateSigned,
    PaymentRejected,
    PaymentSucceeded,
    ScheduleCreated,
    ScheduleRegularised,
)


def create_app(settings: BillingSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or BillingSettings()

    async def start(runtime: Runtime) -> None:
        renew = settings.debit_lease_renew_seconds
        leases = runtime.leases(
            SCHEDULES,
            purpose="debits",
            ttl=timedelta(seconds=settings.debit_lease_seconds),
            renew_every=timedelta(seconds=renew) if renew is not None else None,
        )
        billing = Billing(
            settings=settings,
            clock=runtime.clock,
            schedules=ScheduleStore(runtime.db, runtime.outbox, retry_policy(settings), leases),
            onboarding=OnboardingStore(runtime.db, runtime.outbox, settings.field_cipher),
            profiles=ProfileStore(runtime.db),
            provider=SimulatedProvider(runtime.db),
            policy=retry_policy(settings),
        )
        await billing.schedules.drop_stale_indexes()
        app.state.billing = billing
        if settings.debit_scheduler_enabled:
            runtime.start_background(DebitScheduler(billing, settings.debit_run_interval_seconds), "debit-scheduler")

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk billing",
            description="Mandates, payment schedules, cards, payments and regularisation.",
            routers=[terms.router, profiles.router, companies.router, schedules.router, operations.router],
            indexes=[*PROFILE_INDEXES, *SCHEDULE_INDEXES, *RIGHTS_VIEW_INDEXES],
            outbox_collections=[PROFILES, SCHEDULES],
            publishes=[MandateSigned, ScheduleCreated, PaymentSucceeded, PaymentRejected, ScheduleRegularised],
            subscribe=subscribe,
            on_startup=[start],
            clock=clock,
        )
    )
    # The rights view needs only the database: built with the app, fed by the consumer.
    app.state.rights = RightsView(app.state.runtime.db)
    return app
