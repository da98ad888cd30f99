"""Identity's command handlers: what each route asks for, on the real adapters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from chassis.errors import Problem, Unauthorized
from chassis.outbox import Wakeup
from chassis.service import Runtime
from contracts import PersonKind
from identity.domain import accounts as rules
from identity.mail.courier import mail_entry
from identity.mail.templates import activation_mail
from identity.security import DUMMY_HASH, access_token, hash_password, verify_password
from identity.settings import IdentitySettings
from identity.store.accounts import AccountStore
from identity.store.keys import KeyStore, SigningKey


@dataclass
class Identity:
    """Identity's own adapters, next to the shared runtime."""

    runtime: Runtime
    settings: IdentitySettings
    accounts: AccountStore
    keys: KeyStore
    signing_key: SigningKey
    courier_wakeup: Wakeup


async def register_account(identity: Identity, form: rules.Registration) -> None:
    """RegisterAccount. Silent when the email is taken, so that the answer
    never tells whether an address is registered."""
    problems = rules.registration_problems(form)
    if problems:
        raise rules.RegistrationRefused(problems)
    now = identity.runtime.clock.now()
    account_id = uuid.uuid4().hex
    token, token_hash = rules.new_secret()
    link = f"{identity.settings.public_base_url}/api/identity/accounts/activation?token={token}"
    subject, text = activation_mail(link)
    account: dict[str, Any] = {
        "_id": account_id,
        "email": form.email,
        "password_hash": await hash_password(form.password),
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
        "activation": {
            "hash": token_hash,
            "expires_at": rules.activation_expiry(now, identity.settings.activation_ttl_hours),
        },
    }
    mails = [mail_entry(to=form.email, subject=subject, text=text, now=now)]
    if await identity.accounts.add(account, [rules.registered_event(account_id, form)], mails):
        identity.courier_wakeup.notify()


async def activate_account(identity: Identity, token: str) -> None:
    """ActivateAccount with the single-use token from the activation mail."""
    account = await identity.accounts.by_activation_hash(rules.hash_secret(token))
    now = identity.runtime.clock.now()
    if account is None or account["activation"]["expires_at"] <= now:
        raise Problem(
            "this activation link is invalid, already used or expired",
            status=400,
            code="activation-token-invalid",
            title="Invalid activation link",
        )
    event = rules.activated_event(
        account["_id"],
        account["email"],
        PersonKind(account["person_kind"]),
        account["display_name"],
        account.get("siret"),
    )
    if not await identity.accounts.activate(account["_id"], now, [event]):
        raise Problem(
            "this activation link was already used",
            status=400,
            code="activation-token-invalid",
            title="Invalid activation link",
        )


async def log_in(identity: Identity, email: str, password: str) -> tuple[str, int]:
    """LogIn: an access token for valid credentials of an active account."""
    account = await identity.accounts.by_email(email)
    valid = await verify_password(account["password_hash"] if account else DUMMY_HASH, password)
    if account is None or not valid:
        raise Unauthorized("wrong email or password", code="invalid-credentials")
    if account["status"] != rules.AccountStatus.ACTIVE:
        raise Problem(
            "this account is not activated yet: follow the link in the activation mail",
            status=403,
            title="Account not activated",
            code="account-not-activated",
        )
    ttl = identity.settings.access_token_ttl_seconds
    token = access_token(
        identity.signing_key,
        account_id=account["_id"],
        email=account["email"],
        roles=account.get("roles", []),
        issuer=identity.settings.jwt_issuer,
        audience=identity.settings.jwt_audience,
        now=identity.runtime.clock.now(),
        ttl_seconds=ttl,
    )
    return token, ttl
