"""Teams' routes on the real Kafka and Mongo server: the whole invitation flow,
rights changes and their events, the audit trail."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from contracts.events.common import PersonKind
from contracts.events.identity import AccountActivated
from contracts.events.teams import InvitationSent, MemberJoined, MemberRemoved, MemberRightsChanged

pytestmark = pytest.mark.infra

PROOF = {"kind": "delegation_of_power", "reference": "DP-2026-014", "issued_on": "2026-11-02"}


async def open_space(svc: Any) -> tuple[str, dict[str, str]]:
    admin_id, _, admin = await svc.account()
    await svc.open_space(admin, mobile="06 12 34 56 78")
    return admin_id, admin


async def invite(svc: Any, admin: dict[str, str], email: str, rights: list[str], **extra: Any) -> dict[str, Any]:
    body = {"email": email, "first_name": "Paul", "last_name": "Martin", "mobile": "+33 6 98 76 54 32"}
    answer = await svc.http.post(
        f"/companies/{svc.SIREN}/invitations", json={**body, "rights": rights, **extra}, headers=admin
    )
    assert answer.status_code == 201, answer.text
    invitation: dict[str, Any] = answer.json()
    return invitation


async def test_an_invited_collaborator_joins_with_the_granted_rights(svc: Any) -> None:
    admin_id, admin = await open_space(svc)
    space = (await svc.http.get(f"/companies/{svc.SIREN}", headers=admin)).json()
    assert space["my_role"] == "admin"
    assert len(space["my_rights"]) == 6
    assert space["members"][0]["mobile"] == "+33*******78"  # masked

    paul_id, paul_email, paul = await svc.account(legal=False)
    invitation = await invite(
        svc, admin, paul_email.upper(), ["view_financial_documents", "change_bank_details"], proof_of_power=PROOF
    )
    assert invitation["status"] == "pending_code"
    assert invitation["email"] == paul_email
    assert invitation["code_checks_left"] == 5
    assert invitation["code_resends_left"] == 3
    path = f"/companies/{svc.SIREN}/invitations/{invitation['invitation_id']}"

    # The code went by SMS to the admin; only its digest is stored.
    code = svc.last_code()
    stored = await svc.teams.invitations.get(svc.SIREN, invitation["invitation_id"])
    assert code not in str(stored)

    wrong = "000000" if code != "000000" else "111111"
    body = svc.problem(
        await svc.http.post(f"{path}/confirmation", json={"code": wrong}, headers=admin), 400, "code-invalid"
    )
    assert "4 more tries" in body["detail"]
    confirmed = await svc.http.post(f"{path}/confirmation", json={"code": code}, headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "sent"
    svc.problem(await svc.http.post(f"{path}/confirmation", json={"code": code}, headers=admin), 409)

    # The invitee's mail carries a single-use link.
    mail = await svc.stack.mailbox.wait_for(paul_email, timeout=30)
    # A portal page with the token in the fragment: no server, and no access log, ever sees it.
    assert "?token=" not in mail.text
    match = re.search(r"/invitation#token=([\w-]+)", mail.text)
    assert match, mail.text
    token = match.group(1)
    assert (await svc.http.get("/invitations/acceptance", params={"token": token})).status_code == 405
    preview = (await svc.http.post("/invitations/preview", json={"token": token})).json()
    assert preview["company_name"] == "ACME Recouvrement"
    assert preview["status"] == "sent"

    _, _, eve = await svc.account(legal=False)
    svc.problem(
        await svc.http.post("/invitations/acceptance", json={"token": token}, headers=eve),
        403,
        "invitation-for-another-email",
    )
    svc.problem(await svc.http.post("/invitations/acceptance", json={"token": token}), 401)
    joined = await svc.http.post("/invitations/acceptance", json={"token": token}, headers=paul)
    assert joined.status_code == 200, joined.text
    member = joined.json()["member"]
    assert member["rights"] == ["change_bank_details", "view_financial_documents"]
    assert member["revision"] == 1
    assert member["proof_of_power"]["reference"] == "DP-2026-014"
    svc.problem(
        await svc.http.post("/invitations/acceptance", json={"token": token}, headers=paul),
        400,
        "invitation-link-invalid",
    )

    # My teams, as the new member sees it.
    mine = (await svc.http.get("/companies", headers=paul)).json()["companies"]
    assert [(c["siren"], c["my_role"]) for c in mine] == [(svc.SIREN, "member")]
    svc.problem(await svc.http.get(f"/companies/{svc.SIREN}/invitations", headers=paul), 403, "not-company-admin")

    # The admin revokes the bank-details right, then removes the member.
    changed = await svc.http.put(
        f"/companies/{svc.SIREN}/members/{paul_id}/rights", json={"rights": ["view_financial_documents"]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["revision"] == 2
    removed = await svc.http.delete(f"/companies/{svc.SIREN}/members/{paul_id}", headers=admin)
    assert removed.json()["status"] == "removed"
    assert removed.json()["revision"] == 3
    svc.problem(await svc.http.get(f"/companies/{svc.SIREN}", headers=paul), 404, "company-not-found")

    # Every fact crossed the bus, keyed by the company, with the full rights.
    def of(topic_member: str) -> Any:
        return lambda e: e.subject == svc.SIREN and e.payload.get("member_id") == topic_member

    sent = await svc.find_event(
        svc.stack, InvitationSent.topic, lambda e: e.payload["invitation_id"] == invitation["invitation_id"]
    )
    assert sent.payload["rights"] == ["change_bank_details", "view_financial_documents"]
    await svc.find_event(svc.stack, MemberJoined.topic, of(paul_id))
    revoked = await svc.find_event(
        svc.stack, MemberRightsChanged.topic, lambda e: of(paul_id)(e) and e.payload["revision"] == 2
    )
    assert revoked.payload["rights"] == ["view_financial_documents"]
    assert revoked.payload["changed_by"] == admin_id
    gone = await svc.find_event(svc.stack, MemberRemoved.topic, of(paul_id))
    assert gone.payload["revision"] == 3
    founder = await svc.find_event(svc.stack, MemberRightsChanged.topic, of(admin_id))
    assert len(founder.payload["rights"]) == 6

    # The audit trail: who did what, with before and after.
    async def trail() -> list[dict[str, Any]]:
        records = (await svc.http.get(f"/companies/{svc.SIREN}/audit", headers=admin)).json()["records"]
        return records if len(records) >= 8 else []

    actions = [r["action"] for r in await svc.eventually(trail)]
    for action in (
        "company_space_created",
        "invitation_created",
        "invitation_code_rejected",
        "invitation_sent",
        "invitation_accepted",
        "member_joined",
        "member_rights_changed",
        "member_removed",
    ):
        assert action in actions
    change = next(r for r in await trail() if r["action"] == "member_rights_changed")
    assert change["actor"] == admin_id
    assert change["target"] == paul_id
    assert change["before"]["rights"] == ["change_bank_details", "view_financial_documents"]
    assert change["after"]["rights"] == ["view_financial_documents"]


async def test_a_company_name_with_headers_html_and_links_cannot_jam_or_link_the_invitation_mail(svc: Any) -> None:
    # A name stored before free text was checked (or from any other path): the
    # mail is still built and sent, on one subject line, with nothing to click.
    admin_id = uuid.uuid4().hex
    hostile = "ACME\r\nBcc: evil@example.org\u2028<a href='https://evil.example/x'>www.evil.example</a>"
    await svc.teams.accounts.apply(
        AccountActivated(
            account_id=admin_id,
            email=f"svc-{admin_id[:10]}@example.fr",
            person_kind=PersonKind.LEGAL,
            display_name=hostile,
            siren=svc.SIREN,
        )
    )
    admin = svc.auth(admin_id, f"svc-{admin_id[:10]}@example.fr")
    await svc.open_space(admin, mobile="06 12 34 56 78")
    paul_email = f"paul-{uuid.uuid4().hex[:8]}@example.fr"
    invitation = await invite(svc, admin, paul_email, ["view_financial_documents"])
    path = f"/companies/{svc.SIREN}/invitations/{invitation['invitation_id']}"
    confirmed = await svc.http.post(f"{path}/confirmation", json={"code": svc.last_code()}, headers=admin)
    assert confirmed.status_code == 200, confirmed.text

    mail = await svc.stack.mailbox.wait_for(paul_email, timeout=30)
    assert "\n" not in mail.subject
    assert "\r" not in mail.subject
    assert mail["Bcc"] is None
    assert mail.recipients == [paul_email]
    for text in (mail.subject, mail.text):
        assert "https://evil" not in text
        assert "www.evil.example" not in text
        assert "evil@example.org" not in text
    assert "www[.]evil[.]example" in mail.text
