"""The mailbox's use cases on in-memory fakes of the ports: filing (once per
source item), paging newest first, reading, marking, deleting, exporting."""

from __future__ import annotations

import email
import mailbox
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from chassis.errors import NotFound
from contracts.events.ratings import AlertRaised
from contracts.events.recovery import NotificationRequested
from identity.adapters.mbox import render_mbox
from identity.domain.legacy import MailboxMessage as LegacyMessage
from identity.domain.mailbox import Cursor, PageInvalid, PageRequest, page_request
from identity.handlers.mailbox.delete_message import delete_message
from identity.handlers.mailbox.export_mailbox import export_mailbox
from identity.handlers.mailbox.file_alert import file_alert
from identity.handlers.mailbox.file_notification import file_notification
from identity.handlers.mailbox.import_legacy_messages import import_legacy_messages
from identity.handlers.mailbox.list_messages import list_messages
from identity.handlers.mailbox.mark_message import mark_message
from identity.handlers.mailbox.read_message import read_message
from services.identity.tests.fakes import InMemoryLegacyMailboxes, InMemoryMailboxStore
from services.identity.tests.mailbox_store_contract import check_mailbox_store
from services.identity.tests.samples import sample_alert

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
OWNER = "acct-owner"
OTHER = "acct-other"


def alert(alert_id: str, *, owner: str = OWNER, at: datetime = NOW, title: str = "Note abaissée") -> AlertRaised:
    return sample_alert(alert_id, owner, at, title=title)


def notification(notification_id: str, channels: list[str]) -> NotificationRequested:
    return NotificationRequested(
        notification_id=notification_id,
        recipient_id=OWNER,
        channels=channels,
        title="Nouveau dossier",
        body="Un dossier est confié à votre étude.",
        link="/recovery/cases/c-1",
        requested_at=NOW,
    )


async def test_an_alert_is_filed_once_whatever_the_redeliveries() -> None:
    store = InMemoryMailboxStore()
    assert await file_alert(store, alert("al-1"))
    assert not await file_alert(store, alert("al-1"))
    assert not await file_alert(store, alert("al-1", title="same alert, another delivery"))
    page = await list_messages(store, OWNER, PageRequest())
    assert [m.subject for m in page.messages] == ["Note abaissée"]
    message = page.messages[0]
    assert message.received_at == NOW
    assert message.details["company_name"] == "DUPONT SA"
    assert message.details["old_value"] == "B"
    assert message.details["new_value"] == "C"
    assert (page.unread, page.total) == (1, 1)


async def test_a_notification_is_filed_only_for_the_in_app_channel_and_once_per_requester_key() -> None:
    store = InMemoryMailboxStore()
    assert not await file_notification(store, notification("n-1", ["email"]), "recovery")
    assert await file_notification(store, notification("n-2", ["email", "in_app"]), "recovery")
    assert not await file_notification(store, notification("n-2", ["in_app"]), "recovery")
    assert await file_notification(store, notification("n-2", ["in_app"]), "billing")  # another requester's key
    page = await list_messages(store, OWNER, PageRequest())
    assert page.total == 2
    assert {m.link for m in page.messages} == {"/recovery/cases/c-1"}


async def test_pages_are_newest_first_and_a_cursor_neither_repeats_nor_skips() -> None:
    store = InMemoryMailboxStore()
    for index in range(7):
        await file_alert(store, alert(f"al-{index}", at=NOW - timedelta(hours=index)))
    await file_alert(store, alert("same-time-a", at=NOW - timedelta(hours=3)))
    seen: list[datetime] = []
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = await list_messages(store, OWNER, page_request(3, cursor))
        seen += [m.received_at for m in page.messages]
        ids += [m.message_id for m in page.messages]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(ids) == len(set(ids)) == 8
    assert seen == sorted(seen, reverse=True)


def test_bad_paging_names_the_field() -> None:
    with pytest.raises(PageInvalid) as too_big:
        page_request(101, None)
    assert too_big.value.field == "limit"
    with pytest.raises(PageInvalid) as garbage:
        page_request(10, "not-a-cursor")
    assert garbage.value.field == "cursor"
    cursor = Cursor(NOW, "abc")
    assert page_request(5, cursor.encode()).cursor == cursor


