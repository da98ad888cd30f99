"""Registration, activation (also of migrated accounts) and its resend; the caller's own account."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta

from chassis.errors import NotFound, Problem
from contracts import Event
from identity.domain import accounts as rules
from identity.domain.links import ACTIVATION, MailedLink
from identity.handlers.context import LOGIN_PAGE, PASSWORD_FORGOTTEN_PAGE, Identity
from identity.mail.templates import activation_mail, already_registered_mail

# The portal's activation landing: the mailed link carries the token in its fragment.
ACTIVATION_PAGE = "/activation"
# A mail's subject and text from its link and how many hours the link opens.
LinkMail = Callable[[str, int], tuple[str, str]]


async def activation_state(identity: Identity, account_id: str) -> tuple[str, MailedLink]:
    """A new activation token (`chassis.tokens`) and what the account stores of it: when it was
    sent (the resend throttle) and until when it opens."""
    link = identity.new_link(timedelta(hours=identity.settings.activation_ttl_hours))
    token = await identity.tokens.issue(ACTIVATION, account_id, expires_at=link.expires_at)
    return token, link


async def notify_taken_email(identity: Identity, email: str) -> None:
    """Someone registered with an address that has an account: tell its owner
    (at most once per resend interval), and answer as for a new address."""
    account = await identity.accounts.by_email(email)
    if account is None:
        return
    now = identity.now()
    login, forgotten = identity.page(LOGIN_PAGE), identity.page(PASSWORD_FORGOTTEN_PAGE)
    mail = identity.mail(email, already_registered_mail(login, forgotten))
    notice = rules.Notice.REGISTRATION_ATTEMPT
    if await identity.accounts.notify(
        account.account_id, notice, mail, now=now, sent_before=now - identity.resend_interval
    ):
        identity.courier_wakeup.notify()


async def add_pending_account(
    identity: Identity, account: rules.Account, password: str, events: Sequence[Event], link_mail: LinkMail
) -> None:
    """Insert an account waiting for its activation (a registration, a legacy migration) with the
    mail of its activation link. When the email is taken nothing is created and the owner is told
    by mail: the answer never tells whether an address is registered."""
    token, activation = await activation_state(identity, account.account_id)
    # Hashed even when the email turns out to be taken: both answers take as long.
    password_hash = await identity.passwords.hash(password)
    ttl = identity.settings.activation_ttl_hours
    mail = identity.mail(account.email, link_mail(identity.page_link(ACTIVATION_PAGE, token), ttl))
    if await identity.accounts.add(account, password_hash, events, [mail], activation):
        identity.courier_wakeup.notify()
    else:
        await identity.tokens.consume(ACTIVATION, token)  # no account took this id
        await notify_taken_email(identity, account.email)


async def register_account(identity: Identity, form: rules.Registration, client_address: str) -> None:
    """RegisterAccount. When the email is taken nothing is created and the
    owner is told by mail: the answer never tells whether an address is registered."""
    problems = rules.registration_problems(form)
    if problems:
        raise rules.RegistrationRefused(problems)
    await identity.limit_mail_requests("register", client_address)
    account = rules.registered_account(uuid.uuid4().hex, form, identity.now())
    events = [rules.registered_event(account.account_id, form)]
    await add_pending_account(identity, account, form.password, events, activation_mail)


def invalid_link(detail: str = "this activation link is invalid, already used or expired") -> Problem:
    return Problem(detail, code="activation-token-invalid")  # a 400


async def activate_account(identity: Identity, token: str) -> None:
    """ActivateAccount with the single-use token from the activation mail. For
    an account migrated from the legacy portal, this is the email confirmation
    that completes the migration (AccountMigrated)."""
    link = await identity.tokens.peek(ACTIVATION, token)
    account = await identity.accounts.by_id(link.subject) if link else None
    now = identity.now()
    if account is None or not account.is_pending():
        raise invalid_link()
    legacy_id = account.legacy_id
    if legacy_id and await identity.accounts.active_by_legacy_id(legacy_id) is not None:
        raise invalid_link("this former-portal account was already migrated to another account")
    if await identity.tokens.consume(ACTIVATION, token) is None:
        raise invalid_link("this activation link was already used")
    if not await identity.accounts.activate(account.account_id, now, rules.activation_events(account)):
        raise invalid_link("this activation link was already used")
    if legacy_id:
        await identity.legacy.migrated(legacy_id, account.account_id, now)


async def resend_activation(identity: Identity, email: str, client_address: str) -> None:
    """ResendActivation: a fresh link for a pending account, at most once per
    resend interval; silent otherwise (same answer whatever the address)."""
    await identity.limit_mail_requests("resend", client_address)
    account = await identity.accounts.by_email(email)
    if account is None or not account.is_pending():
        return
    token, activation = await activation_state(identity, account.account_id)
    ttl = identity.settings.activation_ttl_hours
    mail = identity.mail(email, activation_mail(identity.page_link(ACTIVATION_PAGE, token), ttl))
    sent_before = identity.now() - identity.resend_interval
    queued = await identity.accounts.send_link(
        account.account_id, rules.AccountLink.ACTIVATION, activation, mail, sent_before
    )
    await identity.replace_link(ACTIVATION, token, account.account_id, queued)


async def my_account(identity: Identity, account_id: str) -> rules.Account:
    """The caller's own account."""
    account = await identity.accounts.by_id(account_id)
    if account is None:
        raise NotFound("account not found", code="account-not-found")
    return account
