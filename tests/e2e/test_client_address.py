"""On the real stack (uvicorn processes on one host): a client's X-Forwarded-For,
or an address header of its own making, never decides which address identity
counts a request under, whether it calls identity directly or through the gateway."""

from __future__ import annotations

import random

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import mongo, new_email

pytestmark = pytest.mark.e2e


async def test_a_forged_forwarded_address_is_counted_under_the_real_one(running_services: Stack) -> None:
    stack = running_services
    forged = [f"203.0.113.{random.randint(1, 254)}" for _ in range(3)]
    client = mongo(stack)
    counters = client["identity"]["request_counters"]
    try:
        real = {"_id": {"$regex": r"^recovery:address:127\.0\.0\.1:"}}

        async def counted_under_the_real_address() -> int:
            return sum([int(doc["count"]) async for doc in counters.find(real)])

        before = await counted_under_the_real_address()
        async with httpx.AsyncClient(timeout=30) as http:
            direct = await http.post(
                stack.service_url("identity") + "/recovery",
                json={"email": new_email()},
                headers={"X-Forwarded-For": forged[0]},
            )
            assert direct.status_code == 202, direct.text
            through = await http.post(
                stack.gateway_url + "/api/identity/recovery",
                json={"email": new_email()},
                headers={
                    "X-Forwarded-For": forged[1],
                    "X-Creditdesk-Client": forged[2],
                    "X-Creditdesk-Client-Signature": "t=1,s=00",
                },
            )
            assert through.status_code == 202, through.text
        # Both answers came after the count: the real address (every process here is 127.0.0.1) has both.
        assert await counted_under_the_real_address() == before + 2
        for address in forged:
            assert await counters.find_one({"_id": {"$regex": f"^recovery:address:{address}:"}}) is None, address
    finally:
        await client.close()
