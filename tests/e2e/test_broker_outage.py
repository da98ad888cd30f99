"""No lost events: with Kafka stopped, an activation is stored; its event
reaches billing after Kafka comes back, and has exactly one effect."""

from __future__ import annotations

import httpx
import pytest

from contracts import AccountActivated
from devstack.stack import Stack
from tests.e2e.helpers import activation_link, events_matching, eventually, legal_person, mongo, new_email

pytestmark = pytest.mark.e2e


async def test_an_event_written_while_kafka_is_down_arrives_once_after_it_returns(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    client = mongo(stack)
    try:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
            assert (await http.post("/api/identity/accounts", json=legal_person(email))).status_code == 202
            link = activation_link((await stack.mailbox.wait_for(email, timeout=30)).text)

            await stack.kafka.stop_async()
            try:
                activated = await http.get(link)
                assert activated.status_code == 200, activated.text
                account = await client["identity"]["accounts"].find_one({"email": email})
                assert account is not None
                assert account["status"] == "active"  # the state change is stored...
                # ...with its event waiting in the outbox, not lost.
                assert [e["topic"] for e in account["_outbox"]] == [AccountActivated.topic]
            finally:
                await stack.kafka.up_async()

        account_id = account["_id"]
        profiles = client["billing"]["profiles"]
        await eventually(lambda: profiles.find_one({"_id": account_id}), timeout=90)
        # The relay emptied the outbox and the event was published once and applied once.

        async def outbox_empty() -> bool:
            pending = {"_id": account_id, "_outbox.0": {"$exists": True}}
            return await client["identity"]["accounts"].count_documents(pending) == 0

        await eventually(outbox_empty)
        assert await profiles.count_documents({"_id": account_id}) == 1
        published = await events_matching(stack, AccountActivated.topic, lambda e: e.subject == account_id)
        assert len({e.event_id for e in published}) == 1
    finally:
        await client.close()


async def test_an_event_published_while_its_consumer_is_down_is_applied_once_it_returns(
    running_services: Stack,
) -> None:
    stack = running_services
    billing = stack.services["billing"]
    email = new_email()
    client = mongo(stack)
    try:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
            assert (await http.post("/api/identity/accounts", json=legal_person(email))).status_code == 202
            link = activation_link((await stack.mailbox.wait_for(email, timeout=30)).text)
            await billing.stop_async()
            try:
                assert (await http.get(link)).status_code == 200
                account = await client["identity"]["accounts"].find_one({"email": email})
                assert account is not None
                published = await eventually(
                    lambda: events_matching(stack, AccountActivated.topic, lambda e: e.subject == account["_id"])
                )
                assert len(published) == 1  # on the bus while billing is down
            finally:
                await billing.up_async()
        profiles = client["billing"]["profiles"]
        await eventually(lambda: profiles.find_one({"_id": account["_id"]}), timeout=90)
        assert await profiles.count_documents({"_id": account["_id"]}) == 1
    finally:
        await client.close()
