"""Support changes to identity data: role `support` only, audited."""

from __future__ import annotations

import uuid

from chassis.auth import Caller
from chassis.errors import Forbidden, NotFound, invalid
from contracts.events.identity import AccountDetailsChanged
from identity.domain import accounts as rules
from identity.domain import support as policy
from identity.domain.accounts import Account
from identity.domain.problems import field_errors
from identity.handlers.context import Identity


def require_support(caller: Caller) -> None:
    if not caller.has_role(rules.SUPPORT_ROLE):
        raise Forbidden("only support staff may do this", code="support-only")


def no_such_account() -> NotFound:
    return NotFound("no such account", code="account-not-found")


async def find_account(identity: Identity, caller: Caller, email: str) -> Account:
    require_support(caller)
    account = await identity.accounts.by_email(email)
    if account is None:
        raise NotFound("no account has this email", code="account-not-found")
    return account


async def change_identity_data(
    identity: Identity, caller: Caller, account_id: str, changes: policy.Changes, reason: str
) -> Account:
    """ChangeIdentityData: the change and its audit entry in one write."""
    require_support(caller)
    if caller.account_id == account_id:
        raise Forbidden("support staff cannot change their own account", code="support-self-change")
    account = await identity.accounts.by_id(account_id)
    if account is None:
        raise no_such_account()
    problems = policy.support_change_problems(account.person_kind, changes)
    if problems:
        errors = field_errors(problems)
        raise invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    diff = policy.changed_fields(account, changes)
    if not diff:
        return account
    display_name = policy.display_name_after(account, diff)
    entry = policy.AuditEntry(
        entry_id=uuid.uuid4().hex,
        at=identity.now(),
        actor_id=caller.account_id,
        actor_email=caller.email,
        reason=reason,
        changes=diff,
    )
    event = AccountDetailsChanged(
        account_id=account_id,
        display_name=display_name,
        changed_fields=sorted(diff),
        siren=rules.siren_of(policy.text_after(account, diff, "siret")),
    )
    updated = await identity.accounts.apply_support_change(account_id, entry, display_name, [event])
    if updated is None:
        raise no_such_account()
    return updated


async def audit_trail(identity: Identity, caller: Caller, account_id: str) -> list[policy.AuditEntry]:
    require_support(caller)
    trail = await identity.accounts.audit_trail(account_id)
    if trail is None:
        raise no_such_account()
    return trail
