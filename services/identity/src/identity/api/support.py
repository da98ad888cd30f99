"""Support routes (role `support` in the access token): identity data, audited."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query

from chassis.auth import CurrentCaller
from chassis.openapi import problems
from identity.api import problems as p
from identity.api.deps import IdentityDep
from identity.api.schemas import AccountDetails, AuditEntry, LegacyImportReport, SupportChangeIn
from identity.handlers.legacy import import_legacy_accounts
from identity.handlers.support import audit_trail, change_identity_data, find_account, require_support

router = APIRouter(prefix="/admin", tags=["support"])
SUPPORT_ERRORS = problems(*p.AUTH, p.SUPPORT_ONLY, p.ACCOUNT_NOT_FOUND)


@router.get("/accounts", response_model=AccountDetails, operation_id="support_find_account", responses=SUPPORT_ERRORS)
async def find(
    caller: CurrentCaller, identity: IdentityDep, email: str = Query(min_length=3, max_length=320)
) -> AccountDetails:
    """Find an account by its email (support only)."""
    return AccountDetails.of(await find_account(identity, caller, email.strip().lower()))


@router.patch(
    "/accounts/{account_id}",
    response_model=AccountDetails,
    operation_id="support_change_identity_data",
    responses=problems(*p.AUTH, p.SUPPORT_ONLY, p.SELF_CHANGE, p.ACCOUNT_NOT_FOUND, p.REFUSED),
)
async def change(
    account_id: str, body: SupportChangeIn, caller: CurrentCaller, identity: IdentityDep
) -> AccountDetails:
    """Change an account's identity data (support only; never a password); audited."""
    updated = await change_identity_data(identity, caller, account_id, body.changes(), body.reason)
    return AccountDetails.of(updated)


@router.get(
    "/accounts/{account_id}/audit",
    response_model=list[AuditEntry],
    operation_id="support_audit_trail",
    responses=SUPPORT_ERRORS,
)
async def audit(account_id: str, caller: CurrentCaller, identity: IdentityDep) -> list[AuditEntry]:
    """The append-only trail of support changes to an account (support only)."""
    return [AuditEntry.of(entry) for entry in await audit_trail(identity, caller, account_id)]


LEGACY_EXAMPLE = (
    '{"legacy_id": "CI-000123", "login": "dupont.sa", "password_hash": "pbkdf2_sha256$260000$sel$...", '
    '"company_name": "DUPONT SA", "siret": "73282932000074", "contract_reference": "CTR-2019-0042", '
    '"mailbox": [{"received_at": "2024-03-01T08:00:00+00:00", "subject": "Alerte", "body": "Score en baisse"}]}'
)


@router.post(
    "/legacy-imports",
    response_model=LegacyImportReport,
    operation_id="support_import_legacy_accounts",
    responses=problems(*p.AUTH, p.SUPPORT_ONLY),
)
async def import_legacy(
    caller: CurrentCaller,
    identity: IdentityDep,
    lines: str = Body(media_type="text/plain", examples=[LEGACY_EXAMPLE], max_length=20_000_000),
) -> LegacyImportReport:
    """Import legacy-portal accounts (JSON lines, one account per line; support only)."""
    require_support(caller)
    report = await import_legacy_accounts(identity, lines.splitlines())
    return LegacyImportReport(imported=report.imported, skipped_migrated=report.skipped_migrated, errors=report.errors)
