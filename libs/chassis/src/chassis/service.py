"""Builds a service's FastAPI app around the shared runtime.

A service describes itself with a `ServiceDefinition` (its settings, routes,
indexes, the collections that carry outbox events, the events it publishes and
the handlers it subscribes); `create_service_app` wires the real adapters:
Mongo, Kafka, the outbox relay, telemetry, metrics, errors and health.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient

from chassis.asyncapi import asyncapi_document
from chassis.auth import JwksVerifier
from chassis.clock import Clock, OffsetFileClock, SystemClock
from chassis.consumer import INBOX, EventConsumer
from chassis.errors import install_problem_handlers
from chassis.health import router as operations_router
from chassis.httpguard import BodySizeLimitMiddleware, SecurityHeadersMiddleware, document_body_limit
from chassis.kafka import build_broker, ensure_service_topics, kafka_publisher
from chassis.leases import Leadership, Leases, new_owner
from chassis.mail import courier
from chassis.metrics import ServiceMetrics, install_http_metrics
from chassis.mongo import Document, IndexSpec, MongoDatabase, connect, ensure_indexes
from chassis.openapi import install_openapi
from chassis.outbox import Outbox, OutboxRelay, RelayPolicy, Wakeup, outbox_indexes
from chassis.requestid import RequestIdMiddleware
from chassis.revocation import RevocationFeed, RevocationList
from chassis.settings import MailSettings, ServiceSettings
from chassis.sweeper import Sweeper, SweepRule, expiring
from chassis.telemetry import UNTRACED_URLS, build_tracer_provider, configure_logging
from contracts import Envelope, Event

log = logging.getLogger("chassis.service")


class BackgroundLoop(Protocol):
    """Work that runs for the service's lifetime and stops when asked."""

    async def run(self) -> None: ...

    def stop(self) -> None:
        """Ask `run` to return soon; it must also wake it if it is waiting."""
        ...


@dataclass
class Runtime:
    """Everything a service's routes and handlers use, built once at start."""

    settings: ServiceSettings
    clock: Clock
    metrics: ServiceMetrics
    tracer_provider: TracerProvider
    mongo: AsyncMongoClient[Document]
    db: MongoDatabase
    broker: KafkaBroker
    outbox: Outbox
    relay: OutboxRelay
    consumer: EventConsumer
    verifier: JwksVerifier
    sweeper: Sweeper
    revocations: RevocationList
    revocation_feed: RevocationFeed
    started: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    background: list[tuple[BackgroundLoop, asyncio.Task[None]]] = field(default_factory=list)
    deferred: list[tuple[BackgroundLoop, str]] = field(default_factory=list)

    def leases(
        self,
        collection: str,
        *,
        purpose: str,
        ttl: timedelta,
        renew_every: timedelta | None = None,
        version_field: str = "version",
    ) -> Leases:
        """This process's claims on the documents of `collection` (chassis.leases), renewed in
        the background until the service stops, and counted when they take over a lapsed one.
        `version_field` is the fencing counter (another name when `version` is the document's own)."""
        leases = Leases(
            self.db[collection],
            owner=new_owner(f"{self.settings.service_name}-{purpose}"),
            clock=self.clock,
            ttl=ttl,
            renew_every=renew_every,
            version_field=version_field,
            on_takeover=lambda _previous: self.metrics.lease_takeovers.labels(collection).inc(),
        )
        self.start_background(leases.renewer(), f"{purpose}-lease-renewer")
        return leases

    def start_background(self, loop: BackgroundLoop, name: str) -> None:
        """Run a loop (the outbox relay, a mail courier, a scheduler) until the service stops.
        Asked before the service runs (while its app is built, e.g. `leases()` from `subscribe`),
        the loop starts with the service."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.deferred.append((loop, name))
            return
        self.background.append((loop, asyncio.create_task(loop.run(), name=name)))

    def start_deferred(self) -> None:
        """Start the loops asked for before the service ran."""
        deferred, self.deferred = self.deferred, []
        for loop, name in deferred:
            self.start_background(loop, name)

    async def stop_background(self, grace_seconds: float = 10.0) -> None:
        """Stop every loop cooperatively, cancelling only one that does not stop
        in time: a cancellation alone can be swallowed by a library call (PyMongo's
        async I/O), leaving the task running and the shutdown hanging."""
        for loop, _ in self.background:
            loop.stop()
        tasks = [task for _, task in self.background]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self.background.clear()


Subscribe = Callable[[EventConsumer, Runtime], None]
Hook = Callable[[Runtime], Awaitable[None]]


@dataclass
class ServiceDefinition:
    settings: ServiceSettings
    title: str
    description: str
    version: str = "0.1.0"
    routers: Sequence[APIRouter] = ()
    indexes: Sequence[IndexSpec] = ()
    outbox_collections: Sequence[str] = ()
    publishes: Sequence[type[Event]] = ()
    subscribe: Subscribe | None = None
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    clock: Clock | None = None
    openapi_tags: list[dict[str, Any]] | None = None
    # Collections whose documents carry `expires_at` (chassis.sweeper): pruned once past.
    expiring: Sequence[str] = ()


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def _retry(what: str, attempt: Callable[[], Awaitable[Any]], *, timeout: float = 60.0) -> None:
    """Wait for a dependency at start, as compose's depends_on cannot promise it."""
    delay, waited = 0.5, 0.0
    while True:
        try:
            await attempt()
            return
        except Exception as error:
            if waited >= timeout:
                raise RuntimeError(f"{what} still unreachable after {timeout:.0f}s: {error!r}") from error
            log.warning("%s not ready yet (%r), retrying in %.1fs", what, error, delay)
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)


