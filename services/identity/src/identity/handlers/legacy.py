"""Legacy-portal migration: import, legacy login, new email and password,
confirmation by mail (the activation link), AccountMigrated; old mailbox export."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chassis.errors import Conflict, Problem, Unauthorized
from contracts import PersonKind
from contracts.events.identity import AccountRegistered
from identity.domain import accounts as rules
from identity.domain.legacy import (
    LegacyRecordInvalid,
    LegacyStatus,
    parse_legacy_line,
)
from identity.domain.passwords import new_password_problems
from identity.domain.tokens import expiry, hash_secret, is_live, new_secret
from identity.handlers.accounts import ACTIVATION_PAGE, activation_state, notify_taken_email
from identity.handlers.context import Identity
from identity.handlers.credentials import legacy_credentials_valid
from identity.handlers.recovery import PasswordRefused
from identity.handlers.sessions import Lockout
from identity.mail.templates import migration_confirmation_mail
from identity.store.legacy import LegacyLoginTaken, LegacyStore


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
    legacy = await identity.legacy.by_login(login)
    if not await legacy_credentials_valid(identity, legacy, password) or legacy is None:
        await lockout.failed()
        raise Unauthorized("wrong former-portal login or password", code="invalid-credentials")
    await lockout.succeeded()
    if legacy["status"] == LegacyStatus.MIGRATED:
        raise Conflict(
            "this former-portal account was already migrated: log in with your new email at /sessions",
            code="legacy-already-migrated",
        )
    ttl = timedelta(minutes=identity.settings.migration_ticket_ttl_minutes)
    token, token_hash = new_secret()
    await identity.legacy.issue_ticket(legacy["_id"], {"hash": token_hash, "expires_at": expiry(identity.now(), ttl)})
    return MigrationTicket(token, int(ttl.total_seconds()), legacy.get("company_name"))


def invalid_ticket() -> Problem:
    return Problem(
        "this migration ticket is invalid, used or expired: log in with your former-portal credentials again",
        status=400,
        code="migration-ticket-invalid",
    )


async def legacy_for_ticket(identity: Identity, ticket: str) -> dict[str, Any]:
    legacy = await identity.legacy.by_ticket(hash_secret(ticket))
    if legacy is None or not is_live(legacy["ticket"].get("expires_at"), identity.now()):
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
    if not await identity.legacy.confirming(legacy["_id"], hash_secret(ticket), account_id, email):
        raise invalid_ticket()
    now = identity.now()
    token, activation = activation_state(identity)
    display_name = legacy.get("company_name") or legacy["login"]
    account = {
        "_id": account_id,
        "email": email,
        "account_kind": rules.MEMBER,
        "roles": [],
        "password_hash": await identity.passwords.hash(password),
        "status": rules.AccountStatus.PENDING_ACTIVATION,
        "person_kind": PersonKind.LEGAL,
        "company_name": legacy.get("company_name"),
        "siret": legacy.get("siret"),
        "display_name": display_name,
        "legacy_id": legacy["_id"],
        "legacy_login": legacy["login"],
        "contract_reference": legacy.get("contract_reference"),
        "registered_at": now,
        "activation": activation,
    }
    ttl = identity.settings.activation_ttl_hours
    mail = identity.mail(email, migration_confirmation_mail(identity.page_link(ACTIVATION_PAGE, token), ttl))
    event = AccountRegistered(
        account_id=account_id,
        email=email,
        person_kind=PersonKind.LEGAL,
        display_name=display_name,
        siret=legacy.get("siret"),
    )
    if await identity.accounts.add(account, [event], [mail]):
        identity.courier_wakeup.notify()
    else:
        await notify_taken_email(identity, email)


def mailbox_export(legacy: dict[str, Any]) -> dict[str, Any]:
    return {
        "legacy_id": legacy["_id"],
        "login": legacy["login"],
        "messages": sorted(legacy.get("mailbox", []), key=lambda message: message["received_at"]),
    }


async def export_mailbox_with_ticket(identity: Identity, ticket: str) -> dict[str, Any]:
    return mailbox_export(await legacy_for_ticket(identity, ticket))


async def export_mailbox_of_account(identity: Identity, account_id: str) -> dict[str, Any]:
    account = await identity.accounts.by_id(account_id)
    legacy = await identity.legacy.by_id(account["legacy_id"]) if account and account.get("legacy_id") else None
    if legacy is None:
        raise Problem("this account was not migrated from the former portal", status=404, code="no-legacy-mailbox")
    return mailbox_export(legacy)
