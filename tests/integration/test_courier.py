"""The mail courier on the real Mongo server and the devstack's SMTP sink: a
mail that cannot be built is parked at once and the mail after it goes out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chassis.mail import COURIER_FIELD, mail_entry, with_mail
from chassis.metrics import ServiceMetrics
from chassis.mongo import MongoDatabase
from chassis.parking import list_parked
from devstack.stack import Stack
from tests.integration.conftest import SinkCourier

pytestmark = pytest.mark.infra
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def delivered_to(stack: Stack, address: str) -> bool:
    return any(address in path.read_text(errors="replace") for path in stack.config.mail_dir.glob("*.eml"))


async def test_a_mail_that_cannot_be_built_is_parked_and_the_next_goes_out(
    stack: Stack, db: MongoDatabase, sink_courier: SinkCourier
) -> None:
    metrics = ServiceMetrics("t")
    relay, _ = sink_courier(db, ["invitations"], metrics=metrics)
    jammed = mail_entry(to="a@example.org", subject="ACME\r\nBcc: evil@example.org", text="join us", now=NOW)
    good_to = f"b-{uuid.uuid4().hex[:8]}@example.org"
    await db["invitations"].insert_one(with_mail({"_id": "jam"}, jammed))
    await db["invitations"].insert_one(
        with_mail({"_id": "ok"}, mail_entry(to=good_to, subject="Hi", text="x", now=NOW))
    )

    assert await relay.drain_once() == (1, 1)
    assert delivered_to(stack, good_to)  # the sink stores a message before it answers
    [parked] = await list_parked(db)
    assert parked.id == jammed["id"]
    assert parked.entry["attempts"] == 1  # parked at once: no retry can build it
    assert "cannot be built" in parked.entry["last_error"]
    assert metrics.outbox_parkings.labels("courier")._value.get() == 1
    doc = await db["invitations"].find_one({"_id": "ok"})
    assert doc is not None
    assert doc[COURIER_FIELD] == []