async def test_reading_marks_read_keeps_the_first_time_and_unread_undoes_it() -> None:
    store = InMemoryMailboxStore()
    await file_alert(store, alert("al-1"))
    message_id = (await list_messages(store, OWNER, PageRequest())).messages[0].message_id
    opened = await read_message(store, OWNER, message_id, NOW + timedelta(minutes=5))
    again = await read_message(store, OWNER, message_id, NOW + timedelta(minutes=9))
    assert opened.read_at == again.read_at == NOW + timedelta(minutes=5)
    assert (await list_messages(store, OWNER, PageRequest())).unread == 0
    unread = await mark_message(store, OWNER, message_id, read=False, now=NOW)
    assert not unread.read
    page = await list_messages(store, OWNER, PageRequest(unread_only=True))
    assert [m.message_id for m in page.messages] == [message_id]
    assert (await mark_message(store, OWNER, message_id, read=True, now=NOW)).read_at == NOW


async def test_another_accounts_message_is_not_found() -> None:
    store = InMemoryMailboxStore()
    await file_alert(store, alert("al-1", owner=OTHER))
    message_id = (await list_messages(store, OTHER, PageRequest())).messages[0].message_id
    for attempt in (
        read_message(store, OWNER, message_id, NOW),
        mark_message(store, OWNER, message_id, read=True, now=NOW),
        delete_message(store, OWNER, message_id, NOW),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert (await list_messages(store, OWNER, PageRequest())).total == 0
    assert not (await list_messages(store, OTHER, PageRequest())).messages[0].read


async def test_a_deleted_alert_does_not_come_back_with_a_late_duplicate() -> None:
    store = InMemoryMailboxStore()
    await file_alert(store, alert("al-1"))
    message_id = (await list_messages(store, OWNER, PageRequest())).messages[0].message_id
    await delete_message(store, OWNER, message_id, NOW)
    with pytest.raises(NotFound):
        await delete_message(store, OWNER, message_id, NOW)
    assert not await file_alert(store, alert("al-1"))
    assert (await list_messages(store, OWNER, PageRequest())).total == 0


LEGACY = [
    LegacyMessage(datetime(2019, 5, 2, 7, 30, tzinfo=UTC), "Alerte", "Score en baisse", "alertes@creanceinfo.fr"),
    LegacyMessage(datetime(2021, 1, 4, 12, 0, tzinfo=UTC), "Bienvenue", "Votre contrat est actif", None),
]


async def test_legacy_messages_land_unchanged_once() -> None:
    store = InMemoryMailboxStore()
    legacy = InMemoryLegacyMailboxes({"CI-1": LEGACY})
    assert await import_legacy_messages(store, legacy, OWNER, "CI-1") == 2
    assert await import_legacy_messages(store, legacy, OWNER, "CI-1") == 0
    assert await import_legacy_messages(store, legacy, OWNER, "CI-unknown") == 0
    page = await list_messages(store, OWNER, PageRequest())
    assert [(m.received_at, m.subject, m.body) for m in page.messages] == [
        (LEGACY[1].received_at, "Bienvenue", "Votre contrat est actif"),
        (LEGACY[0].received_at, "Alerte", "Score en baisse"),
    ]
    assert page.messages[1].sender == "alertes@creanceinfo.fr"
    assert {m.source.value for m in page.messages} == {"legacy"}


async def test_the_export_is_oldest_first_and_the_mbox_reads_back(tmp_path: Path) -> None:
    store = InMemoryMailboxStore()
    await import_legacy_messages(store, InMemoryLegacyMailboxes({"CI-1": LEGACY}), OWNER, "CI-1")
    await file_alert(store, alert("al-1", title="Note abaissée : DUPONT SA"))
    exported = await export_mailbox(store, OWNER, NOW)
    assert [m.received_at for m in exported.messages] == sorted(m.received_at for m in exported.messages)
    path = tmp_path / "export.mbox"
    path.write_bytes(render_mbox(exported.messages))
    read_back = list(mailbox.mbox(path))
    assert len(read_back) == 3
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in read_back]
    assert subjects == ["Alerte", "Bienvenue", "Note abaissée : DUPONT SA"]
    first = read_back[0]
    assert email.utils.parsedate_to_datetime(first["Date"]) == LEGACY[0].received_at
    assert first.get_from().startswith("alertes@creanceinfo.fr Thu May  2 07:30:00 2019")
    payload = read_back[2].get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "La note de DUPONT SA passe de B à C." in payload.decode("utf-8")
    assert all(m.get_flags() == "O" for m in read_back)


async def test_the_fake_store_keeps_the_ports_promises() -> None:
    await check_mailbox_store(InMemoryMailboxStore())