def relay_policy(settings: ServiceSettings, *, poll_seconds: float | None = None) -> RelayPolicy:
    """The retry and parking policy of every relay of a service (events, mail)."""
    return RelayPolicy(
        poll_seconds=settings.outbox_poll_seconds if poll_seconds is None else poll_seconds,
        batch_size=settings.outbox_batch_size,
        backoff_seconds=settings.outbox_backoff_seconds,
        max_backoff_seconds=settings.outbox_max_backoff_seconds,
        max_attempts=settings.outbox_max_attempts,
        adopt_seconds=settings.outbox_adopt_seconds,
    )


# The named leases of jobs one instance of a service does at a time (chassis.leases.Leadership).
LEADERS = "_leaders"


def mail_courier(runtime: Runtime, settings: MailSettings, collections: Sequence[str]) -> tuple[OutboxRelay, Wakeup]:
    """The courier of a service: the relay that sends the mail pending in `collections` to the
    service's SMTP server, and its wake-up. The caller starts it (`runtime.start_background`)."""
    return courier(
        runtime.db,
        collections,
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        timeout=settings.smtp_timeout_seconds,
        metrics=runtime.metrics,
        policy=relay_policy(settings, poll_seconds=1.0),
        # One courier at a time among a service's instances (ADR 0037), on the real time:
        # a test stack's moved clock must not make the lease look lapsed.
        leadership=Leadership(
            runtime.db[LEADERS],
            name=f"courier:{','.join(collections)}",
            owner=new_owner(f"{runtime.settings.service_name}-courier"),
            clock=SystemClock(),
        ),
    )


