"""Consumers accept an event only from its topic's owner (issue 9, item 10):
on the real broker, a forged rights event on teams' topic claiming another
source, or another service's event published on teams' topic, is never
applied to a rights view (billing's, built by the chassis) and goes to the
dead-letter topic with its reason."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from chassis.deadletters import read_dead_letters
from chassis.rights import RightsView
from contracts import AccountActivated, Envelope, MemberRightsChanged, PersonKind, Right
from devstack.stack import Stack
from tests.e2e.helpers import eventually
from tests.rights_probe import RightsProbe, running_rights_probe

pytestmark = pytest.mark.infra


@pytest.fixture
async def probe(stack: Stack) -> AsyncIterator[tuple[RightsProbe, RightsView]]:
    async with running_rights_probe(stack) as running:
        yield running


def grant(company: str, member: str) -> Envelope:
    event = MemberRightsChanged(
        company_id=company, member_id=member, rights=(Right.CHANGE_BANK_DETAILS,), revision=1, changed_by="admin"
    )
    return Envelope.wrap(event, occurred_at=datetime.now(UTC))


async def test_an_event_not_from_the_topics_owner_is_dead_lettered_and_never_applied(
    stack: Stack, probe: tuple[RightsProbe, RightsView], producer: AIOKafkaProducer
) -> None:
    service, view = probe
    company = f"{uuid.uuid4().int % 10**9:09d}"
    forged = grant(company, "mallory").model_copy(update={"source": "identity"})
    activated = AccountActivated(
        account_id="mallory", email="m@example.org", person_kind=PersonKind.NATURAL, display_name="M"
    )
    intruder = Envelope.wrap(activated, occurred_at=datetime.now(UTC))
    genuine = grant(company, "alice")
    topic, key = MemberRightsChanged.topic, company.encode()
    for envelope in (forged, intruder, genuine):
        await producer.send_and_wait(topic, envelope.to_bytes(), key=key)

    await eventually(lambda: view.may(company, "alice", Right.CHANGE_BANK_DETAILS))
    assert await view.rights_of(company, "mallory") == frozenset()

    async def letters() -> dict[str, str]:
        found = await read_dead_letters(stack.bootstrap_servers, service.name)
        return {d.value.decode(): d.headers["x-error"] for d in found if d.key == key}

    reasons = await eventually(lambda: _both(letters, forged, intruder))
    assert "not from the topic's owner" in reasons[forged.model_dump_json()]
    assert "'identity'" in reasons[forged.model_dump_json()]
    assert "contract mismatch: AccountActivated v1" in reasons[intruder.model_dump_json()]


async def _both(letters: Callable[[], Awaitable[dict[str, str]]], *envelopes: Envelope) -> dict[str, str] | None:
    found = await letters()
    return found if all(e.model_dump_json() in found for e in envelopes) else None
