"""Registration, activation (also of migrated accounts) and its resend."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from chassis.errors import Problem
from contracts import Event, PersonKind
from contracts.events.identity import AccountMigrated
from identity.domain import accounts as rules
from identity.domain.tokens import hash_secret, new_secret
from identity.handlers.context import Identity
from identity.mail.templates import activation_mail, already_registered_mail

ACTIVATION_PATH = "/accounts/activation"
# The portal's activation landing: the mailed link carries the token in its fragment.
ACTIVATION_PAGE = "/activation"


def activation_state(identity: Identity) -> tuple[str, dict[str, Any]]:
    """A new activation token and what the account stores of it."""
    now = identity.now()
    token, token_hash = new_secret()
    return token, {
        "hash": token_hash,
        "expires_at": rules.activation_expiry(now, identity.settings.activation_ttl_hours),
        "sent_at": now,
    }


async def notify_taken_email(identity: Identity, email: str) -> None:
    """Someone registered with an address that has an account: tell its owner
    (at most once per resend interval), and answer as for a new address."""
    account = await identity.accounts.by_email(email)
    if account is None:
        return
    now = identity.now()
    mail = identity.mail(email, already_registered_mail(identity.link("/sessions"), identity.link("/recovery")))
    if await identity.accounts.queue_mail(
        account["_id"],
        mail,
        stamp="notices.registration_attempt_at",
        now=now,
        sent_before=now - identity.resend_interval,
    ):
        identity.courier_wakeup.notify()


async def register_account(identity: Identity, form: rules.Registration, client_address: str) -> None:
    """RegisterAccount. When the email is taken nothing is created and the
    owner is told by mail: the answer never tells whether an address is registered."""
    problems = rules.registration_problems(form)
    if problems:
        raise rules.RegistrationRefused(problems)
    await identity.limit_mail_requests("register", client_address)
    now = identity.now()
    account_id = uuid.uuid4().hex
    token, activation = activation_state(identity)
    account: dict[str, Any] = {
        "_id": account_id,
        "email": form.email,
        "account_kind": rules.MEMBER,
        "roles": [],
        # Hashed even when the email turns out to be taken: both answers take as long.
        "password_hash": await identity.passwords.hash(form.password),
        "status": rules.AccountStatus.PENDING_ACTIVATION,
        "person_kind": form.person_kind,
        "civility": form.civility,
        "last_name": form.last_name,
        "first_name": form.first_name,
        "company_name": form.company_name,
        "legal_form": form.legal_form,
        "siret": form.siret,
        "display_name": rules.display_name(form),
        "address": {
            "line": form.address.line,
            "complement": form.address.complement,
            "postal_code": form.address.postal_code,
            "city": form.address.city,
        },
        "registered_at": now,
        "activation": activation,
    }
    ttl = identity.settings.activation_ttl_hours
    mails = [identity.mail(form.email, activation_mail(identity.page_link(ACTIVATION_PAGE, token), ttl))]
    if await identity.accounts.add(account, [rules.registered_event(account_id, form)], mails):
        identity.courier_wakeup.notify()
    else:
        await notify_taken_email(identity, form.email)


def invalid_link(detail: str = "this activation link is invalid, already used or expired") -> Problem:
    return Problem(detail, status=400, code="activation-token-invalid")


async def activate_account(identity: Identity, token: str) -> None:
    """ActivateAccount with the single-use token from the activation mail. For
    an account migrated from the legacy portal, this is the email confirmation
    that completes the migration (AccountMigrated)."""
    account = await identity.accounts.by_activation_hash(hash_secret(token))
    now = identity.now()
    if account is None or account["activation"]["expires_at"] <= now:
        raise invalid_link()
    events: list[Event] = [
        rules.activated_event(
            account["_id"],
            account["email"],
            PersonKind(account["person_kind"]),
            account["display_name"],
            account.get("siret"),
            account.get("account_kind", rules.MEMBER),
        )
    ]
    legacy_id = account.get("legacy_id")
    if legacy_id:
        if await identity.accounts.active_by_legacy_id(legacy_id) is not None:
            raise invalid_link("this former-portal account was already migrated to another account")
        events.append(
            AccountMigrated(
                account_id=account["_id"],
                legacy_id=legacy_id,
                email=account["email"],
                contract_reference=account.get("contract_reference"),
                company_name=account.get("company_name"),
            )
        )
    if not await identity.accounts.activate(account["_id"], now, events):
        raise invalid_link("this activation link was already used")
    if legacy_id:
        await identity.legacy.migrated(legacy_id, account["_id"], now)


async def resend_activation(identity: Identity, email: str, client_address: str) -> None:
    """ResendActivation: a fresh link for a pending account, at most once per
    resend interval; silent otherwise (same answer whatever the address)."""
    await identity.limit_mail_requests("resend", client_address)
    account = await identity.accounts.by_email(email)
    if account is None or account["status"] != rules.AccountStatus.PENDING_ACTIVATION:
        return
    token, activation = activation_state(identity)
    ttl = identity.settings.activation_ttl_hours
    mail = identity.mail(email, activation_mail(identity.page_link(ACTIVATION_PAGE, token), ttl))
    sent_before = identity.now() - timedelta(seconds=identity.settings.mail_resend_interval_seconds)
    if await identity.accounts.renew_activation(account["_id"], activation, mail, sent_before):
        identity.courier_wakeup.notify()
