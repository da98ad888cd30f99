"""Recovery's fees through the gateway: `FeeIncurred` on Kafka (twice) for an onboarded creditor ->
the pre-notification mail in the SMTP sink, 14 days ahead -> support's next SEPA batch file holds
the fee once, as FRST, valid against the pain.008 XSD; the creditor cannot reach the batch routes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import xmlschema
from aiokafka import AIOKafkaProducer

from billing.adapters.pain008 import schema_path
from contracts import Envelope
from contracts.events.recovery import FeeIncurred
from devstack.stack import Stack
from tests.e2e.helpers import eventually, merchant, support_headers

pytestmark = pytest.mark.e2e


async def publish(stack: Stack, event: FeeIncurred, times: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for _ in range(times):
            envelope = Envelope.wrap(event, occurred_at=datetime.now(UTC))
            await producer.send_and_wait(envelope.topic, envelope.to_bytes(), key=envelope.subject.encode())
    finally:
        await producer.stop()


async def test_a_creditors_fee_is_pre_notified_and_in_the_next_sepa_batch(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        email, creditor = await merchant(stack, http)
        account_id = (await http.get("/api/billing/profiles/me", headers=creditor)).json()["account_id"]
        support = await support_headers(stack, http)
        case_id = f"case_{uuid.uuid4().hex[:12]}"
        event = FeeIncurred(
            fee_id=f"{case_id}:filing",
            case_id=case_id,
            creditor_id=account_id,
            step="filing",
            amount_cents=1875,
            incurred_at=datetime.now(UTC),
        )
        await publish(stack, event, times=2)

        forbidden = await http.post("/api/billing/sepa/batches", json={}, headers=creditor)
        assert forbidden.status_code == 403, forbidden.text
        assert forbidden.json()["type"].endswith("missing-role")

        async def batch_with_the_fee() -> dict[str, Any] | None:
            answer = await http.post("/api/billing/sepa/batches", json={}, headers=support)
            if answer.status_code not in (200, 201):
                assert answer.status_code in (404, 409), answer.text  # not recorded yet / being produced
                return None
            body: dict[str, Any] = answer.json()
            return body if any(fee["fee_id"] == event.fee_id for fee in body["fees"]) else None

        batch = await eventually(batch_with_the_fee, timeout=60)
        [line] = [c for c in batch["collections"] if c["creditor_id"] == account_id]
        assert (line["sequence"], line["amount_cents"], line["fee_ids"]) == ("FRST", 1875, [event.fee_id])
        assert [fee["fee_id"] for fee in batch["fees"]].count(event.fee_id) == 1  # delivered twice, once
        collection_date = date.fromisoformat(batch["collection_date"])
        assert collection_date >= datetime.now(UTC).date() + timedelta(days=14)

        mail = await stack.mailbox.wait_for(email, lambda m: "Prélèvement" in m.subject, timeout=60)
        assert "18.75 EUR" in mail.text
        assert collection_date.strftime("%d/%m/%Y") in mail.text
        assert line["mandate_reference"] in mail.text

        file = await http.get(f"/api/billing/sepa/batches/{batch['batch_id']}/file", headers=support)
        assert file.status_code == 200
        assert file.headers["content-type"].startswith("application/xml")
        xmlschema.XMLSchema(str(schema_path(batch["schema_version"]))).validate(file.text)
        assert line["collection_id"] in file.text

        again = await http.post(
            "/api/billing/sepa/batches", json={"collection_date": batch["collection_date"]}, headers=support
        )
        assert again.status_code == 200
        assert (await http.get(f"/api/billing/sepa/batches/{batch['batch_id']}/file", headers=support)).content == (
            file.content
        )
        listed = await http.get("/api/billing/sepa/batches", headers=support)
        assert batch["batch_id"] in [b["batch_id"] for b in listed.json()]
