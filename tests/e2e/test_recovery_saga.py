"""The saga through the gateway, from a declined card (issue 11, item 9): a merchant's buyer pays an
installment with a card that is declined; nothing regularises it during the grace period (14 days,
the test stack's clock moved by its offset file); recovery opens an amicable case on the merchant's
behalf against the buyer, with the buyer's name and address from billing's events, and assigns it
to a competent office. The merchant reads it among their cases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contracts.events.billing import PaymentRejected
from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor, eventually, find_event, new_email, operator, order
from tests.e2e.recovery_helpers import move_clock

pytestmark = [pytest.mark.e2e, pytest.mark.moves_clock]
DECLINES = "4000000000000002"
BANK_DETAILS = {
    "iban": "FR1420041010050500013M02606",
    "bic": "PSSTFRPPXXX",
    "holder_name": "Jeanne Martin",
    "holder_civility": "mrs",
    "billing_address": {"line": "12 rue Mercière", "postal_code": "69002", "city": "Lyon"},
}
BUYER_ADDRESS = {"line": "5 place Saint-Louis", "postal_code": "57000", "city": "Metz"}  # Moselle


async def test_a_declined_installment_left_unpaid_opens_a_case_for_the_merchant(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, auth = await activated_creditor(stack, http)
        for step in (
            await http.put("/api/billing/profiles/me/bank-details", json=BANK_DETAILS, headers=auth),
            await http.put("/api/billing/profiles/me/terms-acceptance", json={"version": "2026-01"}, headers=auth),
            await http.post("/api/billing/profiles/me/mandate", json={"decision": "sign"}, headers=auth),
        ):
            assert step.status_code == 200, step.text
        ops = await operator(stack, http)

        buyer = new_email()
        body = order(buyer, card=DECLINES, amount=30_000, buyer_name="Paul Lefebvre", buyer_address=BUYER_ADDRESS)
        created = await http.post("/api/billing/schedules", json=body, headers=auth)
        assert created.status_code == 201, created.text
        schedule_id = created.json()["schedule_id"]

        run = await http.post("/api/billing/debit-runs", json={}, headers=ops)
        assert run.status_code == 200, run.text
        rejected = await find_event(stack, PaymentRejected.topic, lambda e: e.subject == schedule_id)
        assert rejected.payload["buyer_name"] == "Paul Lefebvre"

        # Within the grace period no case is opened: billing may still collect.
        case_path = f"/api/recovery/cases/saga-{schedule_id}"
        assert (await http.get(case_path, headers=auth)).status_code == 404

        move_clock(stack, days=15)

        async def opened() -> dict[str, Any] | None:
            answer = await http.get(case_path, headers=auth)
            if answer.status_code != 200:
                return None
            case: dict[str, Any] = answer.json()
            return case if case.get("office_id") else None

        case = await eventually(opened, timeout=90)
        assert "Lefebvre" in case["debtor"]["display_name"]
        assert case["debtor"]["address"]["city"] == "Metz"
        assert case["debtor"]["address"]["department"] == "57"
        assert case["office_id"].startswith("sample-metz")
        # The declined installments: 300.00 EUR in 3, of which one or more were due and debited by billing's
        # clock (it runs ahead once the other clock-moving tests ran; every debit of this card is declined).
        assert case["principal_cents"] in {10_000, 20_000, 30_000}
        mine = (await http.get("/api/recovery/cases", headers=auth)).json()
        assert any(c["case_id"] == f"saga-{schedule_id}" for c in mine)
