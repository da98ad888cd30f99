"""Recovery, customer first connection (from billing's ScheduleCreated on the
real Kafka), legacy migration and support changes, on the real Mongo and Kafka."""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import date
from typing import Any

import pytest

from contracts import Envelope
from contracts.events.billing import ScheduleCreated
from contracts.events.identity import AccountDetailsChanged, AccountMigrated, PasswordReset
from identity import admin
from identity.domain.customers import OrderEmail
from identity.domain.legacy import pbkdf2_hash
from identity.handlers.legacy import import_legacy_accounts
from tests.e2e.helpers import eventually
from tests.e2e.helpers import find_event as find_event_on_bus

pytestmark = pytest.mark.infra
PASSWORD = "Correct-Horse-9!"
NEW_PASSWORD = "Brand-New-Horse-8?"


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def find_event(h: Any, topic: str, predicate: Any, timeout: float = 60) -> Envelope:
    return await find_event_on_bus(h.stack, topic, predicate, timeout)


async def test_recovery_resets_the_password_and_revokes_every_session(harness: Any) -> None:
    h = harness
    email = h.new_email()
    account_id = await h.register_and_activate(email)
    session = await h.log_in(email)
    # Hold the relay back from emptying the outbox before we look: stop nothing, just read fast or from Kafka.
    unknown = await h.http.post("/recovery", json={"email": h.new_email()})
    known = await h.http.post("/recovery", json={"email": email.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    text = await h.mail(email, "Réinitialisation")
    # The token travels in the link's fragment (never sent to a server, never logged), and the API
    # takes it in a POST body only.
    assert "?token=" not in text
    token = h.token_in(text, "http://gateway.test/recovery")
    assert (await h.http.get("/recovery/link", params={"token": token})).status_code == 405
    assert (await h.http.post("/recovery/link", json={"token": token})).json()["status"] == "valid"

    mismatch = await h.http.post(
        "/recovery/complete", json={"token": token, "password": NEW_PASSWORD, "password_confirmation": "other"}
    )
    assert mismatch.status_code == 422
    assert {e["field"] for e in mismatch.json()["errors"]} == {"password_confirmation"}
    weak = await h.http.post(
        "/recovery/complete", json={"token": token, "password": "abc", "password_confirmation": "abc"}
    )
    assert weak.status_code == 422

    done = await h.http.post(
        "/recovery/complete", json={"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )
    assert done.status_code == 200, done.text
    again = await h.http.post(
        "/recovery/complete", json={"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )
    assert again.status_code == 400  # single use
    assert (await h.http.post("/recovery/link", json={"token": token})).status_code == 400

    refused = await h.http.post("/sessions/refresh", json={"refresh_token": session["refresh_token"]})
    assert refused.status_code == 401
    assert (await h.http.post("/sessions", json={"email": email, "password": PASSWORD})).status_code == 401
    await h.log_in(email, NEW_PASSWORD)
    await h.mail(email, "a été modifié")
    tokens = h.db["refresh_tokens"]
    assert await tokens.count_documents({"account_id": account_id, "revoked": False}) == 1  # the new login only

    # PasswordReset went through the outbox to Kafka.
    event = await find_event(h, PasswordReset.topic, lambda e: e.subject == account_id)
    assert event.payload["email"] == email


async def test_recovery_link_expires(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)
    await h.http.post("/recovery", json={"email": email})
    token = h.token_in(await h.mail(email, "Réinitialisation"), "http://gateway.test/recovery")
    h.clock.advance(minutes=61)
    answer = await h.http.post(
        "/recovery/complete", json={"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("recovery-token-invalid")


async def publish_schedule(h: Any, buyer_email: str, *, schedule_id: str | None = None, copies: int = 2) -> str:
    schedule_id = schedule_id or uuid.uuid4().hex
    event = ScheduleCreated(
        schedule_id=schedule_id,
        order_number=f"ORD-{schedule_id[:6]}",
        merchant="Boutique",
        buyer_email=buyer_email,
        purchase_amount_cents=12796,
        fees_cents=0,
        purchase_date=date(2026, 1, 5),
        installments=3,
    )
    envelope = Envelope.wrap(event, occurred_at=h.clock.now())
    broker = h.runtime.broker
    for _ in range(copies):  # delivered twice by default: recorded once
        await broker.publish(envelope.to_bytes(), topic=ScheduleCreated.topic, key=envelope.subject.encode())
    return schedule_id


async def test_a_buyer_creates_one_access_per_order_email(harness: Any) -> None:
    h = harness
    buyer = h.new_email("buyer")
    stranger = h.new_email("nobody")
    schedule_id = await publish_schedule(h, buyer.upper())

    async def recorded() -> OrderEmail | None:
        found: OrderEmail | None = await h.identity.order_emails.get(buyer)
        return found

    await eventually(recorded, timeout=60)
    # A later event with the same key rides the same partition, after the duplicate: once it is
    # recorded, the duplicate has been consumed too, so what the buyer holds now is final.
    sentinel = h.new_email("sentinel")
    await publish_schedule(h, sentinel, schedule_id=schedule_id, copies=1)

    async def sentinel_recorded() -> OrderEmail | None:
        found: OrderEmail | None = await h.identity.order_emails.get(sentinel)
        return found

    await eventually(sentinel_recorded, timeout=60)
    doc = await h.identity.order_emails.get(buyer)
    assert doc is not None
    assert [order.schedule_id for order in doc.orders] == [schedule_id]

    a = await h.http.post("/customers/first-connection", json={"email": stranger})
    b = await h.http.post("/customers/first-connection", json={"email": buyer})
    assert a.status_code == b.status_code == 202
    assert a.json() == b.json()
    text = await h.mail(buyer, "Créez votre accès")
    assert "?token=" not in text
    token = h.token_in(text, "http://gateway.test/first-connection")
    assert (await h.http.get("/customers/first-connection/link", params={"token": token})).status_code == 405
    assert (await h.http.post("/customers/first-connection/link", json={"token": token})).status_code == 200
    assert h.mails(stranger, "Créez") == 0

    created = await h.http.post(
        "/customers/first-connection/complete",
        json={"token": token, "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    assert created.status_code == 201, created.text
    account_id = created.json()["account_id"]
    again = await h.http.post(
        "/customers/first-connection/complete",
        json={"token": token, "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    assert again.status_code == 400
    session = await h.log_in(buyer)
    me = (await h.http.get("/accounts/me", headers=bearer(session))).json()
    assert me["account_id"] == account_id
    assert me["account_kind"] == "customer"
    assert me["roles"] == ["customer"]
    # Asking again once the access exists mails a reminder, not a second access.
    await h.http.post("/customers/first-connection", json={"email": buyer})
    await h.mail(buyer, "existe déjà")
    assert await h.db["accounts"].count_documents({"email": buyer}) == 1


LEGACY_LOGIN = "dupont.sa"


def legacy_lines(legacy_id: str, login: str) -> list[str]:
    return [
        json.dumps(
            {
                "legacy_id": legacy_id,
                "login": login,
                "password_hash": pbkdf2_hash("ancien-mdp", "sel", 1000),
                "company_name": "DUPONT SA",
                "siret": "73282932000074",
                "contract_reference": "CTR-2019-0042",
                "mailbox": [
                    {"received_at": "2024-03-02T08:00:00+00:00", "subject": "Alerte 2", "body": "b"},
                    {"received_at": "2024-03-01T08:00:00+00:00", "subject": "Alerte 1", "body": "a"},
                ],
            }
        ),
        "{broken",
        json.dumps({"legacy_id": f"{legacy_id}-S", "login": f"{login}-s", "migration_secret": "un-secret-unique"}),
    ]


async def test_a_legacy_user_migrates_and_keeps_the_legacy_id(harness: Any) -> None:
    h = harness
    legacy_id = f"CI-{uuid.uuid4().hex[:6]}"
    login = f"{LEGACY_LOGIN}-{legacy_id}".lower()
    report = await import_legacy_accounts(h.identity, legacy_lines(legacy_id, login))
    assert report.imported == 2
    assert len(report.errors) == 1

    wrong = await h.http.post("/legacy/sessions", json={"login": login, "password": "nope"})
    assert wrong.status_code == 401
    by_secret = await h.http.post("/legacy/sessions", json={"login": f"{login}-s", "password": "un-secret-unique"})
    assert by_secret.status_code == 200
    ticket = await h.http.post("/legacy/sessions", json={"login": login.upper(), "password": "ancien-mdp"})
    assert ticket.status_code == 200, ticket.text
    assert ticket.headers["cache-control"] == "no-store"  # a ticket is a token: never cached
    migration_token = ticket.json()["migration_token"]
    assert ticket.json()["company_name"] == "DUPONT SA"

    export = await h.http.post("/legacy/mailbox/export", json={"migration_token": migration_token})
    assert [m["subject"] for m in export.json()["messages"]] == ["Alerte 1", "Alerte 2"]

    email = h.new_email("dupont")
    body = {"migration_token": migration_token, "email": email, "password": PASSWORD, "password_confirmation": PASSWORD}
    assert (await h.http.post("/legacy/migrations", json=body)).status_code == 202
    assert (await h.http.post("/legacy/migrations", json=body)).status_code == 400  # the ticket is spent
    link = h.token_in(await h.mail(email, "Confirmez votre adresse"), "/activation")
    assert (await h.http.post("/sessions", json={"email": email, "password": PASSWORD})).status_code == 403
    assert (await h.http.get("/accounts/activation", params={"token": link})).status_code == 200

    session = await h.log_in(email)
    me = (await h.http.get("/accounts/me", headers=bearer(session))).json()
    assert me["legacy_id"] == legacy_id
    mailbox = await h.http.get("/accounts/me/legacy-mailbox", headers=bearer(session))
    assert len(mailbox.json()["messages"]) == 2
    migrated = await h.http.post("/legacy/sessions", json={"login": login, "password": "ancien-mdp"})
    assert migrated.status_code == 409
    legacy = await h.identity.legacy.by_id(legacy_id)
    assert legacy is not None
    assert legacy.status == "migrated"

    # AccountMigrated carries the legacy id, through the outbox to Kafka.
    event = await find_event(h, AccountMigrated.topic, lambda e: e.subject == me["account_id"])
    assert event.payload["legacy_id"] == legacy_id
    assert event.payload["contract_reference"] == "CTR-2019-0042"


async def test_support_changes_identity_data_with_an_audit_trail(harness: Any) -> None:
    h = harness
    agent_email, user_email = h.new_email("agent"), h.new_email("user")
    await h.register_and_activate(agent_email)
    user_id = await h.register_and_activate(user_email)
    user = await h.log_in(user_email)
    change = {"reason": "Kbis reçu : changement de dénomination", "company_name": "ACME Group"}

    assert (await h.http.patch(f"/admin/accounts/{user_id}", json=change, headers=bearer(user))).status_code == 403
    assert await h.identity.accounts.add_role(agent_email, "support")
    agent = await h.log_in(agent_email)
    headers = bearer(agent)

    found = await h.http.get("/admin/accounts", params={"email": user_email}, headers=headers)
    assert found.json()["account_id"] == user_id
    changed = await h.http.patch(f"/admin/accounts/{user_id}", json=change, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["display_name"] == "ACME Group"
    move = {"reason": "Déménagement", "address": {"city": "Lyon", "postal_code": "69001"}}
    assert (await h.http.patch(f"/admin/accounts/{user_id}", json=move, headers=headers)).status_code == 200

    password = await h.http.patch(
        f"/admin/accounts/{user_id}", json={"reason": "unlock", "password": "X-1aaaaa"}, headers=headers
    )
    assert password.status_code == 422  # no such field: staff cannot set a password
    wrong_kind = await h.http.patch(
        f"/admin/accounts/{user_id}", json={"reason": "x x", "first_name": "Jo"}, headers=headers
    )
    assert wrong_kind.status_code == 422
    agent = await h.identity.accounts.by_email(agent_email)
    assert agent is not None
    agent_id = agent.account_id
    own = await h.http.patch(f"/admin/accounts/{agent_id}", json=change, headers=headers)
    assert own.status_code == 403

    trail = (await h.http.get(f"/admin/accounts/{user_id}/audit", headers=headers)).json()
    assert [list(entry["changes"]) for entry in trail] == [["company_name"], ["address"]]
    assert trail[0]["actor_email"] == agent_email
    assert trail[0]["changes"]["company_name"] == {"from": "ACME Recouvrement", "to": "ACME Group"}
    assert (await h.http.get(f"/admin/accounts/{user_id}/audit", headers=bearer(user))).status_code == 403
    event = await find_event(h, AccountDetailsChanged.topic, lambda e: e.subject == user_id)
    assert event.payload["changed_fields"] == ["company_name"]
    assert event.payload["display_name"] == "ACME Group"
    assert event.payload["siren"] == "732829320"


async def test_support_is_granted_by_the_admin_command_and_imports_legacy_accounts(harness: Any) -> None:
    h = harness
    agent_email = h.new_email("agent")
    await h.register_and_activate(agent_email)
    settings = h.identity.settings
    namespace = argparse.Namespace(command="grant-support", email=agent_email.upper())
    assert await admin.run(namespace, settings) == 0
    assert await admin.run(argparse.Namespace(command="grant-support", email=h.new_email()), settings) == 1
    agent = await h.log_in(agent_email)
    legacy_id = f"CI-{uuid.uuid4().hex[:6]}"
    body = "\n".join(legacy_lines(legacy_id, f"imp-{legacy_id}".lower()))
    headers = {**bearer(agent), "Content-Type": "text/plain"}
    answer = await h.http.post("/admin/legacy-imports", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 2
    assert len(answer.json()["errors"]) == 1
    user = await h.log_in(agent_email)  # still support; a plain user is refused:
    other = h.new_email("user")
    await h.register_and_activate(other)
    plain = await h.log_in(other)
    refused = await h.http.post(
        "/admin/legacy-imports", content=body, headers={**bearer(plain), "Content-Type": "text/plain"}
    )
    assert refused.status_code == 403
    assert user["access_token"]
    assert await admin.run(argparse.Namespace(command="rotate-key"), settings) == 0


async def test_former_portal_credentials_on_the_usual_login_lead_to_the_migration(harness: Any) -> None:
    h = harness
    login = h.new_email("ancien")
    line = json.dumps(
        {"legacy_id": f"CI-{uuid.uuid4().hex[:6]}", "login": login, "migration_secret": "un-secret-unique"}
    )
    assert (await import_legacy_accounts(h.identity, [line])).imported == 1
    wrong = await h.http.post("/sessions", json={"email": login, "password": "pas-le-bon"})
    assert wrong.status_code == 401
    redirected = await h.http.post("/sessions", json={"email": login, "password": "un-secret-unique"})
    assert redirected.status_code == 409
    assert redirected.json()["type"].endswith("legacy-migration-required")
    assert "/legacy/sessions" in redirected.json()["detail"]
