"""Issue #15, 1: paying an unpaid amount with a card does not bypass the card-on-file rules.

The issue's case: an unpaid 300.00 EUR schedule in 3, regularised at once with a
Mastercard expiring 12/2026, before the schedule's last installment. The payment
goes through on that card, which pays the plan only: the card on file stays, as
`PUT .../card` with the same card is refused."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import merchant, operator, order

pytestmark = pytest.mark.e2e
DECLINES, MASTERCARD = "4000000000000002", "5555555555554444"
SHORT_LIVED = {"number": MASTERCARD, "expiry_month": 12, "expiry_year": 2026}


async def test_a_card_paying_a_regularisation_stays_off_file_when_it_breaks_a_card_rule(
    running_services: Stack,
) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        email, auth = await merchant(stack, http)
        ops = await operator(stack, http)
        created = await http.post(
            "/api/billing/schedules", json=order(email, card=DECLINES, amount=30000), headers=auth
        )
        assert created.status_code == 201, created.text
        schedule_id = created.json()["schedule_id"]
        assert [i["amount_cents"] for i in created.json()["installments"]] == [10000, 10000, 10000]
        assert (await http.post("/api/billing/debit-runs", json={}, headers=ops)).status_code == 200
        unpaid = (await http.get(f"/api/billing/schedules/{schedule_id}", headers=auth)).json()
        assert unpaid["status"] == "unpaid", unpaid
        last_installment = unpaid["installments"][-1]["due_date"]
        assert last_installment > "2026-12-31"  # the short-lived card cannot pay it

        regularised = await http.post(
            f"/api/billing/schedules/{schedule_id}/regularisation",
            json={"payments": 1, "card": SHORT_LIVED},
            headers=auth,
        )
        assert regularised.status_code == 200, regularised.text
        state = regularised.json()
        # The card on file stays (before issue #15 it became 5555...4444 expiring 12/2026).
        assert state["card"] == {"brand": "visa", "last4": "0002", "expiry": "12/2035"}
        assert state["regularisation"]["settled"] is True
        assert state["regularisation"]["card"] == {"brand": "mastercard", "last4": "4444", "expiry": "12/2026"}
        on_file = (await http.get(f"/api/billing/schedules/{schedule_id}/card", headers=auth)).json()
        assert on_file["expiry"] == "12/2035", on_file

        # The same card through the card-change route: refused by the same rule.
        changed = await http.put(f"/api/billing/schedules/{schedule_id}/card", json=SHORT_LIVED, headers=auth)
        assert changed.status_code == 422, changed.text
        assert changed.json()["type"].endswith("expires-before-last-installment")
