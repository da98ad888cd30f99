"""Admins on the real Kafka and Mongo server: appointing one needs a proof of
power; the new admin manages the team; the last admin stays."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contracts.events.teams import MemberRightsChanged

pytestmark = pytest.mark.infra


async def space_with_member(svc: Any) -> tuple[str, dict[str, str], str, dict[str, str]]:
    admin_id, _, admin = await svc.account()
    await svc.open_space(admin)
    paul_id, paul_email, paul = await svc.account(legal=False)
    invited = await svc.http.post(
        f"/companies/{svc.SIREN}/invitations",
        json={"email": paul_email, "first_name": "Paul", "last_name": "Martin", "mobile": "0698765432", "rights": []},
        headers=admin,
    )
    path = f"/companies/{svc.SIREN}/invitations/{invited.json()['invitation_id']}"
    await svc.http.post(f"{path}/confirmation", json={"code": svc.last_code()}, headers=admin)
    mail = await svc.stack.mailbox.wait_for(paul_email)
    token = re.search(r"token=([\w-]+)", mail.text).group(1)  # type: ignore[union-attr]
    assert (await svc.http.post("/invitations/acceptance", json={"token": token}, headers=paul)).status_code == 200
    return admin_id, admin, paul_id, paul


async def test_an_appointed_admin_manages_the_team(svc: Any) -> None:
    admin_id, admin, paul_id, paul = await space_with_member(svc)
    url = f"/companies/{svc.SIREN}/admins/{paul_id}"
    svc.problem(await svc.http.put(url, json={}, headers=admin), 422, "proof-of-power-required")
    svc.problem(await svc.http.put(url, json={}, headers=paul), 403, "not-company-admin")
    proof = {"kind": "board_resolution", "reference": "PV-3", "issued_on": "2026-10-01"}
    appointed = await svc.http.put(url, json={"proof_of_power": proof}, headers=admin)
    assert appointed.status_code == 200, appointed.text
    assert appointed.json()["role"] == "admin"
    assert len(appointed.json()["rights"]) == 6
    event = await svc.find_event(
        svc.stack,
        MemberRightsChanged.topic,
        lambda e: e.subject == svc.SIREN and e.payload["member_id"] == paul_id and e.payload["revision"] == 2,
    )
    assert len(event.payload["rights"]) == 6

    # The new admin may dismiss the founder, but not the last admin.
    dismissed = await svc.http.delete(f"/companies/{svc.SIREN}/admins/{admin_id}", headers=paul)
    assert dismissed.json()["role"] == "member"
    assert dismissed.json()["rights"] == []
    svc.problem(await svc.http.delete(url, headers=paul), 409, "last-admin")
    svc.problem(await svc.http.get(f"/companies/{svc.SIREN}/invitations", headers=admin), 403, "not-company-admin")
