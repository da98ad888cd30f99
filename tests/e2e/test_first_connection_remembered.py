"""Issue #15, 4: a first connection asked before identity knows of the order is
remembered, and its mail goes (once) when the order's ScheduleCreated arrives.

The answer stays 202 with the same body as for an email that will never have an
order (enumeration-safe)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from identity.settings import IdentitySettings
from tests.e2e.helpers import eventually, merchant, mongo, order

pytestmark = pytest.mark.e2e
API = "/api/identity"


async def test_a_first_connection_asked_before_the_order_is_known_is_mailed_once_it_arrives(
    running_services: Stack,
) -> None:
    stack = running_services
    buyer, nobody = (f"buyer-{uuid.uuid4().hex[:10]}@example.fr" for _ in range(2))
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, seller = await merchant(stack, http)
        # Asked before the schedule exists: identity cannot know of the order yet.
        early = await http.post(f"{API}/customers/first-connection", json={"email": buyer})
        never = await http.post(f"{API}/customers/first-connection", json={"email": nobody})
        assert early.status_code == never.status_code == 202
        assert early.json() == never.json()
        assert not stack.mailbox.for_recipient(buyer)

        created = await http.post("/api/billing/schedules", json=order(buyer), headers=seller)
        assert created.status_code == 201, created.text
        mail = await stack.mailbox.wait_for(buyer, lambda m: "Créez" in m.subject, timeout=60)
        assert "/first-connection#token=" in mail.text

        # A second order of the same buyer: the request was answered, no second mail.
        second = await http.post("/api/billing/schedules", json=order(buyer), headers=seller)
        assert second.status_code == 201, second.text
        client = mongo(stack)
        try:
            db = client[IdentitySettings(environment="test", mongo_url=stack.mongo_url).mongo_db]

            async def both_orders_known() -> dict[str, Any] | None:
                doc = await db["order_emails"].find_one({"_id": buyer})
                return doc if doc and len(doc.get("orders", [])) == 2 else None

            await eventually(both_orders_known, timeout=60)
            assert await db["first_connection_requests"].find_one({"_id": buyer}) is None
            # The request of an email without an order waits, with its expiry, for the sweeper.
            waiting = await db["first_connection_requests"].find_one({"_id": nobody})
            assert waiting is not None
            assert waiting["expires_at"] > waiting["requested_at"]
        finally:
            await client.close()
        assert len(stack.mailbox.for_recipient(buyer)) == 1
        assert not stack.mailbox.for_recipient(nobody)
