"""Wiring of the identity service."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import FastAPI

from chassis.service import Runtime, ServiceDefinition, create_service_app
from contracts import AccountActivated, AccountRegistered
from identity.api.routes import router
from identity.handlers import Identity
from identity.mail.courier import courier
from identity.settings import IdentitySettings
from identity.store.accounts import ACCOUNTS, INDEXES, AccountStore
from identity.store.keys import KeyStore


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    tasks: list[asyncio.Task[None]] = []

    async def start(runtime: Runtime) -> None:
        keys = KeyStore(runtime.db, runtime.clock)
        pem = settings.signing_key_pem.get_secret_value() if settings.signing_key_pem else None
        relay, wakeup = courier(runtime.db, [ACCOUNTS], settings)
        tasks.append(asyncio.create_task(relay.run(), name="courier"))
        app.state.identity = Identity(
            runtime=runtime,
            settings=settings,
            accounts=AccountStore(runtime.db, runtime.outbox),
            keys=keys,
            signing_key=await keys.current(pem),
            courier_wakeup=wakeup,
        )

    async def stop(runtime: Runtime) -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk identity",
            description="Accounts, activation, login, password recovery and legacy-portal migration.",
            routers=[router],
            indexes=INDEXES,
            outbox_collections=[ACCOUNTS],
            publishes=[AccountRegistered, AccountActivated],
            on_startup=[start],
            on_shutdown=[stop],
        )
    )
    return app
