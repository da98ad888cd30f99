"""Customer first connection: a buyer creates access with the email given at
purchase, one access per order email (the rules: `identity.domain.customers`).
Identity learns which emails have orders from billing's ScheduleCreated. Nobody
else can set their password."""

from __future__ import annotations

import uuid
from datetime import timedelta

from chassis.errors import Conflict, Problem
from contracts import Envelope
from contracts.events.billing import ScheduleCreated
from identity.domain.accounts import Notice
from identity.domain.customers import (
    FirstConnectionStep,
    Order,
    OrderEmail,
    customer_access,
    first_connection_step,
    order_email,
)
from identity.domain.links import FIRST_CONNECTION
from identity.domain.passwords import PasswordRefused, new_password_problems
from identity.handlers.context import LOGIN_PAGE, PASSWORD_FORGOTTEN_PAGE, Identity
from identity.mail.templates import access_exists_mail, first_connection_mail

# The portal page the first-connection mail links to; it POSTs the token to
# /customers/first-connection/link.
FIRST_CONNECTION_PAGE = "/first-connection"


async def on_schedule_created(identity: Identity, event: ScheduleCreated, envelope: Envelope) -> None:
    """Remember that the buyer's email has an order (idempotent per schedule)."""
    order = Order(
        schedule_id=event.schedule_id,
        order_number=event.order_number,
        merchant=event.merchant,
        purchase_date=event.purchase_date,
        event_id=str(envelope.event_id),
    )
    email = order_email(event.buyer_email)
    await identity.order_emails.record_order(email, order, identity.now())
    if await identity.first_connection_requests.waiting(email, identity.now()):
        # Asked before this order reached identity: answered now. Sent once: a
        # redelivery finds the request gone, or the mail sent within the resend interval.
        await send_first_connection(identity, email)
        await identity.first_connection_requests.forget(email)


async def request_first_connection(identity: Identity, email: str, client_address: str) -> None:
    """RequestFirstConnection: a link to choose a password, mailed only to an
    email that has orders; the answer is the same in every case. An email with no
    known order yet is remembered `first_connection_wait_minutes`: billing's
    ScheduleCreated reaches identity a moment after the schedule is created."""
    await identity.limit_mail_requests("first-connection", client_address)
    await send_first_connection(identity, email)


async def send_first_connection(identity: Identity, email: str) -> None:
    """The first-connection mail of an email that has orders (or a reminder, if it has access)."""
    now = identity.now()
    sent_before = now - identity.resend_interval
    orders = await identity.order_emails.get(email)
    account = await identity.accounts.by_email(email) if orders is not None else None
    step = first_connection_step(orders, account is not None)
    if step is FirstConnectionStep.WAIT:
        wait = timedelta(minutes=identity.settings.first_connection_wait_minutes)
        await identity.first_connection_requests.remember(email, now, now + wait)
        return
    if step is FirstConnectionStep.REMIND_ACCESS and account is not None:
        login, forgotten = identity.page(LOGIN_PAGE), identity.page(PASSWORD_FORGOTTEN_PAGE)
        mail = identity.mail(email, access_exists_mail(login, forgotten))
        notice = Notice.FIRST_CONNECTION
        if await identity.accounts.notify(account.account_id, notice, mail, now=now, sent_before=sent_before):
            identity.courier_wakeup.notify()
        return
    ttl = identity.settings.first_connection_ttl_hours
    state = identity.new_link(timedelta(hours=ttl))
    token = await identity.tokens.issue(FIRST_CONNECTION, email, expires_at=state.expires_at)
    mail = identity.mail(email, first_connection_mail(identity.page_link(FIRST_CONNECTION_PAGE, token), ttl))
    queued = await identity.order_emails.start_first_connection(email, state, mail, sent_before)
    await identity.replace_link(FIRST_CONNECTION, token, email, queued)


def invalid_first_connection_link() -> Problem:
    return Problem(
        "this first-connection link is invalid, already used or expired: ask for a new one",
        code="first-connection-token-invalid",
    )


async def order_email_for(identity: Identity, token: str) -> OrderEmail:
    link = await identity.tokens.peek(FIRST_CONNECTION, token)
    found = await identity.order_emails.get(link.subject) if link else None
    if found is None:
        raise invalid_first_connection_link()
    return found


async def complete_first_connection(identity: Identity, token: str, password: str, confirmation: str) -> str:
    """CreateCustomerAccess: the account exists and is active at once (the link
    proved the mailbox). Returns the new account's id."""
    found = await order_email_for(identity, token)
    problems = new_password_problems(password, confirmation, found.email)
    if problems:
        raise PasswordRefused(problems)
    access = customer_access(found, uuid.uuid4().hex, identity.now())
    password_hash = await identity.passwords.hash(password)
    if await identity.tokens.consume(FIRST_CONNECTION, token) is None:
        raise invalid_first_connection_link()
    if not await identity.accounts.add(access.account(), password_hash, access.events()):
        raise Conflict(
            "an access already exists for this email: log in, or use 'forgot password'",
            code="access-exists",
        )
    await identity.order_emails.finish_first_connection(access.email, access.account_id, access.created_at)
    return access.account_id
