"""Identity's account use cases on the in-memory ports (`fakes.identity_on_fakes`): registration
and activation, the resend throttle, password recovery, first connection, legacy migration. Every
single-use link is a `chassis.tokens` token: once, until its expiry, replaced by a newer link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chassis.errors import Conflict, Problem
from contracts import Envelope, PersonKind
from contracts.events.billing import ScheduleCreated
from contracts.events.identity import AccountActivated, AccountMigrated, AccountRegistered, PasswordReset
from identity.domain.accounts import AccountLink, AccountStatus, Address, Registration
from identity.domain.customers import FirstConnectionStep, Order, OrderEmail, first_connection_step
from identity.domain.legacy import LegacyRecord, LegacyStatus, pbkdf2_hash
from identity.domain.links import ACTIVATION
from identity.handlers.accounts import activate_account, register_account, resend_activation
from identity.handlers.customers import complete_first_connection, on_schedule_created, request_first_connection
from identity.handlers.legacy import legacy_log_in, migrate_legacy_account
from identity.handlers.recovery import complete_recovery, request_recovery
from services.identity.tests.fakes import FakeIdentity, identity_on_fakes

PASSWORD = "Correct-Horse-9!"
ADDRESS = "203.0.113.7"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def registration(email: str, **changes: Any) -> Registration:
    base: dict[str, Any] = {
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "person_kind": PersonKind.LEGAL,
        "civility": None,
        "last_name": None,
        "first_name": None,
        "company_name": "ACME Recouvrement",
        "legal_form": "SAS",
        "siret": "73282932000074",
        "address": Address(line="1 avenue des Champs", complement=None, postal_code="75008", city="Paris"),
    }
    return Registration(**(base | changes))


def token_in(fake: FakeIdentity, email: str, path: str) -> str:
    text = fake.mails_to(email)[-1].text
    match = re.search(re.escape(path) + r"[?#]token=([\w-]+)", text)
    assert match, text
    return match.group(1)


def legacy_status(fake: FakeIdentity, legacy_id: str) -> LegacyStatus:
    return fake.legacy.records[legacy_id].account.status


async def registered(fake: FakeIdentity, email: str) -> str:
    await register_account(fake.identity, registration(email), ADDRESS)
    return token_in(fake, email, "/activation")


async def test_an_activation_link_opens_once_and_announces_the_account() -> None:
    fake = identity_on_fakes()
    token = await registered(fake, "a@example.fr")
    (account,) = fake.accounts.accounts.values()
    assert account.status is AccountStatus.PENDING_ACTIVATION
    assert (
        account.account_id,
        AccountLink.ACTIVATION,
    ) in fake.accounts.links  # sent_at and expiry; the link is a token
    await activate_account(fake.identity, token)
    assert fake.accounts.accounts[account.account_id].status is AccountStatus.ACTIVE
    assert [type(e) for e in fake.accounts.events] == [AccountRegistered, AccountActivated]
    with pytest.raises(Problem) as again:
        await activate_account(fake.identity, token)
    assert again.value.code == "activation-token-invalid"


async def test_an_activation_link_expires_and_a_taken_email_leaves_no_live_link() -> None:
    fake = identity_on_fakes()
    token = await registered(fake, "a@example.fr")
    await register_account(fake.identity, registration("a@example.fr"), ADDRESS)  # taken: the owner is told
    assert len(fake.accounts.accounts) == 1
    live = [r for r in fake.tokens.records.values() if r.purpose == ACTIVATION and r.used_at is None]
    assert len(live) == 1
    fake.clock.advance(hours=48)
    with pytest.raises(Problem):
        await activate_account(fake.identity, token)


async def test_a_resend_within_the_interval_keeps_the_first_link_and_a_later_one_replaces_it() -> None:
    fake = identity_on_fakes()
    first = await registered(fake, "a@example.fr")
    await resend_activation(fake.identity, "a@example.fr", ADDRESS)  # throttled: no mail, first kept
    assert token_in(fake, "a@example.fr", "/activation") == first
    assert sum(1 for r in fake.tokens.records.values() if r.used_at is None) == 1
    fake.clock.advance(seconds=61)
    await resend_activation(fake.identity, "a@example.fr", ADDRESS)
    second = token_in(fake, "a@example.fr", "/activation")
    assert second != first
    with pytest.raises(Problem):
        await activate_account(fake.identity, first)
    await activate_account(fake.identity, second)
    await resend_activation(fake.identity, "nobody@example.fr", ADDRESS)  # silent
    assert fake.mails_to("nobody@example.fr") == []


async def test_a_recovery_link_sets_the_password_once_and_cuts_the_sessions() -> None:
    fake = identity_on_fakes()
    await activate_account(fake.identity, await registered(fake, "a@example.fr"))
    await request_recovery(fake.identity, "a@example.fr", ADDRESS)
    token = token_in(fake, "a@example.fr", "/recovery")
    await request_recovery(fake.identity, "unknown@example.fr", ADDRESS)
    assert fake.mails_to("unknown@example.fr") == []
    new = "Another-Horse-7?"
    await complete_recovery(fake.identity, token, new, new)
    (account,) = fake.accounts.accounts.values()
    assert fake.accounts.password_hashes[account.account_id] == f"cheap:{new}"
    assert account.sessions_revoked_before == fake.clock.now()
    assert isinstance(fake.accounts.events[-2], PasswordReset)
    assert fake.sessions.revoked_accounts == [account.account_id]
    with pytest.raises(Problem) as again:
        await complete_recovery(fake.identity, token, new, new)
    assert again.value.code == "recovery-token-invalid"


def order(schedule_id: str = "s-1") -> Order:
    return Order(schedule_id, "ORD-1", "m-1", date(2026, 11, 30), "e-1")


def test_a_first_connection_waits_for_an_order_reminds_an_account_and_links_otherwise() -> None:
    orders = OrderEmail("b@example.fr", (order(),))
    assert first_connection_step(None, has_account=False) is FirstConnectionStep.WAIT
    assert first_connection_step(None, has_account=True) is FirstConnectionStep.WAIT
    assert first_connection_step(orders, has_account=True) is FirstConnectionStep.REMIND_ACCESS
    assert first_connection_step(orders, has_account=False) is FirstConnectionStep.SEND_LINK


async def test_a_buyer_asking_before_the_order_arrives_gets_the_link_with_it_and_one_access() -> None:
    fake = identity_on_fakes()
    await request_first_connection(fake.identity, "b@example.fr", ADDRESS)
    assert fake.mails_to("b@example.fr") == []
    assert await fake.requests.waiting("b@example.fr", fake.clock.now())
    event = _schedule_created("B@Example.fr ")
    await on_schedule_created(fake.identity, event, _envelope(event))
    token = token_in(fake, "b@example.fr", "/first-connection")
    assert not await fake.requests.waiting("b@example.fr", fake.clock.now())
    account_id = await complete_first_connection(fake.identity, token, PASSWORD, PASSWORD)
    account = fake.accounts.accounts[account_id]
    assert (account.status, account.roles) == (AccountStatus.ACTIVE, ("customer",))
    assert [type(e) for e in fake.accounts.events] == [AccountRegistered, AccountActivated]
    found = await fake.order_emails.get("b@example.fr")
    assert found is not None
    assert found.account_id == account_id
    with pytest.raises(Problem):
        await complete_first_connection(fake.identity, token, PASSWORD, PASSWORD)
    fake.clock.advance(seconds=61)
    await request_first_connection(fake.identity, "b@example.fr", ADDRESS)  # has access: a reminder
    assert "token=" not in fake.mails_to("b@example.fr")[-1].text


async def test_a_migration_ticket_is_spent_once_and_the_activation_completes_the_migration() -> None:
    fake = identity_on_fakes()
    record = LegacyRecord(
        legacy_id="L-1",
        login="acme",
        password_hash=pbkdf2_hash("old-secret-1", "salt", 1000),
        migration_secret=None,
        company_name="ACME",
        siret=None,
        contract_reference="C-9",
        mailbox=(),
    )
    await fake.legacy.import_record(record, fake.clock.now())
    first = await legacy_log_in(fake.identity, "acme", "old-secret-1", ADDRESS)
    ticket = await legacy_log_in(fake.identity, "acme", "old-secret-1", ADDRESS)
    with pytest.raises(Problem):  # the second login's ticket replaced the first
        await migrate_legacy_account(fake.identity, first.token, "new@example.fr", PASSWORD, PASSWORD, ADDRESS)
    await migrate_legacy_account(fake.identity, ticket.token, "new@example.fr", PASSWORD, PASSWORD, ADDRESS)
    with pytest.raises(Problem) as spent:
        await migrate_legacy_account(fake.identity, ticket.token, "other@example.fr", PASSWORD, PASSWORD, ADDRESS)
    assert spent.value.code == "migration-ticket-invalid"
    assert legacy_status(fake, "L-1") is LegacyStatus.CONFIRMING
    await activate_account(fake.identity, token_in(fake, "new@example.fr", "/activation"))
    assert legacy_status(fake, "L-1") is LegacyStatus.MIGRATED
    migrated = [e for e in fake.accounts.events if isinstance(e, AccountMigrated)]
    assert [(e.legacy_id, e.contract_reference) for e in migrated] == [("L-1", "C-9")]
    with pytest.raises(Conflict):
        await legacy_log_in(fake.identity, "acme", "old-secret-1", ADDRESS)


def _schedule_created(email: str) -> ScheduleCreated:
    return ScheduleCreated(
        schedule_id="s-1",
        order_number="ORD-1",
        merchant="Boutique",
        buyer_email=email,
        purchase_amount_cents=12796,
        fees_cents=0,
        purchase_date=date(2026, 11, 30),
        installments=3,
    )


def _envelope(event: ScheduleCreated) -> Envelope:
    return Envelope.wrap(event, occurred_at=NOW)
