"""What billing's service tests share: a billing app on the real local Kafka, Mongo server and SMTP
sink, on a settable clock, in its own database (dropped after). A module the service tests import,
not a conftest, so that unit tests never load the whole app."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from billing.app import create_app
from billing.ports import Billing, Fees
from billing.settings import BillingSettings
from devstack.stack import Stack
from tests.clock import SettableClock


@dataclass
class BillingApp:
    app: FastAPI
    billing: Billing
    fees: Fees
    clock: SettableClock
    db: Any
    broker: Any
    stack: Stack


@contextlib.asynccontextmanager
async def billing_app(stack: Stack, prefix: str, start: datetime, **settings: Any) -> AsyncIterator[BillingApp]:
    """A started billing app (its debit scheduler off unless `settings` say otherwise)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    config = BillingSettings(
        **{
            "service_name": name,
            "environment": "test",
            "mongo_url": stack.mongo_url,
            "kafka_bootstrap_servers": stack.bootstrap_servers,
            "smtp_host": stack.smtp.host,
            "smtp_port": stack.smtp.port,
            "debit_scheduler_enabled": False,
            "log_level": "WARNING",
            **settings,
        }
    )
    clock = SettableClock(start)
    app = create_app(config, clock=clock)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=90):
        runtime = app.state.runtime
        try:
            yield BillingApp(app, app.state.billing, app.state.fees, clock, runtime.db, runtime.broker, stack)
        finally:
            await runtime.mongo.drop_database(name)
