"""What every MailboxStore (the Mongo adapter and the in-memory fake) must do:
the same checks run on both (`test_mailbox_handlers.py` on the fake,
`test_service_mailbox.py` on Mongo), so the fake cannot drift from the adapter."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from identity.domain.mailbox import MailboxMessage, MessageSource, PageRequest, new_message, page_request
from identity.ports import MailboxStore

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def check_mailbox_store(store: MailboxStore) -> None:
    owner, other = f"acct-{uuid.uuid4().hex}", f"acct-{uuid.uuid4().hex}"

    def message(key: str, hours: int, account: str = owner) -> MailboxMessage:
        return new_message(
            account_id=account,
            source=MessageSource.ALERT,
            source_key=f"{account}:{key}",
            received_at=AT + timedelta(hours=hours),
            subject=f"subject {key}",
            body="body",
            details={"kind": "rating_changed"},
        )

    batch = [message(f"m{i}", i) for i in range(5)] + [message("same-hour", 2)]
    assert await store.file(batch) == 6
    assert await store.file([*batch[:2], message("m9", 9)]) == 1
    assert await store.file([message("theirs", 1, other)]) == 1

    page = await store.page(owner, PageRequest(limit=4))
    assert (page.total, page.unread) == (7, 7)
    keys = [(m.received_at, m.message_id) for m in page.messages]
    assert keys == sorted(keys, reverse=True)
    assert page.next_cursor is not None
    rest = await store.page(owner, page_request(4, page.next_cursor))
    assert rest.next_cursor is None
    seen = [m.message_id for m in page.messages + rest.messages]
    assert len(seen) == len(set(seen)) == 7
    assert page.messages[0].details == {"kind": "rating_changed"}
    assert page.messages[0].received_at == AT + timedelta(hours=9)

    target = page.messages[1].message_id
    theirs = (await store.page(other, PageRequest())).messages[0].message_id
    assert await store.get(owner, theirs) is None
    assert await store.set_read_at(owner, theirs, AT) is None
    assert not await store.delete(owner, theirs, AT)

    read = await store.set_read_at(owner, target, AT)
    assert read is not None
    assert read.read_at == AT
    unread_page = await store.page(owner, PageRequest(unread_only=True, limit=100))
    assert target not in {m.message_id for m in unread_page.messages}
    assert (unread_page.unread, unread_page.total) == (6, 7)
    unread_again = await store.set_read_at(owner, target, None)
    assert unread_again is not None
    assert unread_again.read_at is None

    assert await store.delete(owner, target, AT)
    assert not await store.delete(owner, target, AT)
    assert await store.get(owner, target) is None
    refiled = [m for m in [*batch, message("m9", 9)] if m.message_id == target]
    assert await store.file(refiled) == 0  # the tombstone keeps it out
    everything = await store.everything(owner)
    assert len(everything) == 6
    assert [m.received_at for m in everything] == sorted(m.received_at for m in everything)
    assert (await store.page(other, PageRequest())).total == 1

    later = AT + timedelta(days=1)
    assert await store.mark_all_read(owner, later) == 6
    assert await store.mark_all_read(owner, later) == 0
    assert (await store.page(owner, PageRequest())).unread == 0
    assert (await store.page(other, PageRequest())).unread == 1  # another account's stay unread
