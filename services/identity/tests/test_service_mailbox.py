"""The in-app mailbox on the real stack: alerts and in-app notifications
published on Kafka land in the recipient's mailbox once; the owner lists,
reads, marks, deletes and exports it (JSON checked against its schema, mbox
read back with `mailbox.mbox`); a migrated legacy account finds its former
portal's messages there with their original dates."""

from __future__ import annotations

import json
import mailbox
import uuid
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from contracts import Envelope, Event
from contracts.events.ratings import AlertRaised
from contracts.events.recovery import NotificationRequested
from identity.api.mailbox_schemas import MailboxExportOut
from identity.domain.legacy import pbkdf2_hash
from identity.handlers.legacy import import_legacy_accounts
from identity.store.mailbox import MongoMailboxStore
from services.identity.tests.mailbox_store_contract import check_mailbox_store
from services.identity.tests.samples import sample_alert
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra
PASSWORD = "Correct-Horse-9!"


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def publish(h: Any, event: Event, times: int = 1) -> None:
    envelope = Envelope.wrap(event, occurred_at=h.clock.now())
    for _ in range(times):
        await h.runtime.broker.publish(envelope.to_bytes(), topic=event.topic, key=envelope.subject.encode())


def alert(owner_id: str, alert_id: str, raised_at: datetime) -> AlertRaised:
    title, body = "Note abaissée : DUPONT SA", "La note de DUPONT SA passe de B à C.\nFrom now on, watch it."
    return sample_alert(alert_id, owner_id, raised_at, title=title, body=body)


