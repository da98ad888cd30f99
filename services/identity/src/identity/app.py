"""Wiring of the identity service."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from chassis.clock import Clock
from chassis.consumer import EventConsumer
from chassis.outbox import OutboxRelay, Wakeup
from chassis.service import Runtime, ServiceDefinition, create_service_app, mail_courier
from chassis.tokens import TOKENS, Tokens, token_indexes
from contracts import Envelope
from contracts.events.billing import ScheduleCreated
from contracts.events.identity import (
    AccountActivated,
    AccountDetailsChanged,
    AccountMigrated,
    AccountRegistered,
    PasswordReset,
    SessionsRevoked,
)
from identity.adapters.passwords import Passwords
from identity.api.deps import on_refused
from identity.api.routes import router
from identity.bus.mailbox import subscribe_mailbox
from identity.domain.problems import Refused
from identity.handlers import Identity
from identity.handlers.customers import on_schedule_created
from identity.settings import IdentitySettings
from identity.store import accounts, clients, commissaires, customers, legacy, mailbox, sessions
from identity.store.accounts import ACCOUNTS, AccountStore
from identity.store.clients import ClientStore
from identity.store.commissaires import MongoCommissaireStore
from identity.store.customers import FIRST_CONNECTION_REQUESTS, ORDER_EMAILS, FirstConnectionRequests, OrderEmailStore
from identity.store.keys import KeyStore, SigningKeys
from identity.store.legacy import LegacyStore
from identity.store.links import adopt_embedded_links
from identity.store.mailbox import MongoMailboxStore
from identity.store.sessions import SessionStore
from identity.store.throttle import LOGIN_FAILURES, REQUEST_COUNTERS, ThrottleStore

INDEXES = [
    *accounts.INDEXES,
    *sessions.INDEXES,
    *customers.INDEXES,
    *legacy.INDEXES,
    *clients.INDEXES,
    *mailbox.INDEXES,
    *commissaires.INDEXES,
    *token_indexes(),
]
# Collections whose documents carry pending mail (`_courier`).
MAIL_COLLECTIONS = [ACCOUNTS, ORDER_EMAILS]


def build_identity(runtime: Runtime, settings: IdentitySettings, courier_wakeup: Wakeup) -> Identity:
    """Identity's adapters on the runtime (no I/O: usable before the app starts)."""
    keys = KeyStore(runtime.db, runtime.clock, settings.key_cipher)
    pem = settings.signing_key_pem.get_secret_value() if settings.signing_key_pem else None
    return Identity(
        clock=runtime.clock,
        settings=settings,
        accounts=AccountStore(runtime.db, runtime.outbox),
        sessions=SessionStore(runtime.db),
        throttle=ThrottleStore(runtime.db),
        order_emails=OrderEmailStore(runtime.db),
        legacy=LegacyStore(runtime.db),
        keys=keys,
        signing_keys=SigningKeys(keys, pem),
        passwords=Passwords.from_settings(settings),
        courier_wakeup=courier_wakeup,
        clients=ClientStore(runtime.db),
        first_connection_requests=FirstConnectionRequests(runtime.db),
        tokens=Tokens(runtime.db, clock=runtime.clock),
    )


@dataclass(frozen=True)
class Wired:
    """What the app builds once on the runtime."""

    identity: Identity
    relay: OutboxRelay
    mailbox: MongoMailboxStore


def create_app(settings: IdentitySettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    built: list[Wired] = []

    def wire(runtime: Runtime) -> Wired:
        # Built once, when subscribers are declared (before start): a consumed
        # event may arrive as soon as the broker starts.
        if not built:
            relay, wakeup = mail_courier(runtime, settings, MAIL_COLLECTIONS)
            built.append(Wired(build_identity(runtime, settings, wakeup), relay, MongoMailboxStore(runtime.db)))
        return built[0]

    async def start(runtime: Runtime) -> None:
        wired = wire(runtime)
        await adopt_embedded_links(runtime.db)  # links mailed before ADR 0034 keep working
        await wired.identity.signing_keys.current()  # publish (or create) the signing key before the first request
        runtime.start_background(wired.relay, "courier")
        app.state.identity = wired.identity
        app.state.mailbox = wired.mailbox
        app.state.commissaires = MongoCommissaireStore(runtime.db, runtime.outbox)

    def subscribe(consumer: EventConsumer, runtime: Runtime) -> None:
        wired = wire(runtime)
        identity = wired.identity

        @consumer.on(ScheduleCreated)
        async def schedule_created(event: ScheduleCreated, envelope: Envelope) -> None:
            """Learn that the buyer's email has an order: it may create a customer access."""
            await on_schedule_created(identity, event, envelope)

        subscribe_mailbox(consumer, wired.mailbox, identity.legacy)

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk identity",
            description="Accounts, activation, login, password recovery, customer access and legacy-portal migration.",
            routers=[router],
            indexes=INDEXES,
            outbox_collections=[ACCOUNTS],
            expiring=[REQUEST_COUNTERS, LOGIN_FAILURES, FIRST_CONNECTION_REQUESTS, TOKENS],
            publishes=[
                AccountRegistered,
                AccountActivated,
                PasswordReset,
                AccountMigrated,
                AccountDetailsChanged,
                SessionsRevoked,
            ],
            subscribe=subscribe,
            on_startup=[start],
            clock=clock,
        )
    )
    app.add_exception_handler(Refused, on_refused)
    return app
