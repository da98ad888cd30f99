"""Wiring of the recovery service.

Only the shared runtime for now (health, readiness, metrics, AsyncAPI, the
outbox relay and the consumer group); its business routes and handlers come
with the recovery issue.
"""

from __future__ import annotations

from fastapi import FastAPI

from chassis.service import ServiceDefinition, create_service_app
from recovery.settings import RecoverySettings


def create_app(settings: RecoverySettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            settings=settings or RecoverySettings(),
            title="creditdesk recovery",
            description="Small-claims recovery cases, their deadlines and generated letters.",
        )
    )