async def mailbox_page(h: Any, session: dict[str, Any], **params: Any) -> dict[str, Any]:
    answer = await h.http.get("/accounts/me/mailbox", headers=bearer(session), params=params)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def test_alerts_and_notifications_from_kafka_fill_the_mailbox_once(harness: Any, tmp_path: Path) -> None:
    h = harness
    owner_email, other_email = h.new_email("watcher"), h.new_email("other")
    owner_id = await h.register_and_activate(owner_email)
    await h.register_and_activate(other_email)
    owner, other = await h.log_in(owner_email), await h.log_in(other_email)
    raised = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    first = alert(owner_id, f"al-{uuid.uuid4().hex}", raised)
    await publish(h, first, times=2)  # a redelivery
    await publish(h, alert(owner_id, first.alert_id, raised))  # another event for the same alert
    await publish(h, alert(owner_id, f"al-{uuid.uuid4().hex}", raised + timedelta(hours=1)))
    request = NotificationRequested(
        notification_id=f"case-{uuid.uuid4().hex}:assigned",
        recipient_id=owner_id,
        channels=["in_app"],
        title="Nouveau dossier confié à votre étude",
        body="Dossier c-1 : DUPONT SA.",
        link="/recovery/cases/c-1",
        requested_at=raised + timedelta(hours=2),
    )
    await publish(h, request, times=2)
    ignored = request.model_copy(update={"notification_id": f"mail-only-{uuid.uuid4().hex}", "channels": ["email"]})
    await publish(h, ignored)

    async def filed() -> dict[str, Any] | None:
        page = await mailbox_page(h, owner)
        # The counts are read after the messages: wait until the list itself holds all three.
        return page if len(page["messages"]) >= 3 else None

    page = await eventually(filed, timeout=90)
    assert page["total"] == 3
    assert page["unread"] == 3
    assert [m["source"] for m in page["messages"]] == ["notification", "alert", "alert"]  # newest first
    assert page["messages"][0]["link"] == "/recovery/cases/c-1"
    newest_alert = page["messages"][1]
    assert newest_alert["details"]["company_number"] == "732829320"

    # Pages: two, then one, no repeat.
    one = await mailbox_page(h, owner, limit=2)
    two = await mailbox_page(h, owner, limit=2, cursor=one["next_cursor"])
    assert two["next_cursor"] is None
    assert len({m["message_id"] for m in one["messages"] + two["messages"]}) == 3
    bad = await h.http.get("/accounts/me/mailbox", headers=bearer(owner), params={"cursor": "zzz"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
    assert (await h.http.get("/accounts/me/mailbox", headers=bearer(owner), params={"limit": 0})).status_code == 422
    assert (await h.http.get("/accounts/me/mailbox")).status_code == 401

    # Someone else's message is not found, whatever they try.
    message_id = newest_alert["message_id"]
    path = f"/accounts/me/mailbox/{message_id}"
    assert (await h.http.get(path, headers=bearer(other))).status_code == 404
    assert (await h.http.patch(path, json={"read": True}, headers=bearer(other))).status_code == 404
    assert (await h.http.delete(path, headers=bearer(other))).status_code == 404
    assert (await mailbox_page(h, other))["total"] == 0

    # Read, unread, delete.
    opened = await h.http.get(path, headers=bearer(owner))
    assert opened.status_code == 200
    assert opened.json()["read"] is True
    assert (await mailbox_page(h, owner))["unread"] == 2
    unread = await h.http.patch(path, json={"read": False}, headers=bearer(owner))
    assert unread.status_code == 200
    assert unread.json()["read"] is False
    assert (await h.http.patch(path, json={"read": "maybe"}, headers=bearer(owner))).status_code == 422
    await h.http.patch(path, json={"read": True}, headers=bearer(owner))
    assert len((await mailbox_page(h, owner, unread=True))["messages"]) == 2

    # Exports: JSON against its schema, mbox read back.
    exported = await h.http.get("/accounts/me/mailbox/export", headers=bearer(owner))
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    document = exported.json()
    jsonschema.validate(document, MailboxExportOut.model_json_schema())
    assert [m["received_at"] for m in document["messages"]] == sorted(m["received_at"] for m in document["messages"])
    assert document["messages"][0]["received_at"].startswith("2026-11-30T08:00:00")
    mbox_answer = await h.http.get("/accounts/me/mailbox/export", params={"format": "mbox"}, headers=bearer(owner))
    assert mbox_answer.status_code == 200
    assert mbox_answer.headers["content-type"].startswith("application/mbox")
    file = tmp_path / "mailbox.mbox"
    file.write_bytes(mbox_answer.content)
    messages = list(mailbox.mbox(file))
    assert len(messages) == 3
    assert str(make_header(decode_header(messages[0]["Subject"]))) == "Note abaissée : DUPONT SA"
    assert parsedate_to_datetime(messages[0]["Date"]) == raised
    body = messages[0].get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "passe de B à C." in body.decode()
    assert "\n>From now on" in body.decode()  # mbox quotes a body line starting with "From "
    assert [m.get_flags() for m in messages] == ["O", "RO", "O"]
    assert (
        await h.http.get("/accounts/me/mailbox/export", params={"format": "pdf"}, headers=bearer(owner))
    ).status_code == 422

    all_read = await h.http.post("/accounts/me/mailbox/read-all", headers=bearer(owner))
    assert all_read.status_code == 200
    assert all_read.json() == {"marked": 2}
    assert (await mailbox_page(h, owner))["unread"] == 0

    # A deleted message stays deleted, even if its alert comes again.
    assert (await h.http.delete(path, headers=bearer(owner))).status_code == 204
    assert (await h.http.delete(path, headers=bearer(owner))).status_code == 404
    await publish(h, alert(owner_id, first.alert_id, raised))
    marker = alert(owner_id, f"al-{uuid.uuid4().hex}", raised + timedelta(days=1))
    await publish(h, marker)  # published after the duplicate, on the same key: handled after it

    async def marker_filed() -> dict[str, Any] | None:
        page = await mailbox_page(h, owner)
        return page if any(m["received_at"].startswith("2026-12-01") for m in page["messages"]) else None

    page = await eventually(marker_filed, timeout=90)
    assert page["total"] == 3
    assert message_id not in {m["message_id"] for m in page["messages"]}


async def test_a_migrated_legacy_account_finds_its_old_messages_in_the_mailbox(harness: Any) -> None:
    h = harness
    legacy_id = f"CI-{uuid.uuid4().hex[:8]}"
    login = f"legacy-{legacy_id}".lower()
    line = {
        "legacy_id": legacy_id,
        "login": login,
        "password_hash": pbkdf2_hash("ancien-mdp", "sel", 1000),
        "company_name": "DUPONT SA",
        "mailbox": [
            {
                "received_at": "2019-05-02T07:30:00+02:00",
                "from": "alertes@creanceinfo.fr",
                "subject": "Alerte surveillance",
                "body": "Le score de DUPONT SA baisse.",
            },
            {"received_at": "2021-01-04T12:00:00+00:00", "subject": "Bienvenue", "body": "Contrat actif."},
        ],
    }
    assert (await import_legacy_accounts(h.identity, [json.dumps(line)])).imported == 1
    ticket = await h.http.post("/legacy/sessions", json={"login": login, "password": "ancien-mdp"})
    assert ticket.status_code == 200, ticket.text
    email = h.new_email("migrated")
    body = {
        "migration_token": ticket.json()["migration_token"],
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }
    assert (await h.http.post("/legacy/migrations", json=body)).status_code == 202
    link = h.token_in(await h.mail(email, "Confirmez votre adresse"), "/activation")
    assert (await h.http.get("/accounts/activation", params={"token": link})).status_code == 200
    session = await h.log_in(email)

    async def imported() -> dict[str, Any] | None:
        page = await mailbox_page(h, session)
        return page if len(page["messages"]) >= 2 else None

    page = await eventually(imported, timeout=90)
    assert page["total"] == 2
    assert [(m["subject"], m["source"]) for m in page["messages"]] == [
        ("Bienvenue", "legacy"),
        ("Alerte surveillance", "legacy"),
    ]
    old = page["messages"][1]
    assert datetime.fromisoformat(old["received_at"]) == datetime(2019, 5, 2, 5, 30, tzinfo=UTC)
    assert old["sender"] == "alertes@creanceinfo.fr"
    assert old["body"] == "Le score de DUPONT SA baisse."


async def test_the_mongo_store_keeps_the_ports_promises(harness: Any) -> None:
    await check_mailbox_store(MongoMailboxStore(harness.db))
