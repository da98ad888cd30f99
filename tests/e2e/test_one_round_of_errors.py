"""Issue #15, 5: a request's schema errors and domain-rule errors come in one 422,
through the gateway (the chassis's `ChecksRules` on the body model)."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import activated_creditor, legal_person, new_email

pytestmark = pytest.mark.e2e


async def test_registration_reports_a_bad_siret_a_weak_password_and_a_missing_field_at_once(
    running_services: Stack,
) -> None:
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=60) as http:
        form = {
            **legal_person(new_email()),
            "siret": "73282932000075",
            "password": "weak",
            "password_confirmation": "weak",
        }
        del form["address"]
        answer = await http.post("/api/identity/accounts", json=form)
        assert answer.status_code == 422, answer.text
        fields = {e["field"] for e in answer.json()["errors"]}
        assert {"address", "password", "siret"} <= fields, answer.text


async def test_bank_details_report_a_bad_iban_with_a_missing_field(running_services: Stack) -> None:
    stack = running_services
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, auth = await activated_creditor(stack, http)
        details = {"iban": "FR1420041010050500013M02607", "bic": "PSSTFRPPXXX", "holder_name": "Jeanne Martin"}
        answer = await http.put("/api/billing/profiles/me/bank-details", json=details, headers=auth)
        assert answer.status_code == 422, answer.text
        fields = {e["field"] for e in answer.json()["errors"]}
        assert fields == {"holder_civility", "iban"}, answer.text


async def test_a_new_password_is_checked_with_a_missing_token(running_services: Stack) -> None:
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=60) as http:
        for path in ("/api/identity/recovery/complete", "/api/identity/customers/first-connection/complete"):
            answer = await http.post(path, json={"password": "weak", "password_confirmation": "weaker"})
            assert answer.status_code == 422, answer.text
            fields = {e["field"] for e in answer.json()["errors"]}
            assert fields == {"token", "password", "password_confirmation"}, (path, answer.text)
