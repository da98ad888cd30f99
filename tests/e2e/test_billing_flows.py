"""Billing through the gateway: a creditor's onboarding up to the signed SEPA
mandate; an order's schedule paid by debit runs; a declining card rejected on
the bus, then regularised in 3; rights on company bank details."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts import Envelope, MemberRightsChanged, Right
from contracts.events.billing import MandateSigned, PaymentRejected, PaymentSucceeded, ScheduleCreated
from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor, eventually, find_event, merchant, operator, order, problem

pytestmark = pytest.mark.e2e
GOOD, MASTERCARD, DECLINES = "4242424242424242", "5555555555554444", "4000000000000002"


async def test_creditor_onboarding_up_to_the_signed_mandate(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        _, auth = await activated_creditor(stack, http)

        async def profile() -> dict[str, Any] | None:
            answer = await http.get("/api/billing/profiles/me", headers=auth)
            return answer.json() if answer.status_code == 200 else None

        opened = await eventually(profile)
        assert opened["onboarding"]["next_step"] == "bank_details"
        account_id = opened["account_id"]

        early = await http.post("/api/billing/profiles/me/mandate", json={"decision": "sign"}, headers=auth)
        assert problem(early, 409)["type"].endswith("bank-details-missing")

        details = {
            "iban": "FR14 2004 1010 0505 0001 3M02 607",
            "bic": "PSSTFRPPXXX",
            "holder_name": "Jeanne Martin",
            "holder_civility": "mrs",
        }
        bad = await http.put("/api/billing/profiles/me/bank-details", json=details, headers=auth)
        assert problem(bad, 422)["errors"][0]["field"] == "iban"
        wrong_bank = await http.put(
            "/api/billing/profiles/me/bank-details",
            json={**details, "iban": "FR1420041010050500013M02606", "bic": "COBADEFFXXX"},
            headers=auth,
        )
        assert problem(wrong_bank, 422)["errors"][0]["field"] == "bic"
        given = await http.put(
            "/api/billing/profiles/me/bank-details",
            json={**details, "iban": "FR1420041010050500013M02606"},
            headers=auth,
        )
        assert given.status_code == 200, given.text
        assert "20041010050500013M0" not in given.text  # masked everywhere
        assert given.json()["bank_details"]["iban_masked"].startswith("FR14 ****")

        terms = await http.put("/api/billing/profiles/me/terms-acceptance", json={"version": "2026-01"}, headers=auth)
        assert terms.status_code == 200, terms.text
        refused = await http.post("/api/billing/profiles/me/mandate", json={"decision": "refuse"}, headers=auth)
        assert refused.json()["mandate"]["status"] == "refused"
        signed = await http.post("/api/billing/profiles/me/mandate", json={"decision": "sign"}, headers=auth)
        assert signed.status_code == 200, signed.text
        mandate = signed.json()["mandate"]
        assert mandate["status"] == "signed"
        assert mandate["scheme"] == "CORE"
        assert mandate["sequence"] == "RCUR"

        event = await find_event(stack, MandateSigned.topic, lambda e: e.subject == account_id)
        assert event.payload["mandate_reference"] == mandate["reference"]
        assert "20041" not in event.payload["iban_masked"].replace(" ", "")
        active = await http.get("/api/billing/profiles/me", headers=auth)
        assert active.json()["status"] == "active"
        assert "20041010050500013M0" not in active.text


async def test_schedule_paid_declined_and_regularised_in_three(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        email, auth = await merchant(stack, http)
        ops = await operator(stack, http)

        created = await http.post("/api/billing/schedules", json=order(email, card=GOOD, amount=12796), headers=auth)
        assert created.status_code == 201, created.text
        good = created.json()
        assert [i["amount_cents"] for i in good["installments"]] == [4266, 4265, 4265]
        assert good["card"] == {"brand": "visa", "last4": "4242", "expiry": "12/2035"}
        assert GOOD not in created.text
        await find_event(stack, ScheduleCreated.topic, lambda e: e.subject == good["schedule_id"])

        bad_card = order(email, card="4242424242424241", amount=100)
        assert problem(await http.post("/api/billing/schedules", json=bad_card, headers=auth), 422)["errors"]

        declining = await http.post(
            "/api/billing/schedules", json=order(email, card=DECLINES, amount=15918 * 3), headers=auth
        )
        assert declining.status_code == 201, declining.text
        unpaid_id = declining.json()["schedule_id"]

        assert problem(await http.post("/api/billing/debit-runs", json={}, headers=auth), 403)["title"] == "Forbidden"
        run = await http.post("/api/billing/debit-runs", json={}, headers=ops)
        assert run.status_code == 200, run.text
        assert f"{good['schedule_id']}:installment:1:1" in run.json()["payment_ids"]

        paid = await find_event(stack, PaymentSucceeded.topic, lambda e: e.subject == good["schedule_id"])
        assert paid.payload["amount_cents"] == 4266
        rejected = await find_event(stack, PaymentRejected.topic, lambda e: e.subject == unpaid_id)
        assert rejected.payload["reason"] == "card_declined"
        assert rejected.payload["amount_cents"] == 15918

        mine = await http.get("/api/billing/schedules/mine", params={"state": "in_progress"}, headers=auth)
        assert {good["schedule_id"], unpaid_id} <= {s["schedule_id"] for s in mine.json()}
        detail = (await http.get(f"/api/billing/schedules/{good['schedule_id']}", headers=auth)).json()
        assert [i["status"] for i in detail["installments"]] == ["paid", "pending", "pending"]

        changed = await http.put(
            f"/api/billing/schedules/{good['schedule_id']}/card",
            json={"number": MASTERCARD, "expiry_month": 1, "expiry_year": 2036},
            headers=auth,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["last4"] == "4444"

        unpaid = (await http.get(f"/api/billing/schedules/{unpaid_id}", headers=auth)).json()
        assert unpaid["status"] == "unpaid"
        assert unpaid["regularisation_options"] == {"1": [15918], "2": [7959, 7959], "3": [5306, 5306, 5306]}
        refused = await http.put(
            f"/api/billing/schedules/{unpaid_id}/card",
            json={"number": GOOD, "expiry_month": 12, "expiry_year": 2035},
            headers=auth,
        )
        assert problem(refused, 422)["type"].endswith("schedule-unpaid")

        regularised = await http.post(
            f"/api/billing/schedules/{unpaid_id}/regularisation",
            json={"payments": 3, "card": {"number": GOOD, "expiry_month": 12, "expiry_year": 2035}},
            headers=auth,
        )
        assert regularised.status_code == 200, regularised.text
        state = regularised.json()
        assert state["status"] == "being_regularised"
        assert state["regularisation"]["regularised_so_far_cents"] == 5306
        assert [p["amount_cents"] for p in state["regularisation"]["payments"]] == [5306, 5306, 5306]

        other = await http.get("/api/billing/schedules/sch_does_not_exist", headers=auth)
        problem(other, 404)


async def publish_as_teams(stack: Stack, event: MemberRightsChanged) -> None:
    """What teams would emit; billing's view must follow it without calling teams."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        envelope = Envelope.wrap(event, occurred_at=datetime.now(UTC))
        await producer.send_and_wait(envelope.topic, envelope.to_bytes(), key=envelope.subject.encode())
    finally:
        await producer.stop()


