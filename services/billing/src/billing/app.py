"""Wiring of the billing service."""

from __future__ import annotations

from fastapi import FastAPI

from billing.api.routes import router
from billing.bus.handlers import subscribe
from billing.settings import BillingSettings
from billing.store.profiles import INDEXES
from chassis.service import ServiceDefinition, create_service_app


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            settings=settings or BillingSettings(),
            title="creditdesk billing",
            description="Mandates, payment schedules, cards, payments and regularisation.",
            routers=[router],
            indexes=INDEXES,
            subscribe=subscribe,
        )
    )
