"""Password recovery: a single-use expiring link mailed to the account's own
email, a new password entered twice, every session revoked."""

from __future__ import annotations

from datetime import timedelta

from chassis.errors import Problem
from contracts.events.identity import PasswordReset
from identity.domain import throttle as throttling
from identity.domain.accounts import Account, AccountLink
from identity.domain.links import RECOVERY
from identity.domain.passwords import PasswordRefused, new_password_problems
from identity.handlers.context import PASSWORD_FORGOTTEN_PAGE, Identity
from identity.handlers.sessions import every_session_revoked
from identity.mail.templates import password_changed_mail, recovery_mail

# The portal page the recovery mail links to; it POSTs the token to /recovery/link.
RECOVERY_PAGE = "/recovery"


def invalid_recovery_link() -> Problem:
    return Problem(
        "this password reset link is invalid, already used or expired: ask for a new one",
        code="recovery-token-invalid",
    )


async def request_recovery(identity: Identity, email: str, client_address: str) -> None:
    """RequestPasswordRecovery: only the account's own (login) email matches;
    the answer is the same whether or not it does."""
    await identity.limit_mail_requests("recovery", client_address)
    account = await identity.accounts.by_email(email)
    if account is None or not account.is_active():
        return
    ttl = identity.settings.recovery_ttl_minutes
    recovery = identity.new_link(timedelta(minutes=ttl))
    token = await identity.tokens.issue(RECOVERY, account.account_id, expires_at=recovery.expires_at)
    mail = identity.mail(email, recovery_mail(identity.page_link(RECOVERY_PAGE, token), ttl))
    sent_before = recovery.sent_at - identity.resend_interval
    queued = await identity.accounts.send_link(account.account_id, AccountLink.RECOVERY, recovery, mail, sent_before)
    await identity.replace_link(RECOVERY, token, account.account_id, queued)


async def account_for_recovery(identity: Identity, token: str) -> Account:
    link = await identity.tokens.peek(RECOVERY, token)
    account = await identity.accounts.by_id(link.subject) if link else None
    if account is None or not account.is_active():
        raise invalid_recovery_link()
    return account


async def complete_recovery(identity: Identity, token: str, password: str, confirmation: str) -> None:
    """ResetPassword: the link's token, the new password twice."""
    account = await account_for_recovery(identity, token)
    account_id, email = account.account_id, account.email
    problems = new_password_problems(password, confirmation, email)
    if problems:
        raise PasswordRefused(problems)
    now = identity.now()
    mail = identity.mail(email, password_changed_mail(identity.page(PASSWORD_FORGOTTEN_PAGE)))
    event = PasswordReset(account_id=account_id, email=email)
    sessions = await identity.sessions.open_families(account_id, now)
    revoked = every_session_revoked(account_id, sessions, now, "password-reset")
    password_hash = await identity.passwords.hash(password)
    if await identity.tokens.consume(RECOVERY, token) is None:
        raise invalid_recovery_link()
    if not await identity.accounts.reset_password(account_id, password_hash, now, [event, revoked], mail):
        raise invalid_recovery_link()
    identity.courier_wakeup.notify()
    # The reset's write already cut every session (sessions_revoked_before);
    # marking the tokens too keeps the store telling the truth.
    await identity.sessions.revoke_account(account_id)
    # The owner proved control of the mailbox: a lock on the login goes too.
    await identity.throttle.forget(throttling.login_key(email))