async def test_company_bank_details_need_the_right(running_services: Stack) -> None:
    stack = running_services
    siren = f"{uuid.uuid4().int % 10**9:09d}"
    details = {
        "iban": "FR1420041010050500013M02606",
        "bic": "PSSTFRPPXXX",
        "holder_name": "Jeanne Martin",
        "holder_civility": "mrs",
    }
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        _, auth = await activated_creditor(stack, http)
        member = (await http.get("/api/identity/accounts/me", headers=auth)).json()["account_id"]
        path = f"/api/billing/companies/{siren}/bank-details"
        answer = await http.put(path, json=details, headers=auth)
        assert "change_bank_details" in problem(answer, 403)["detail"]

        granted = MemberRightsChanged(
            company_id=siren, member_id=member, rights=(Right.CHANGE_BANK_DETAILS,), revision=1, changed_by="admin"
        )
        await publish_as_teams(stack, granted)

        async def allowed() -> httpx.Response | None:
            attempt = await http.put(path, json=details, headers=auth)
            return attempt if attempt.status_code == 200 else None

        changed = await eventually(allowed)
        assert changed.json()["iban_masked"].startswith("FR14 ****")
        assert "20041010050500013M0" not in changed.text
        assert problem(await http.put(path, json={**details, "bic": "BNPAFRPPXXX"}, headers=auth), 422)

        revoked = MemberRightsChanged(company_id=siren, member_id=member, rights=(), revision=2, changed_by="admin")
        await publish_as_teams(stack, revoked)

        async def forbidden() -> bool:
            return (await http.get(path, headers=auth)).status_code == 403

        assert await eventually(forbidden)


