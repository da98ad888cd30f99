"""Through the gateway: a second account registered with another company's SIRET
no longer becomes its admin; support sees both claims and approves the real one."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.helpers import (
    KBIS,
    eventually,
    legal_person,
    new_email,
    new_siret,
    signed_up,
    support_headers,
)

pytestmark = pytest.mark.e2e


async def test_a_second_claimant_of_a_siret_gets_409_and_support_decides(running_services: Stack) -> None:
    stack = running_services
    siret = new_siret()
    siren = siret[:9]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        owner_id, owner = await signed_up(stack, http, {**legal_person(new_email()), "siret": siret})
        squatter_id, squatter = await signed_up(stack, http, {**legal_person(new_email()), "siret": siret})
        body = {"siren": siren, "mobile": "06 12 34 56 78", "extract": KBIS}

        async def claimed(headers: dict[str, str]) -> httpx.Response:
            async def answer() -> httpx.Response | None:
                response = await http.post("/api/teams/companies", json=body, headers=headers)
                return None if "account-not-synchronised" in response.text else response

            found: httpx.Response = await eventually(answer)
            return found

        first = await claimed(owner)
        assert first.status_code == 202, first.text
        second = await claimed(squatter)
        assert second.status_code == 409, second.text
        assert second.json()["type"].endswith("/claim-under-review")
        assert owner_id not in second.text
        # Pending: nobody is admin yet, so nobody can invite.
        assert (await http.get("/api/teams/companies", headers=owner)).json()["companies"] == []

        support = await support_headers(stack, http)
        listed = (await http.get("/api/teams/claims", headers=support)).json()["companies"]
        claimants = next(c["claimants"] for c in listed if c["siren"] == siren)
        assert [c["account_id"] for c in claimants] == [owner_id, squatter_id]
        approval = f"/api/teams/claims/{siren}/{first.json()['claim_id']}/approval"
        assert (await http.post(approval, json={}, headers=owner)).status_code == 403
        assert (await http.post(approval, json={}, headers=support)).status_code == 200

        space = (await http.get(f"/api/teams/companies/{siren}", headers=owner)).json()
        assert space["my_role"] == "admin"
        mine = (await http.get(f"/api/teams/companies/{siren}/claim", headers=squatter)).json()
        assert mine["status"] == "rejected"
        assert (await http.get("/api/teams/companies", headers=squatter)).json()["companies"] == []
