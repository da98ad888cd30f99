"""Routes of the legacy-portal migration."""

from __future__ import annotations

from fastapi import APIRouter, status

from chassis.auth import CurrentCaller, NoStore
from chassis.openapi import problems
from identity.api import problems as p
from identity.api.deps import ClientAddress, IdentityDep
from identity.api.schemas import Accepted, LegacyCredentials, MailboxExport, MigrationIn, MigrationTicketOut, TicketIn
from identity.handlers.legacy import (
    export_mailbox_of_account,
    export_mailbox_with_ticket,
    legacy_log_in,
    migrate_legacy_account,
)

router = APIRouter(tags=["legacy migration"])
MIGRATING = (
    "If this address can be used, a confirmation mail is on its way: follow its link, "
    "then log in with this email and your new password."
)


@router.post(
    "/legacy/sessions",
    response_model=MigrationTicketOut,
    operation_id="legacy_log_in",
    dependencies=[NoStore],
    responses=problems(p.INVALID_CREDENTIALS, p.ALREADY_MIGRATED, p.LOCKED),
)
async def legacy_login(body: LegacyCredentials, identity: IdentityDep, address: ClientAddress) -> MigrationTicketOut:
    """Log in with former-portal credentials: a ticket for the migration screen."""
    ticket = await legacy_log_in(identity, body.login, body.password, address)
    return MigrationTicketOut(
        migration_token=ticket.token,
        expires_in=ticket.expires_in,
        company_name=ticket.company_name,
        next="/api/identity/legacy/migrations",
    )


@router.post(
    "/legacy/migrations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    operation_id="migrate_legacy_account",
    responses=problems(p.TICKET_INVALID, p.REFUSED),
)
async def migrate(body: MigrationIn, identity: IdentityDep, address: ClientAddress) -> Accepted:
    """Give the new email and password; a confirmation mail completes the migration."""
    await migrate_legacy_account(
        identity, body.migration_token, body.email.lower(), body.password, body.password_confirmation, address
    )
    return Accepted(message=MIGRATING)


@router.post(
    "/legacy/mailbox/export",
    response_model=MailboxExport,
    operation_id="export_legacy_mailbox",
    responses=problems(p.TICKET_INVALID),
)
async def export_before(body: TicketIn, identity: IdentityDep) -> MailboxExport:
    """Export the former portal's mailbox messages, before the switch (with the migration ticket)."""
    return MailboxExport.of(await export_mailbox_with_ticket(identity, body.migration_token))


@router.get(
    "/accounts/me/legacy-mailbox",
    response_model=MailboxExport,
    operation_id="export_my_legacy_mailbox",
    responses=problems(*p.AUTH, p.NO_LEGACY_MAILBOX),
)
async def export_after(caller: CurrentCaller, identity: IdentityDep) -> MailboxExport:
    """Export the former portal's mailbox messages of the caller's migrated account."""
    return MailboxExport.of(await export_mailbox_of_account(identity, caller.account_id))
