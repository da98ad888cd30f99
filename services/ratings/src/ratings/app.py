"""Wiring of the ratings service.

Only the shared runtime for now (health, readiness, metrics, AsyncAPI, the
outbox relay and the consumer group); its business routes and handlers come
with the ratings issue.
"""

from __future__ import annotations

from fastapi import FastAPI

from chassis.service import ServiceDefinition, create_service_app
from ratings.settings import RatingsSettings


def create_app(settings: RatingsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            settings=settings or RatingsSettings(),
            title="creditdesk ratings",
            description="Company credit files, history, portfolios, monitoring and alerts.",
        )
    )
