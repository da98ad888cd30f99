"""Wiring of the recovery service: the real adapters behind `RecoveryPorts` (`app.state.recovery`)
and the entrypoints' own (`app.state.recovery_api`), the routes, the subscriptions (local views,
the saga), the mail courier and the deadline sweeper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from chassis.clock import Clock
from chassis.consumer import EventConsumer
from chassis.mail import courier_indexes
from chassis.outbox import OutboxRelay
from chassis.rights import RIGHTS_VIEW_INDEXES, RightsView
from chassis.service import Runtime, ServiceDefinition, create_service_app, mail_courier
from chassis.tokens import TOKENS, Tokens, token_indexes
from contracts import Event
from contracts.events import recovery as events
from recovery.adapters.directory import FileDirectory
from recovery.adapters.letters import WeasyPrintRenderer
from recovery.adapters.links import TokenDebtorLinks
from recovery.adapters.postal import FolderPostalService
from recovery.api import routers
from recovery.api.deps import RecoveryApiPorts
from recovery.bus.handlers import subscribe_saga, subscribe_views
from recovery.bus.views import VIEW_INDEXES, CreditorView, MandateView
from recovery.handlers import saga
from recovery.handlers.sweeper import DeadlineSweeper
from recovery.ports import RecoveryPorts
from recovery.settings import RecoverySettings
from recovery.store.cases import CASES, FENCE_FIELD, MongoCaseStore
from recovery.store.cases import INDEXES as CASE_INDEXES
from recovery.store.documents import INDEXES as DOCUMENT_INDEXES
from recovery.store.documents import GridFsDocumentStore
from recovery.store.sagas import INDEXES as SAGA_INDEXES
from recovery.store.sagas import SAGAS, MongoSagaStore

PUBLISHES: list[type[Event]] = [
    events.CaseFiled,
    events.CaseAssigned,
    events.CaseAccepted,
    events.CaseRefused,
    events.CaseReturned,
    events.CasePhaseChanged,
    events.LetterIssued,
    events.DebtorAnswered,
    events.CasePaymentRecorded,
    events.CaseSettled,
    events.CaseClosed,
    events.FeeIncurred,
]
MAIL_COLLECTIONS = [CASES, SAGAS]


@dataclass(frozen=True)
class Wired:
    """The adapters built once for the runtime: the handlers' ports, the API's, the views."""

    relay: OutboxRelay
    ports: RecoveryPorts
    api: RecoveryApiPorts
    rights: RightsView
    mandates: MandateView
    creditors: CreditorView


def create_app(settings: RecoverySettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or RecoverySettings()
    wired: list[Wired] = []

    def wire(runtime: Runtime) -> Wired:
        # Built once, when subscribers are declared (before start): a consumed event may arrive
        # as soon as the broker starts. The leases' renewer starts with the runtime's loops.
        if wired:
            return wired[0]
        relay, wakeup = mail_courier(runtime, settings, MAIL_COLLECTIONS)
        ttl = timedelta(seconds=settings.deadline_lease_seconds)
        leases = runtime.leases(CASES, purpose="deadlines", ttl=ttl, version_field=FENCE_FIELD)
        store = MongoCaseStore(runtime.db, runtime.outbox, leases, wakeup)
        saga_leases = runtime.leases(SAGAS, purpose="saga", ttl=ttl, version_field=FENCE_FIELD)
        sagas = MongoSagaStore(runtime.db, saga_leases, wakeup)
        documents = GridFsDocumentStore(runtime.db)
        tokens = Tokens(runtime.db, clock=runtime.clock)
        rights = RightsView(runtime.db)
        mandates = MandateView(runtime.db)
        creditors = CreditorView(runtime.db)
        ports = RecoveryPorts(
            cases=store,
            directory=FileDirectory(),
            documents=documents,
            postal=FolderPostalService(Path(settings.postal_dir), documents, runtime.clock),
            clock=runtime.clock,
            letters=WeasyPrintRenderer(settings.procedure_policy()),
            mandates=mandates,
            creditors=creditors,
            rights=rights,
            links=TokenDebtorLinks(tokens, settings.public_base_url),
            sagas=sagas,
            policy=settings.procedure_policy(),
            mandate_url=settings.mandate_path,
        )
        # The case lists: the store answers them (of_creditor, of_company, of_office).
        api = RecoveryApiPorts(queries=store)
        wired.append(Wired(relay, ports, api, rights, mandates, creditors))
        return wired[0]

    async def start(runtime: Runtime) -> None:
        parts = wire(runtime)
        app.state.recovery = parts.ports
        app.state.recovery_api = parts.api
        runtime.start_background(parts.relay, "courier")
        if settings.sweeper_enabled:
            ports = parts.ports
            sweeper = DeadlineSweeper(
                ports, settings.sweep_interval_seconds, extra_steps=(lambda: saga.advance_due(ports),)
            )
            app.state.deadline_sweeper = sweeper
            runtime.start_background(sweeper, "deadline-sweeper")

    def subscribe(consumer: EventConsumer, runtime: Runtime) -> None:
        parts = wire(runtime)
        subscribe_views(
            consumer,
            rights=parts.rights,
            mandates=parts.mandates,
            creditors=parts.creditors,
            ports=parts.ports,
        )
        subscribe_saga(consumer, parts.ports)

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk recovery",
            description="Small-claims recovery cases, their deadlines and generated letters.",
            routers=routers,
            indexes=[
                *CASE_INDEXES,
                *SAGA_INDEXES,
                *DOCUMENT_INDEXES,
                *RIGHTS_VIEW_INDEXES,
                *VIEW_INDEXES,
                *courier_indexes(*MAIL_COLLECTIONS),
                *token_indexes(),
            ],
            outbox_collections=[CASES],
            publishes=PUBLISHES,
            subscribe=subscribe,
            on_startup=[start],
            clock=clock,
            expiring=[TOKENS],
        )
    )
    return app
