"""Teams' flow through the gateway, across services: an admin invites a
collaborator, confirms with the code read from the SMS sink, the invitee
accepts the mailed link and joins; the right granted reaches the rights views
of other services (the chassis RightsView, as billing runs it); revoking it
makes them refuse the action.

Billing's own rights view and its bank-details route are asserted both ways:
granted, the member may change the company's bank details; revoked, billing
refuses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chassis.errors import Forbidden
from chassis.rights import RightsView
from contracts.events.teams import InvitationSent, MemberJoined, Right
from devstack.stack import Stack
from tests.e2e.helpers import (
    PASSWORD,
    eventually,
    find_event,
    invite_member,
    legal_person,
    mongo,
    new_email,
    new_siret,
    open_company_space,
    signed_up,
)
from tests.rights_probe import running_rights_probe

pytestmark = pytest.mark.e2e
PROOF = {"kind": "delegation_of_power", "reference": "DP-2026-014", "issued_on": "2026-11-02"}


def natural_person(email: str) -> dict[str, Any]:
    return {
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "person_kind": "natural",
        "civility": "mr",
        "last_name": "Martin",
        "first_name": "Paul",
        "address": {"line": "3 rue Lepic", "postal_code": "75018", "city": "Paris"},
    }


@pytest.fixture
async def rights_probe(running_services: Stack) -> AsyncIterator[RightsView]:
    async with running_rights_probe(running_services) as (_, view):
        yield view


BANK_DETAILS = {
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "PSSTFRPPXXX",
    "holder_name": "Paul Martin",
    "holder_civility": "mr",
}


async def billing_follows(
    stack: Stack, http: httpx.AsyncClient, siren: str, member_id: str, member: dict[str, str], *, granted: bool
) -> None:
    """Billing's rights view (its Mongo database) holds the member's current right to
    change bank details, and its bank-details route agrees."""
    client = mongo(stack)
    try:
        view = client["billing"]["rights_view"]

        async def current() -> dict[str, Any] | None:
            document = await view.find_one({"_id": f"{siren}:{member_id}"})
            if document is None or (Right.CHANGE_BANK_DETAILS in document["rights"]) != granted:
                return None
            return document

        stored = await eventually(current)
        assert Right.VIEW_FINANCIAL_DOCUMENTS in stored["rights"]
    finally:
        await client.close()
    answer = await http.put(f"/api/billing/companies/{siren}/bank-details", json=BANK_DETAILS, headers=member)
    assert answer.status_code == (200 if granted else 403), answer.text


async def test_a_granted_right_reaches_other_services_and_its_revocation_too(
    running_services: Stack, rights_probe: RightsView
) -> None:
    stack = running_services
    siret = new_siret()
    siren = siret[:9]
    admin_email, paul_email = new_email(), new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        _admin_id, admin = await signed_up(stack, http, {**legal_person(admin_email), "siret": siret})
        paul_id, paul = await signed_up(stack, http, natural_person(paul_email))

        # The legal person claims its company space with an extract; support approves the claim.
        space = await open_company_space(stack, http, admin, siren)
        assert space["my_role"] == "admin"

        # Invite: the code goes by SMS to the admin.
        invitation = {
            "email": paul_email,
            "first_name": "Paul",
            "last_name": "Martin",
            "mobile": "06 98 76 54 32",
            "rights": ["view_financial_documents", "change_bank_details"],
            "proof_of_power": PROOF,
        }
        # The invitee follows the mailed link, logged in with the invited address.
        invitation_id, link = await invite_member(stack, http, admin, siren, invitation)
        assert link.startswith(stack.portal_url)
        token = link.split("#token=", 1)[1]  # the portal page reads its fragment and POSTs the token
        preview = await http.post("/api/teams/invitations/preview", json={"token": token})
        assert preview.status_code == 200
        assert preview.json()["status"] == "sent"
        joined = await http.post("/api/teams/invitations/acceptance", json={"token": token}, headers=paul)
        assert joined.status_code == 200, joined.text
        assert (
            await http.post("/api/teams/invitations/acceptance", json={"token": token}, headers=paul)
        ).status_code == 400

        team = (await http.get("/api/teams/companies", headers=paul)).json()["companies"]
        assert [(c["siren"], c["my_rights"]) for c in team] == [
            (siren, ["change_bank_details", "view_financial_documents"])
        ]

        # The facts crossed the bus, keyed by the company.
        await find_event(stack, InvitationSent.topic, lambda e: e.payload["invitation_id"] == invitation_id)
        await find_event(stack, MemberJoined.topic, lambda e: e.subject == siren and e.payload["member_id"] == paul_id)

        # The right shows up in another service's local view...
        async def granted() -> bool:
            return await rights_probe.may(siren, paul_id, Right.CHANGE_BANK_DETAILS)

        await eventually(granted)
        await rights_probe.require(siren, paul_id, Right.VIEW_FINANCIAL_DOCUMENTS)

        await billing_follows(stack, http, siren, paul_id, paul, granted=True)

        # ...and revoking it takes it away there.
        revoked = await http.put(
            f"/api/teams/companies/{siren}/members/{paul_id}/rights",
            json={"rights": ["view_financial_documents"]},
            headers=admin,
        )
        assert revoked.status_code == 200, revoked.text

        async def withdrawn() -> bool:
            return not await rights_probe.may(siren, paul_id, Right.CHANGE_BANK_DETAILS)

        await eventually(withdrawn)
        with pytest.raises(Forbidden):
            await rights_probe.require(siren, paul_id, Right.CHANGE_BANK_DETAILS)
        assert await rights_probe.may(siren, paul_id, Right.VIEW_FINANCIAL_DOCUMENTS)

        await billing_follows(stack, http, siren, paul_id, paul, granted=False)

        async def audited() -> bool:
            records = (await http.get(f"/api/teams/companies/{siren}/audit", headers=admin)).json()["records"]
            return any(r["action"] == "member_rights_changed" and r["target"] == paul_id for r in records)

        await eventually(audited)