def build_runtime(definition: ServiceDefinition) -> Runtime:
    settings = definition.settings
    clock = definition.clock or (
        OffsetFileClock(settings.clock_offset_file) if settings.clock_offset_file is not None else SystemClock()
    )
    metrics = ServiceMetrics(settings.service_name)
    tracer_provider = build_tracer_provider(settings.service_name, settings.otel_exporter_otlp_endpoint)
    mongo = connect(settings)
    db = mongo[settings.mongo_db]
    broker = build_broker(settings, metrics, tracer_provider)
    outbox = Outbox(clock)
    relay = OutboxRelay(
        db,
        definition.outbox_collections,
        outbox.wakeup,
        kafka_publisher(broker),
        metrics,
        policy=relay_policy(settings),
        clock=clock,
    )
    consumer = EventConsumer(
        group_id=settings.service_name,
        broker=broker,
        db=db,
        metrics=metrics,
        clock=clock,
        max_attempts=settings.consumer_max_attempts,
        backoff_seconds=settings.consumer_backoff_seconds,
        backoff_max_seconds=settings.consumer_backoff_max_seconds,
        batch_size=settings.consumer_batch_size,
        tracer=tracer_provider.get_tracer("chassis.consumer"),
    )
    sweeper = Sweeper(
        db,
        [
            SweepRule(INBOX, "recorded_at", timedelta(days=settings.inbox_retention_days)),
            # Inbox records written before `recorded_at` existed.
            SweepRule(INBOX, "applied_at", timedelta(days=settings.inbox_retention_days)),
            *expiring(*definition.expiring),
        ],
        clock,
        metrics,
        interval_seconds=settings.sweeper_interval_seconds,
    )
    # Tokens live in real time (their `exp`, identity's revocations): the revocation list keeps the
    # wall clock even where a test stack moves the service's business clock (OffsetFileClock).
    revocations = RevocationList(timedelta(seconds=settings.revocation_window_seconds), SystemClock())
    verifier = JwksVerifier(
        settings.jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        failure_cache_seconds=settings.jwks_failure_cache_seconds,
        revocations=revocations,
    )
    # As the service's own Kafka principal (the ACLs let every process read SessionsRevoked).
    feed = RevocationFeed(
        revocations,
        settings.kafka_bootstrap_servers,
        client_id=settings.kafka_client_id,
        **settings.kafka_client_options,
    )
    return Runtime(
        settings=settings,
        clock=clock,
        metrics=metrics,
        tracer_provider=tracer_provider,
        mongo=mongo,
        db=db,
        broker=broker,
        outbox=outbox,
        relay=relay,
        consumer=consumer,
        verifier=verifier,
        sweeper=sweeper,
        revocations=revocations,
        revocation_feed=feed,
    )


def create_service_app(definition: ServiceDefinition) -> FastAPI:
    settings = definition.settings
    configure_logging(settings.service_name, settings.log_level)
    runtime = build_runtime(definition)
    # Subscribers and publishers are declared before start (and documented).
    if definition.subscribe is not None:
        definition.subscribe(runtime.consumer, runtime)
    for event_cls in definition.publishes:
        # A service that also consumes one of its own events (identity's mailbox
        # reads AccountMigrated) has a subscriber titled `<service>:<topic>`
        # already: the same title would merge both into one AsyncAPI channel and
        # lose the `receive` operation, hence the read ACL derived from it.
        consumed = event_cls.topic in runtime.consumer.topics
        runtime.broker.publisher(
            event_cls.topic,
            title=f"{settings.service_name}:{event_cls.topic}" + (":send" if consumed else ""),
            description=(event_cls.__doc__ or "").strip(),
            schema=Envelope,
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        indexes = [
            *definition.indexes,
            *outbox_indexes(*definition.outbox_collections),
            *runtime.sweeper.indexes(),
        ]
        await _retry("MongoDB", lambda: ensure_indexes(runtime.db, indexes))
        await _retry("Kafka", runtime.broker.start)
        # Topics as code: what this service publishes exists before its relay sends.
        await _retry("Kafka topics", lambda: ensure_service_topics(settings, definition.publishes))
        runtime.start_deferred()
        for hook in definition.on_startup:
            await hook(runtime)
        runtime.start_background(runtime.relay, "outbox-relay")
        runtime.start_background(runtime.sweeper, "sweeper")
        runtime.start_background(runtime.revocation_feed, "revocation-feed")
        runtime.started = True
        log.info("%s started", settings.service_name)
        try:
            yield
        finally:
            runtime.started = False
            runtime.consumer.stop()  # take no more records: the broker waits for those in hand
            await runtime.stop_background()
            for hook in definition.on_shutdown:
                await hook(runtime)
            await runtime.broker.stop()
            await runtime.mongo.close()
            await runtime.verifier.aclose()
            runtime.tracer_provider.shutdown()

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        openapi_tags=definition.openapi_tags,
    )
    app.state.runtime = runtime
    app.state.asyncapi = lambda: asyncapi_document(
        runtime.broker,
        title=f"{definition.title} events",
        version=definition.version,
        description=definition.description,
    )
    install_problem_handlers(app)
    install_http_metrics(app, runtime.metrics)
    # Last added runs first: security headers on everything, the request id on a 413 too.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, per_path=settings.body_limits())
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.include_router(operations_router)
    for router in definition.routers:
        app.include_router(router)
    document_body_limit(app)
    install_openapi(app)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=runtime.tracer_provider, excluded_urls=UNTRACED_URLS)
    return app
