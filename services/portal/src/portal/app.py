"""Wiring of the web portal (`uvicorn --factory portal.app:create_app`)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from chassis.auth import bearer_token
from chassis.clock import Clock, SystemClock
from chassis.metrics import ServiceMetrics, install_http_metrics
from chassis.mongo import connect, ensure_indexes, ping
from chassis.telemetry import UNTRACED_URLS, build_tracer_provider, configure_logging
from portal.adapters.api import GatewayApi
from portal.pages import ROUTERS
from portal.ports import Api, SessionStore
from portal.settings import PortalSettings
from portal.store.sessions import SESSION_INDEXES, MongoSessionStore
from portal.web.accesslog import AccessLogMiddleware
from portal.web.clientaddress import ClientAddressMiddleware, current_client
from portal.web.context import Portal
from portal.web.csrf import verify_csrf
from portal.web.errorpages import install_error_pages
from portal.web.i18n import Catalogs
from portal.web.security import SecurityHeadersMiddleware
from portal.web.session import SessionMiddleware

log = logging.getLogger("portal")
STATIC_DIR = Path(__file__).resolve().parent / "static"
PURGE_INTERVAL_SECONDS = 600.0


def create_app(
    settings: PortalSettings | None = None,
    clock: Clock | None = None,
    api: Api | None = None,
    sessions: SessionStore | None = None,
) -> FastAPI:
    """The portal; tests pass in-memory fakes of the gateway client and the session store."""
    settings = settings or PortalSettings()
    configure_logging(settings.service_name, settings.log_level)
    # Uvicorn's access log prints the query string: ours (AccessLogMiddleware) does not.
    logging.getLogger("uvicorn.access").disabled = True
    clock = clock or SystemClock()
    mongo = connect(settings)
    db = mongo[settings.mongo_db]
    sessions = sessions or MongoSessionStore(db)
    gateway = api or GatewayApi(
        settings.gateway_url,
        sessions,
        timeout=settings.gateway_timeout_seconds,
        clock=clock,
        client_address=current_client,
    )
    portal = Portal(settings=settings, api=gateway, sessions=sessions, clock=clock, catalogs=Catalogs())
    metrics = ServiceMetrics(settings.service_name)
    tracer_provider = build_tracer_provider(settings.service_name, settings.otel_exporter_otlp_endpoint)

    async def purge() -> None:
        while True:
            with contextlib.suppress(Exception):
                await ensure_indexes(db, SESSION_INDEXES)
                break
            await asyncio.sleep(2)
        while True:
            try:
                removed = await sessions.purge_expired(clock.now())
                if removed:
                    log.info("expired sessions removed: %d", removed)
            except Exception:
                log.warning("expired sessions not purged (Mongo unreachable?)", exc_info=True)
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(purge(), name="session-purge")
        log.info("portal started: gateway %s", settings.gateway_url)
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await gateway.aclose()
            await mongo.close()
            tracer_provider.shutdown()

    app = FastAPI(
        title="creditdesk portal",
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.portal = portal
    # Last added runs first: the access log sees every answer, security headers are on all of them.
    app.add_middleware(SessionMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)
    install_http_metrics(app, metrics)
    # Outermost: the person's address is known to every layer and to each API call.
    app.add_middleware(ClientAddressMiddleware, settings=settings, clock=clock)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        mongo_ok, gateway_ok = await asyncio.gather(ping(db), _gateway_up(settings.gateway_url))
        checks = {"mongo": "up" if mongo_ok else "down", "gateway": "up" if gateway_ok else "down"}
        if mongo_ok and gateway_ok:
            return JSONResponse({"status": "ready", "checks": checks})
        return JSONResponse({"status": "not ready", "checks": checks}, status_code=503, headers={"Retry-After": "5"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics_route(request: Request) -> Response:
        expected = settings.metrics_token
        given = bearer_token(request) or ""
        if expected is not None and not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
            return Response("the portal's metrics are for Prometheus only\n", status_code=401)
        return metrics.render()

    for router in ROUTERS:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider, excluded_urls=UNTRACED_URLS)
    return app


async def _gateway_up(url: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=url, timeout=1.0) as client:
            return (await client.get("/health")).status_code == 200
    except httpx.HTTPError:
        return False
