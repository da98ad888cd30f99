"""Through the gateway: a company's admin shares a portfolio in its company space; a member it
invited with teams' right 1 (financial information) sees it, reads and checks it but may not change
it; once the right is withdrawn the member no longer sees it (ratings' local rights view, fed by
teams' events)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from ratings.adapters.providers import LocalProvider
from tests.e2e.helpers import (
    eventually,
    invite_member,
    legal_person,
    new_email,
    new_siret,
    open_company_space,
    signed_up,
)
from tests.e2e.test_teams_rights_reach_billing import PROOF, natural_person

pytestmark = pytest.mark.e2e
API = "/api/ratings"


async def test_a_portfolio_shared_in_a_company_space_follows_teams_rights(running_services: Stack) -> None:
    stack = running_services
    siret = new_siret()
    siren = siret[:9]
    admin_email, paul_email = new_email(), new_email()
    watched = LocalProvider(companies_per_country=100).directory.in_country("IT")[:3]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, admin = await signed_up(stack, http, {**legal_person(admin_email), "siret": siret})
        paul_id, paul = await signed_up(stack, http, natural_person(paul_email))
        await open_company_space(stack, http, admin, siren)

        # The admin holds every right: once ratings' view knows it, the portfolio is shared there.
        body = {
            "name": "Fournisseurs",
            "company_space": siren,
            "companies": [{"country": c.id.country, "registration_number": c.id.number} for c in watched],
        }

        async def shared() -> httpx.Response | None:
            answer = await http.post(f"{API}/portfolios", json=body, headers=admin)
            return None if answer.status_code == 422 and "missing-right" in answer.text else answer

        created = await eventually(shared, timeout=60)
        assert created.status_code == 201, created.text
        portfolio_id = created.json()["portfolio_id"]

        invitation = {
            "email": paul_email,
            "first_name": "Paul",
            "last_name": "Martin",
            "mobile": "06 98 76 54 32",
            "rights": ["view_financial_documents"],
            "proof_of_power": PROOF,
        }
        _, link = await invite_member(stack, http, admin, siren, invitation)
        token = link.split("#token=", 1)[1]
        joined = await http.post("/api/teams/invitations/acceptance", json={"token": token}, headers=paul)
        assert joined.status_code == 200, joined.text

        async def listed() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = (await http.get(f"{API}/portfolios", headers=paul)).json()
            return [p for p in found if p["portfolio_id"] == portfolio_id]

        assert [p["name"] for p in await eventually(listed, timeout=60)] == ["Fournisseurs"]
        shown = await http.get(f"{API}/portfolios/{portfolio_id}", headers=paul)
        assert shown.status_code == 200
        assert shown.json()["company_count"] == 3
        assert (await http.get(f"{API}/portfolios/{portfolio_id}/export", headers=paul)).status_code == 200
        edit = await http.patch(f"{API}/portfolios/{portfolio_id}", json={"name": "Mine"}, headers=paul)
        assert edit.status_code == 403, edit.text
        assert edit.json()["type"].endswith("not-owner")

        withdrawn = await http.put(
            f"/api/teams/companies/{siren}/members/{paul_id}/rights", json={"rights": ["manage_funds"]}, headers=admin
        )
        assert withdrawn.status_code == 200, withdrawn.text

        async def hidden() -> bool:
            return (await http.get(f"{API}/portfolios/{portfolio_id}", headers=paul)).status_code == 404

        await eventually(hidden, timeout=60)
        assert await listed() == []
