"""Claims of company spaces on the real Kafka and Mongo server: a SIREN on an
account proves nothing, so a space opens only when support approves a claim
with its extract; a second claimant gets 409 and support sees the conflict."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from contracts.events.teams import MemberRightsChanged

pytestmark = pytest.mark.infra

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()


async def test_a_second_claimant_waits_and_support_approves_one(svc: Any) -> None:
    acme_id, acme_email, acme = await svc.account()
    impostor_id, impostor_email, impostor = await svc.account()  # registered with ACME's SIRET too
    claimed = await svc.claim(acme)
    assert claimed.status_code == 202, claimed.text
    claim = claimed.json()
    assert claim["status"] == "pending"

    # Pending: no admin rights, no invitations, no space in My teams.
    invitation = {"email": "paul@example.fr", "first_name": "P", "last_name": "M", "mobile": "0698765432"}
    refused = await svc.http.post(
        f"/companies/{svc.SIREN}/invitations", json={**invitation, "rights": []}, headers=acme
    )
    assert refused.status_code in (403, 404), refused.text
    assert (await svc.http.get("/companies", headers=acme)).json()["companies"] == []
    assert (await svc.http.get(f"/companies/{svc.SIREN}/claim", headers=acme)).json()["status"] == "pending"

    # The second claimant learns that a claim is under review, not whose.
    second = svc.problem(await svc.claim(impostor, mobile="0698765432"), 409, "claim-under-review")
    assert acme_email not in second["detail"]
    assert acme_id not in second["detail"]
    svc.problem(await svc.claim(acme), 409, "claim-under-review")  # one pending claim per claimant

    # Support (only) sees the conflict: both claimants of the SIREN, with their extracts.
    svc.problem(await svc.http.get("/claims", headers=acme), 403, "support-only")
    support = svc.support()
    listed = (await svc.http.get("/claims", headers=support)).json()["companies"]
    conflict = next(c for c in listed if c["siren"] == svc.SIREN)
    assert [c["account_id"] for c in conflict["claimants"]] == [acme_id, impostor_id]
    size = len(base64.b64decode(svc.KBIS))
    assert conflict["claimants"][0]["extract"] == {"media_type": "application/pdf", "size": size}
    assert conflict["claimants"][0]["submitted_from"] == "127.0.0.1"  # the test client's socket peer
    path = f"/claims/{svc.SIREN}/{claim['claim_id']}"
    svc.problem(await svc.http.get(f"{path}/extract", headers=impostor), 403, "support-only")
    file = await svc.http.get(f"{path}/extract", headers=support)
    assert file.headers["content-type"] == "application/pdf"
    assert file.content == base64.b64decode(svc.KBIS)

    # Approval opens the space with the claimant as admin, its rights on the bus; the other is rejected.
    svc.problem(await svc.http.post(f"{path}/approval", json={}, headers=acme), 403, "support-only")
    approved = await svc.http.post(
        f"{path}/approval", json={"reason_for_others": "Kbis names another manager"}, headers=support
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["my_role"] == "admin"
    assert [m["account_id"] for m in approved.json()["members"]] == [acme_id]
    event = await svc.find_event(
        svc.stack,
        MemberRightsChanged.topic,
        lambda e: e.subject == svc.SIREN and e.payload["member_id"] == acme_id,
    )
    assert len(event.payload["rights"]) == 6
    space = (await svc.http.get(f"/companies/{svc.SIREN}", headers=acme)).json()
    assert space["my_role"] == "admin"
    mine = (await svc.http.get(f"/companies/{svc.SIREN}/claim", headers=impostor)).json()
    assert (mine["status"], mine["reason"]) == ("rejected", "Kbis names another manager")
    assert (await svc.http.get("/claims", headers=support)).json()["companies"] == []
    svc.problem(await svc.claim(impostor), 409, "company-space-exists")
    svc.problem(
        await svc.http.post(f"/claims/{svc.SIREN}/{mine['claim_id']}/approval", json={}, headers=support),
        409,
        "claim-closed",
    )
    assert impostor_email  # the impostor's account is untouched, only refused


async def test_support_rejects_a_claim_with_a_reason_and_the_claimant_may_claim_again(svc: Any) -> None:
    _, _, acme = await svc.account()
    claim = (await svc.claim(acme)).json()
    support = svc.support()
    path = f"/claims/{svc.SIREN}/{claim['claim_id']}/rejection"
    svc.problem(await svc.http.post(path, json={}, headers=support), 422)
    rejected = await svc.http.post(path, json={"reason": "the extract is older than three months"}, headers=support)
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    svc.problem(await svc.http.post(path, json={"reason": "again"}, headers=support), 409, "claim-closed")
    mine = (await svc.http.get(f"/companies/{svc.SIREN}/claim", headers=acme)).json()
    assert mine["reason"] == "the extract is older than three months"
    again = await svc.http.post(
        "/companies", json={"siren": svc.SIREN, "mobile": svc.ADMIN_MOBILE, "extract": PNG}, headers=acme
    )
    assert again.status_code == 202, again.text


async def test_the_extract_is_checked_by_its_content_and_size(svc: Any) -> None:
    _, _, acme = await svc.account()
    body = {"siren": svc.SIREN, "mobile": svc.ADMIN_MOBILE}
    cases = {
        base64.b64encode(b"<html>not a Kbis</html>").decode(): "PDF, JPEG or PNG",
        base64.b64encode(b"%PDF-" + b"x" * (1_048_576 + 1)).decode(): "at most 1048576",
        "not base64!": "not base64",
    }
    for extract, message in cases.items():
        bad = svc.problem(await svc.http.post("/companies", json={**body, "extract": extract}, headers=acme), 422)
        assert bad["errors"][0]["field"] == "extract", bad
        assert message in bad["errors"][0]["message"], bad
    svc.problem(await svc.http.post("/companies", json=body, headers=acme), 422)  # no extract at all
    assert (await svc.http.get("/claims", headers=svc.support())).json()["companies"] == []
