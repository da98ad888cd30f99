"""Legacy-portal migration: import, legacy login, new email and password,
confirmation by mail (the activation link), AccountMigrated; old mailbox export."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis.errors import Conflict, Problem, Unauthorized
from contracts import PersonKind
from contracts.events.identity import AccountRegistered
from identity.domain.legacy import (
    LegacyAccount,
    LegacyLoginTaken,
    LegacyRecordInvalid,
    migrated_account,
    parse_legacy_line,
)
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.links import MIGRATION_TICKET
from identity.domain.passwords import PasswordRefused, new_password_problems
from identity.handlers.accounts import add_pending_account
from identity.handlers.context import Identity
from identity.handlers.credentials import legacy_credentials_valid
from identity.handlers.sessions import Lockout
from identity.mail.templates import migration_confirmation_mail
from identity.ports import LegacyStore


@dataclass(frozen=True)
class ImportReport:
    imported: int
    skipped_migrated: int
    errors: list[str]


async def import_legacy_accounts(identity: Identity, lines: Iterable[str]) -> ImportReport:
    """ImportLegacyAccounts from a JSON-lines file; a bad line is reported and skipped."""
    return await import_legacy_lines(identity.legacy, lines, identity.now)


async def import_legacy_lines(store: LegacyStore, lines: Iterable[str], now: Callable[[], datetime]) -> ImportReport:
    """The import on the store alone (the admin command uses it without the service)."""
    imported = skipped = 0
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_legacy_line(line, number)
        except LegacyRecordInvalid as invalid:
            errors.append(str(invalid))
            continue
        try:
            written = await store.import_record(record, now())
        except LegacyLoginTaken as taken:
            errors.append(f"line {number}: {taken}")
            continue
        if written:
            imported += 1
        else:
            skipped += 1
    return ImportReport(imported, skipped, errors)


@dataclass(frozen=True)
class MigrationTicket:
    token: str
    expires_in: int
    company_name: str | None


async def legacy_log_in(identity: Identity, login: str, password: str, client_address: str) -> MigrationTicket:
    """LegacyLogIn: old credentials lead to the migration flow, with a short-lived ticket."""
    lockout = Lockout(identity, login, client_address)  # the same key as at /sessions
    await lockout.reserve()
    found = await identity.legacy.credentials(login)
    if not await legacy_credentials_valid(identity, found, password) or found is None:
        await lockout.failed()
        raise Unauthorized("wrong former-portal login or password", code="invalid-credentials")
    await lockout.succeeded()
    legacy = found.account
    if legacy.is_migrated():
        raise Conflict(
            "this former-portal account was already migrated: log in with your new email at /sessions",
            code="legacy-already-migrated",
        )
    ttl = timedelta(minutes=identity.settings.migration_ticket_ttl_minutes)
    # A new ticket replaces the previous one (a second login starts the flow again).
    await identity.tokens.revoke(MIGRATION_TICKET, legacy.legacy_id)
    token = await identity.tokens.issue(MIGRATION_TICKET, legacy.legacy_id, expires_at=identity.now() + ttl)
    return MigrationTicket(token, int(ttl.total_seconds()), legacy.company_name)


def invalid_ticket() -> Problem:
    return Problem(
        "this migration ticket is invalid, used or expired: log in with your former-portal credentials again",
        code="migration-ticket-invalid",
    )


async def legacy_for_ticket(identity: Identity, ticket: str) -> LegacyAccount:
    link = await identity.tokens.peek(MIGRATION_TICKET, ticket)
    legacy = await identity.legacy.by_id(link.subject) if link else None
    if legacy is None or legacy.is_migrated():
        raise invalid_ticket()
    return legacy


async def migrate_legacy_account(
    identity: Identity, ticket: str, email: str, password: str, confirmation: str, client_address: str
) -> None:
    """MigrateLegacyAccount: the new account waits for its email's confirmation
    (its activation link); a taken email is handled as at registration."""
    legacy = await legacy_for_ticket(identity, ticket)
    problems = new_password_problems(password, confirmation, email)
    if problems:
        raise PasswordRefused(problems)
    await identity.limit_mail_requests("migration", client_address)
    account_id = uuid.uuid4().hex
    if await identity.tokens.consume(MIGRATION_TICKET, ticket) is None:
        raise invalid_ticket()
    if not await identity.legacy.confirming(legacy.legacy_id, account_id, email):
        raise invalid_ticket()
    account = migrated_account(legacy, account_id, email, identity.now())
    event = AccountRegistered(
        account_id=account_id,
        email=email,
        person_kind=PersonKind.LEGAL,
        display_name=account.display_name,
        siret=legacy.siret,
    )
    await add_pending_account(identity, account, password, [event], migration_confirmation_mail)


@dataclass(frozen=True)
class LegacyMailboxExport:
    legacy_id: str
    login: str
    messages: tuple[LegacyMessage, ...]


def mailbox_export(legacy: LegacyAccount) -> LegacyMailboxExport:
    return LegacyMailboxExport(legacy.legacy_id, legacy.login, legacy.messages_by_date())


async def export_mailbox_with_ticket(identity: Identity, ticket: str) -> LegacyMailboxExport:
    return mailbox_export(await legacy_for_ticket(identity, ticket))


async def export_mailbox_of_account(identity: Identity, account_id: str) -> LegacyMailboxExport:
    account = await identity.accounts.by_id(account_id)
    legacy = await identity.legacy.by_id(account.legacy_id) if account and account.legacy_id else None
    if legacy is None:
        raise Problem("this account was not migrated from the former portal", status=404, code="no-legacy-mailbox")
    return mailbox_export(legacy)
