"""Commissaire accounts on the real stack: support creates one bound to an
office, the invitation mail's single-use link sets the password, the
commissaire logs in and the access token carries the role and the office;
nothing is announced on the bus (no billing onboarding)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from chassis.outbox import OUTBOX_FIELD
from contracts import Envelope
from contracts.events.recovery import NotificationRequested
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra
PASSWORD = "Correct-Horse-9!"


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


def form(email: str, **changes: Any) -> dict[str, Any]:
    return {
        "email": email,
        "civility": "mrs",
        "first_name": "Claire",
        "last_name": "Martin",
        "office_id": "sample-paris-1",
    } | changes


async def test_support_creates_a_commissaire_who_activates_and_logs_in_with_the_office_claim(harness: Any) -> None:
    h = harness
    agent_email, member_email = h.new_email("agent"), h.new_email("member")
    await h.register_and_activate(agent_email)
    await h.register_and_activate(member_email)
    member = await h.log_in(member_email)
    email = h.new_email("etude")
    assert (await h.http.post("/admin/commissaires", json=form(email), headers=bearer(member))).status_code == 403
    assert (await h.http.post("/admin/commissaires", json=form(email))).status_code == 401
    assert await h.identity.accounts.add_role(agent_email, "support")
    agent = await h.log_in(agent_email)

    bad = await h.http.post(
        "/admin/commissaires", json=form(email, office_id="Étude Paris", last_name="a\u202eb"), headers=bearer(agent)
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"last_name"}
    bad_office = await h.http.post("/admin/commissaires", json=form(email, office_id="Paris 1"), headers=bearer(agent))
    assert bad_office.status_code == 422
    assert bad_office.json()["errors"][0]["field"] == "office_id"
    taken = await h.http.post("/admin/commissaires", json=form(member_email), headers=bearer(agent))
    assert taken.status_code == 409

    created = await h.http.post("/admin/commissaires", json=form(email.upper()), headers=bearer(agent))
    assert created.status_code == 201, created.text
    commissaire = created.json()
    assert commissaire["status"] == "invited"
    assert commissaire["office_id"] == "sample-paris-1"
    assert commissaire["email"] == email
    account_id = commissaire["account_id"]
    document = await h.db["accounts"].find_one({"_id": account_id})
    assert not document.get(OUTBOX_FIELD)  # no AccountRegistered: billing never onboards a commissaire

    # No password yet: no login, and the usual activation resend does not apply.
    assert (await h.http.post("/sessions", json={"email": email, "password": PASSWORD})).status_code == 401
    first_token = h.token_in(await h.mail(email, "commissaire de justice"), "/commissaire-activation")
    resent = await h.http.post(f"/admin/commissaires/{account_id}/invitation", headers=bearer(agent))
    assert resent.status_code == 202
    await eventually(lambda: _async(h.mails(email, "commissaire de justice") >= 2), timeout=30)
    mails = h.stack.mailbox.for_recipient(email)
    token = h.token_in([m for m in mails if "commissaire de justice" in m.subject][-1].text, "/commissaire-activation")
    assert token != first_token
    refused = await h.http.post("/commissaires/activation/link", json={"token": first_token})
    assert refused.status_code == 400
    assert (await h.http.post("/commissaires/activation/link", json={"token": token})).status_code == 200

    weak = {"token": token, "password": "password", "password_confirmation": "password"}
    assert (await h.http.post("/commissaires/activation", json=weak)).status_code == 422
    body = {"token": token, "password": PASSWORD, "password_confirmation": PASSWORD}
    activated = await h.http.post("/commissaires/activation", json=body)
    assert activated.status_code == 200, activated.text
    assert activated.json()["account_id"] == account_id
    assert (await h.http.post("/commissaires/activation", json=body)).status_code == 400  # single use
    assert (await h.http.post(f"/admin/commissaires/{account_id}/invitation", headers=bearer(agent))).status_code == 409

    session = await h.log_in(email)
    caller = await h.runtime.verifier.verify(session["access_token"])
    assert caller.account_id == account_id
    assert caller.roles == ("commissaire",)
    assert caller.claims["office_id"] == "sample-paris-1"
    refreshed = await h.http.post("/sessions/refresh", json={"refresh_token": session["refresh_token"]})
    claims = (await h.runtime.verifier.verify(refreshed.json()["access_token"])).claims
    assert claims["office_id"] == "sample-paris-1"
    me = (await h.http.get("/accounts/me", headers=bearer(session))).json()
    assert me["account_kind"] == "commissaire"
    assert me["roles"] == ["commissaire"]
    no_client = await h.http.post("/clients", json={"name": "ERP"}, headers=bearer(session))
    assert no_client.status_code == 403  # not a creditor

    # Recovery's in-app notifications reach the commissaire's mailbox.
    request = NotificationRequested(
        notification_id=f"case-{uuid.uuid4().hex}:assigned",
        recipient_id=account_id,
        channels=["in_app"],
        title="Nouveau dossier",
        body="Un dossier est confié à votre étude.",
        link="/recovery/cases/c-1",
        requested_at=h.clock.now() - timedelta(minutes=1),
    )
    envelope = Envelope.wrap(request, occurred_at=h.clock.now())
    await h.runtime.broker.publish(envelope.to_bytes(), topic=request.topic, key=envelope.subject.encode())

    async def filed() -> Any:
        page = (await h.http.get("/accounts/me/mailbox", headers=bearer(session))).json()
        return page if page["messages"] else None

    page = await eventually(filed, timeout=90)
    assert page["messages"][0]["subject"] == "Nouveau dossier"


async def _async(value: bool) -> bool:
    return value
