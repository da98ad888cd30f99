"""Wiring of the teams service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from chassis.clock import Clock
from chassis.service import Runtime, ServiceDefinition, create_service_app, mail_courier
from chassis.tokens import TOKENS, Tokens, adopt_embedded, token_indexes
from contracts.events.teams import InvitationSent, MemberJoined, MemberRemoved, MemberRightsChanged
from teams.adapters.sms import FileSmsSink
from teams.api.claims import router as claims_router
from teams.api.routes import router
from teams.bus.handlers import subscribe
from teams.domain.invitations import LINK_PURPOSE
from teams.ports import Teams
from teams.settings import TeamsSettings
from teams.store.accounts import ACCOUNT_INDEXES, AccountView
from teams.store.audit import AUDIT_INDEXES, AuditTrail, audit_relay
from teams.store.claims import CLAIM_INDEXES, ClaimStore
from teams.store.companies import COMPANIES, COMPANY_INDEXES, CompanyStore
from teams.store.invitations import INVITATION_INDEXES, INVITATIONS, InvitationStore

TAGS = [
    {"name": "rights", "description": "The six rights an admin grants, with their constraints."},
    {"name": "companies", "description": "Company spaces and My teams."},
    {"name": "claims", "description": "Claims of company spaces with their extract, reviewed by support."},
    {"name": "members", "description": "Members' rights, granted and revoked by an admin; removal."},
    {"name": "invitations", "description": "Invitations confirmed by SMS code and accepted by mailed link."},
    {"name": "audit", "description": "Who changed what and when."},
]


def create_app(settings: TeamsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or TeamsSettings()

    async def start(runtime: Runtime) -> None:
        # Links mailed before ADR 0034 kept their hash in the invitation: adopted, they still open.
        await adopt_embedded(
            runtime.db, INVITATIONS, "link.digest", LINK_PURPOSE, expires="expires_at", issued="sent_at"
        )
        mail_relay, mail_wakeup = mail_courier(runtime, settings, [INVITATIONS])
        trail_relay, trail_wakeup = audit_relay(runtime.db, [COMPANIES, INVITATIONS])
        runtime.start_background(mail_relay, "courier")
        runtime.start_background(trail_relay, "audit-relay")

        def written() -> None:
            """Wake the relays after a write: events, mail and audit records go out at once."""
            mail_wakeup.notify()
            trail_wakeup.notify()

        app.state.teams = Teams(
            settings=settings,
            clock=runtime.clock,
            accounts=AccountView(runtime.db),
            companies=CompanyStore(runtime.db, runtime.outbox),
            claims=ClaimStore(runtime.db),
            invitations=InvitationStore(runtime.db, runtime.outbox),
            audit=AuditTrail(runtime.db),
            sms=FileSmsSink(Path(settings.sms_sink_dir)),
            written=written,
            tokens=Tokens(runtime.db, clock=runtime.clock),
        )

    app = create_service_app(
        ServiceDefinition(
            settings=settings,
            title="creditdesk teams",
            description="Company spaces, members and their rights, invitations confirmed by SMS code, audit trail.",
            routers=[claims_router, router],
            indexes=[
                *ACCOUNT_INDEXES,
                *CLAIM_INDEXES,
                *COMPANY_INDEXES,
                *INVITATION_INDEXES,
                *AUDIT_INDEXES,
                *token_indexes(),
            ],
            outbox_collections=[COMPANIES, INVITATIONS],
            expiring=[TOKENS],
            publishes=[InvitationSent, MemberJoined, MemberRightsChanged, MemberRemoved],
            subscribe=subscribe,
            on_startup=[start],
            openapi_tags=TAGS,
            clock=clock,
        )
    )
    return app
