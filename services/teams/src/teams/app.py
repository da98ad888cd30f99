"""Wiring of the teams service.

Only the shared runtime for now (health, readiness, metrics, AsyncAPI, the
outbox relay and the consumer group); its business routes and handlers come
with the teams issue.
"""

from __future__ import annotations

from fastapi import FastAPI

from chassis.service import ServiceDefinition, create_service_app
from teams.settings import TeamsSettings


def create_app(settings: TeamsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            settings=settings or TeamsSettings(),
            title="creditdesk teams",
            description="Companies, members, invitations, rights and SMS codes.",
        )
    )
