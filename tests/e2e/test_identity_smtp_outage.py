"""The courier: with the SMTP server down, a registration is stored with its
activation mail waiting in the account's document; the mail is delivered once
the server is back, exactly once."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import activation_link, eventually, legal_person, mongo, new_email

pytestmark = pytest.mark.e2e


async def test_a_mail_queued_while_smtp_is_down_arrives_once_after_it_returns(running_services: Stack) -> None:
    stack = running_services
    email = new_email()
    client = mongo(stack)
    accounts = client["identity"]["accounts"]
    try:
        await stack.smtp.stop_async()
        try:
            async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
                assert (await http.post("/api/identity/accounts", json=legal_person(email))).status_code == 202

            async def delivery_failed() -> bool:
                account = await accounts.find_one({"email": email})
                pending = (account or {}).get("_courier", [])
                return bool(pending) and pending[0]["attempts"] >= 1

            await eventually(delivery_failed, timeout=60)  # the courier tried, failed, kept the mail
        finally:
            await stack.smtp.up_async()
        mail = await stack.mailbox.wait_for(email, timeout=90)
        assert activation_link(mail.text)

        async def courier_empty() -> bool:
            return await accounts.count_documents({"email": email, "_courier.0": {"$exists": True}}) == 0

        await eventually(courier_empty)
        assert len(stack.mailbox.for_recipient(email)) == 1
    finally:
        await client.close()