async def test_bad_inputs_get_clear_4xx_problems(running_services: Stack) -> None:
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=30) as http:
        email, auth = await merchant(running_services, http)
        ops = await operator(running_services, http)
        card = {"number": GOOD, "expiry_month": 12, "expiry_year": 2035}
        body = order(email)
        cases: list[tuple[str, str, Any, int]] = [
            ("POST", "/api/billing/schedules", {**body, "purchase_amount_cents": 12.5}, 422),
            ("POST", "/api/billing/schedules", {**body, "installments": 0}, 422),
            ("POST", "/api/billing/schedules", {**body, "purchase_amount_cents": 2}, 422),
            ("POST", "/api/billing/schedules", {**body, "buyer_email": "nope"}, 422),
            ("POST", "/api/billing/schedules", {**body, "card": {**card, "expiry_year": 2020}}, 422),
            ("POST", "/api/billing/schedules", {**body, "card": {**card, "number": "378282246310005"}}, 422),
            ("POST", "/api/billing/schedules", "not json", 400),  # unparsable: malformed-body (issue #15)
            ("POST", "/api/billing/schedules", {**body, "purchase_date": "0001-01-01"}, 422),
            ("POST", "/api/billing/schedules", {**body, "merchant": "Someone Else"}, 422),
            ("POST", "/api/billing/schedules", {**body, "buyer_name": "Jeanne\r\nBcc: x@example.org"}, 422),
            ("POST", "/api/billing/schedules", {k: v for k, v in body.items() if k != "buyer_address"}, 422),
            ("PUT", "/api/billing/companies/12345/bank-details", {}, 422),
            ("PUT", "/api/billing/profiles/me/terms-acceptance", {"version": "1999"}, 422),
            ("POST", "/api/billing/profiles/me/mandate", {"decision": "maybe"}, 422),
            ("POST", "/api/billing/schedules/unknown/regularisation", {"payments": 3}, 404),
            ("POST", "/api/billing/schedules/unknown/regularisation", {"payments": 4}, 422),
            ("POST", "/api/billing/schedules/unknown/cancellation", {"amount_cents": -1}, 422),
        ]
        for method, path, sent, status in cases:
            if isinstance(sent, str):
                answer = await http.request(
                    method, path, content=sent, headers={**auth, "content-type": "application/json"}
                )
            else:
                answer = await http.request(method, path, json=sent, headers=auth)
            assert answer.status_code == status, (method, path, sent, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        for as_of in (
            "2026-01-01T00:00:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "1990-01-01T00:00:00Z",
        ):
            run = await http.post("/api/billing/debit-runs", json={"as_of": as_of}, headers=ops)
            assert problem(run, 422)["errors"][0]["field"] == "as_of", as_of
        _, not_onboarded = await activated_creditor(running_services, http)
        no_mandate = await http.post("/api/billing/profiles/me/mandate/revocation", headers=not_onboarded)
        assert problem(no_mandate, 409)["type"].endswith("no-mandate")
        created = await http.post("/api/billing/schedules", json=body, headers=auth)
        assert created.status_code == 201, created.text
        again = await http.post("/api/billing/schedules", json=body, headers=auth)
        assert problem(again, 409)["type"].endswith("order-has-schedule")
        sid = created.json()["schedule_id"]
        nothing = await http.post(f"/api/billing/schedules/{sid}/regularisation", json={"payments": 1}, headers=auth)
        assert problem(nothing, 409)["type"].endswith("nothing-unpaid")
        too_much = await http.post(
            f"/api/billing/schedules/{sid}/cancellation", json={"amount_cents": 10**7}, headers=auth
        )
        assert problem(too_much, 422)["errors"][0]["field"] == "amount_cents"
        amex = await http.put(
            f"/api/billing/schedules/{sid}/card",
            json={"number": "378282246310005", "expiry_month": 1, "expiry_year": 2020},
            headers=auth,
        )
        assert problem(amex, 422)["errors"][0]["field"] == "card.expiry_year"  # expired: refused before the rules
