"""Wiring of the billing service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from billing.adapters.pain008 import Pain008Writer
from billing.adapters.payments import SimulatedProvider
from billing.api import companies, operations, profiles, schedules, sepa, terms
from billing.bus.handlers import subscribe
from billing.domain.fees import SepaCreditor
from billing.handlers.debits import DebitScheduler, retry_policy
from billing.handlers.fees import FeeCollectionScheduler
from billing.ports import Billing, Fees
from billing.settings import BillingSettings
from billing.store.companies import CompanyBankDetailsMongo
from billing.store.fees import FEE_LEDGERS, SEPA_BATCHES, BatchMongo, FeeLedgerMongo
from billing.store.fees import INDEXES as FEE_INDEXES
from billing.store.onboarding import OnboardingStore
from billing.store.profiles import INDEXES as PROFILE_INDEXES
from billing.store.profiles import PROFILES, ProfileStore
from billing.store.schedules import INDEXES as SCHEDULE_INDEXES
from billing.store.schedules import SCHEDULES, ScheduleStore
from chassis.clock import Clock
from chassis.rights import RIGHTS_VIEW_INDEXES, RightsView
from chassis.service import Runtime, ServiceDefinition, create_service_app, mail_courier
from contracts.events.billing import (
    MandateRefused,
    MandateRevoked,
    MandateSigned,
    PaymentRejected,
    PaymentSucceeded,
    ScheduleCreated,
    ScheduleRegularised,
)


def build_fees(
    runtime: Runtime, settings: BillingSettings, onboarding: OnboardingStore, profiles: ProfileStore
) -> Fees:
    """The fee collection's ports on the real adapters: ledgers and batches each claimed through leases."""
    ttl = timedelta(seconds=settings.fee_lease_seconds)
    creditor = SepaCreditor(
        identifier=settings.sepa_creditor_identifier,
        name=settings.sepa_creditor_name,
        iban=settings.sepa_creditor_iban,
        bic=settings.sepa_creditor_bic,
    )
    return Fees(
        ledgers=FeeLedgerMongo(runtime.db, runtime.leases(FEE_LEDGERS, purpose="fees", ttl=ttl)),
        batches=BatchMongo(
            runtime.db, runtime.leases(SEPA_BATCHES, purpose="sepa-batches", ttl=ttl), settings.field_cipher
        ),
        onboardings=onboarding,
        profiles=profiles,
        writer=Pain008Writer(creditor, settings.sepa_pain008_version),
        creditor=creditor,
        clock=runtime.clock,
        notice_days=settings.sepa_prenotification_days,
        batch_roles=settings.sepa_batch_roles,
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
        schedules = ScheduleStore(runtime.db, runtime.outbox, retry_policy(settings), leases)
        await schedules.drop_stale_indexes()
        onboarding = OnboardingStore(runtime.db, runtime.outbox, settings.field_cipher)
        profiles = ProfileStore(runtime.db)
        app.state.billing = billing = Billing(
            settings=settings,
            clock=runtime.clock,
            schedules=schedules,
            onboarding=onboarding,
            profiles=profiles,
            companies=CompanyBankDetailsMongo(runtime.db, settings.field_cipher),
            rights=app.state.rights,
            provider=SimulatedProvider(runtime.db),
            policy=retry_policy(settings),
        )
        if settings.debit_scheduler_enabled:
            runtime.start_background(DebitScheduler(billing, settings.debit_run_interval_seconds), "debit-scheduler")
        app.state.fees = fees = build_fees(runtime, settings, onboarding, profiles)
        # The pre-notification mails ride in the fee ledgers' writes; this relay sends them.
        relay, _ = mail_courier(runtime, settings, [FEE_LEDGERS])
        runtime.start_background(relay, "courier")
        if settings.fee_collection_scheduler_enabled:
            scheduler = FeeCollectionScheduler(fees, settings.fee_collection_interval_seconds)
            runtime.start_background(scheduler, "fee-collection-scheduler")

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk billing",
            description="Mandates, payment schedules, cards, payments and regularisation.",
            routers=[terms.router, profiles.router, companies.router, schedules.router, operations.router, sepa.router],
            indexes=[*PROFILE_INDEXES, *SCHEDULE_INDEXES, *RIGHTS_VIEW_INDEXES, *FEE_INDEXES],
            outbox_collections=[PROFILES, SCHEDULES],
            publishes=[
                MandateSigned,
                MandateRevoked,
                MandateRefused,
                ScheduleCreated,
                PaymentSucceeded,
                PaymentRejected,
                ScheduleRegularised,
            ],
            subscribe=subscribe,
            on_startup=[start],
            clock=clock,
        )
    )
    # The rights view needs only the database: built with the app, fed by the consumer.
    app.state.rights = RightsView(app.state.runtime.db)
    return app
