"""Customer first connection: a buyer creates access with the email given at
purchase, one access per order email. Identity learns which emails have
orders from billing's ScheduleCreated. Nobody else can set their password."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from chassis.errors import Conflict, Problem
from contracts import Envelope, PersonKind
from contracts.events.billing import ScheduleCreated
from contracts.events.identity import AccountRegistered
from identity.domain import accounts as rules
from identity.domain.passwords import new_password_problems
from identity.domain.tokens import expiry, hash_secret, is_live, new_secret
from identity.handlers.context import Identity
from identity.handlers.recovery import PasswordRefused
from identity.mail.templates import access_exists_mail, first_connection_mail

# The portal page the first-connection mail links to; it POSTs the token to
# /customers/first-connection/link.
FIRST_CONNECTION_PAGE = "/first-connection"


async def on_schedule_created(identity: Identity, event: ScheduleCreated, envelope: Envelope) -> None:
    """Remember that the buyer's email has an order (idempotent per schedule)."""
    order = {
        "schedule_id": event.schedule_id,
        "order_number": event.order_number,
        "merchant": event.merchant,
        "purchase_date": event.purchase_date.isoformat(),
        "event_id": str(envelope.event_id),
    }
    email = event.buyer_email.strip().lower()
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
    orders = await identity.order_emails.get(email)
    if orders is None:
        now = identity.now()
        wait = timedelta(minutes=identity.settings.first_connection_wait_minutes)
        await identity.first_connection_requests.remember(email, now, now + wait)
        return
    await send_first_connection(identity, email)


async def send_first_connection(identity: Identity, email: str) -> None:
    """The first-connection mail of an email that has orders (or a reminder, if it has access)."""
    now = identity.now()
    sent_before = now - identity.resend_interval
    account = await identity.accounts.by_email(email)
    if account is not None:
        mail = identity.mail(email, access_exists_mail(identity.link("/sessions"), identity.link("/recovery")))
        if await identity.accounts.queue_mail(
            account["_id"], mail, stamp="notices.first_connection_at", now=now, sent_before=sent_before
        ):
            identity.courier_wakeup.notify()
        return
    ttl = identity.settings.first_connection_ttl_hours
    token, token_hash = new_secret()
    state = {"hash": token_hash, "expires_at": expiry(now, timedelta(hours=ttl)), "sent_at": now}
    mail = identity.mail(email, first_connection_mail(identity.page_link(FIRST_CONNECTION_PAGE, token), ttl))
    if await identity.order_emails.start_first_connection(email, state, mail, sent_before):
        identity.courier_wakeup.notify()


def invalid_first_connection_link() -> Problem:
    return Problem(
        "this first-connection link is invalid, already used or expired: ask for a new one",
        status=400,
        code="first-connection-token-invalid",
    )


async def order_email_for(identity: Identity, token: str) -> dict[str, Any]:
    doc = await identity.order_emails.by_token_hash(hash_secret(token))
    if doc is None or not is_live(doc["first_connection"].get("expires_at"), identity.now()):
        raise invalid_first_connection_link()
    return doc


async def complete_first_connection(identity: Identity, token: str, password: str, confirmation: str) -> str:
    """CreateCustomerAccess: the account exists and is active at once (the link
    proved the mailbox). Returns the new account's id."""
    doc = await order_email_for(identity, token)
    email = str(doc["_id"])
    problems = new_password_problems(password, confirmation, email)
    if problems:
        raise PasswordRefused(problems)
    now = identity.now()
    account_id = uuid.uuid4().hex
    account = {
        "_id": account_id,
        "email": email,
        "account_kind": rules.CUSTOMER,
        "roles": [rules.CUSTOMER_ROLE],
        "password_hash": await identity.passwords.hash(password),
        "status": rules.AccountStatus.ACTIVE,
        "person_kind": PersonKind.NATURAL,
        "display_name": email,
        "registered_at": now,
        "activated_at": now,
    }
    events = [
        AccountRegistered(
            account_id=account_id,
            email=email,
            person_kind=PersonKind.NATURAL,
            display_name=email,
            account_kind=rules.CUSTOMER,
        ),
        rules.activated_event(account_id, email, PersonKind.NATURAL, email, None, rules.CUSTOMER),
    ]
    if not await identity.accounts.add(account, list(events), []):
        raise Conflict(
            "an access already exists for this email: log in, or use 'forgot password'",
            code="access-exists",
        )
    await identity.order_emails.finish_first_connection(email, hash_secret(token), account_id, now)
    return account_id
