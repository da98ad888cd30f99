"""Teams' refusals on the real Kafka and Mongo server: code limits, expiry,
brute force, and a clear 4xx for every bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.infra

PAUL = {"first_name": "Paul", "last_name": "Martin", "mobile": "+33698765432"}


async def open_space(svc: Any) -> tuple[str, dict[str, str]]:
    admin_id, _, admin = await svc.account()
    await svc.open_space(admin)
    return admin_id, admin


async def pending(svc: Any, admin: dict[str, str], email: str = "paul@example.fr") -> str:
    answer = await svc.http.post(
        f"/companies/{svc.SIREN}/invitations",
        json={"email": email, **PAUL, "rights": ["access_treasury"]},
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    return f"/companies/{svc.SIREN}/invitations/{answer.json()['invitation_id']}"


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "999999"


async def test_a_code_is_locked_after_five_checks_even_for_the_right_code(svc: Any) -> None:
    _, admin = await open_space(svc)
    path = await pending(svc, admin)
    code = svc.last_code()
    for left in (4, 3, 2, 1, 0):
        body = svc.problem(
            await svc.http.post(f"{path}/confirmation", json={"code": other_than(code)}, headers=admin), 400
        )
        assert f"{left} more tr" in body["detail"]
    svc.problem(await svc.http.post(f"{path}/confirmation", json={"code": code}, headers=admin), 429, "code-locked")
    # A new code works, and the old one no longer does.
    resent = await svc.http.post(f"{path}/code", headers=admin)
    assert resent.status_code == 200
    assert resent.json()["code_resends_left"] == 2
    new = svc.last_code()
    if new != code:
        svc.problem(
            await svc.http.post(f"{path}/confirmation", json={"code": code}, headers=admin), 400, "code-invalid"
        )
    confirmed = await svc.http.post(f"{path}/confirmation", json={"code": new}, headers=admin)
    assert confirmed.json()["status"] == "sent"


async def test_parallel_guesses_cannot_exceed_the_checks(svc: Any) -> None:
    _, admin = await open_space(svc)
    path = await pending(svc, admin)
    wrong = other_than(svc.last_code())
    answers = await asyncio.gather(
        *(svc.http.post(f"{path}/confirmation", json={"code": wrong}, headers=admin) for _ in range(20))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [400] * 5 + [429] * 15
    stored = await svc.teams.invitations.get(svc.SIREN, path.rsplit("/", 1)[1])
    assert stored is not None
    assert stored.code is not None
    assert stored.code.checks == 5


async def test_resends_are_bounded(svc: Any) -> None:
    _, admin = await open_space(svc)
    path = await pending(svc, admin)
    before = svc.sms_count()
    for left in (2, 1, 0):
        assert (await svc.http.post(f"{path}/code", headers=admin)).json()["code_resends_left"] == left
    svc.problem(await svc.http.post(f"{path}/code", headers=admin), 429, "code-resends-exhausted")
    assert svc.sms_count() == before + 3


async def test_codes_and_invitations_expire(svc: Any) -> None:
    _, admin = await open_space(svc)
    path = await pending(svc, admin)
    code = svc.last_code()
    svc.clock.advance(seconds=svc.settings.code_ttl_seconds)
    svc.problem(await svc.http.post(f"{path}/confirmation", json={"code": code}, headers=admin), 410, "code-expired")
    await svc.http.post(f"{path}/code", headers=admin)
    svc.clock.advance(hours=svc.settings.confirmation_ttl_hours)
    svc.problem(
        await svc.http.post(f"{path}/confirmation", json={"code": svc.last_code()}, headers=admin),
        410,
        "invitation-expired",
    )
    listed = (await svc.http.get(f"/companies/{svc.SIREN}/invitations", headers=admin)).json()["invitations"]
    assert listed[0]["status"] == "expired"


async def test_an_expired_or_revoked_link_does_not_open_the_space(svc: Any) -> None:
    _, admin = await open_space(svc)
    _paul_id, paul_email, paul = await svc.account(legal=False)
    tokens: list[tuple[str, str]] = []
    for _ in range(2):
        path = await pending(svc, admin, paul_email)
        await svc.http.post(f"{path}/confirmation", json={"code": svc.last_code()}, headers=admin)
        seen = len(tokens)
        await svc.stack.mailbox.wait_for(
            paul_email, lambda m, seen=seen: len(svc.stack.mailbox.for_recipient(paul_email)) > seen
        )
        mail = svc.stack.mailbox.for_recipient(paul_email)[-1]
        tokens.append((path, mail.text.split("token=")[-1].split()[0]))
    revoked = await svc.http.delete(tokens[0][0], headers=admin)
    assert revoked.json()["status"] == "revoked"
    svc.problem(await svc.http.delete(tokens[0][0], headers=admin), 409, "invitation-closed")
    svc.problem(await svc.http.post("/invitations/acceptance", json={"token": tokens[0][1]}, headers=paul), 400)
    svc.clock.advance(hours=svc.settings.invitation_link_ttl_hours)
    svc.problem(
        await svc.http.post("/invitations/acceptance", json={"token": tokens[1][1]}, headers=paul),
        410,
        "invitation-expired",
    )
    assert (await svc.http.get("/companies", headers=paul)).json()["companies"] == []


async def test_who_may_open_a_company_space(svc: Any) -> None:
    _, _, natural = await svc.account(legal=False)
    _, _, other = await svc.account(siren="552100554")
    _, _, acme = await svc.account()
    body = {"siren": svc.SIREN, "mobile": svc.ADMIN_MOBILE, "extract": svc.KBIS}
    svc.problem(await svc.http.post("/companies", json=body), 401)
    svc.problem(await svc.http.post("/companies", json=body, headers=natural), 403, "not-the-company-account")
    svc.problem(await svc.http.post("/companies", json=body, headers=other), 403, "not-the-company-account")
    svc.problem(
        await svc.http.post("/companies", json=body, headers=svc.auth("unknown-account", "x@example.fr")),
        409,
        "account-not-synchronised",
    )
    bad = svc.problem(await svc.http.post("/companies", json={**body, "siren": "732829321"}, headers=acme), 422)
    assert bad["errors"][0]["field"] == "siren"
    bad = svc.problem(await svc.http.post("/companies", json={**body, "mobile": "01 23 45 67 89"}, headers=acme), 422)
    assert bad["errors"] == [{"field": "mobile", "message": "not a mobile number: the code is sent by SMS"}]
    await svc.open_space(acme)
    svc.problem(await svc.http.post("/companies", json=body, headers=acme), 409, "company-space-exists")


async def test_bad_inputs_get_clear_4xx(svc: Any) -> None:
    admin_id, admin = await open_space(svc)
    _, _, stranger = await svc.account(legal=False)
    base = f"/companies/{svc.SIREN}"
    invitation = {"email": "paul@example.fr", **PAUL, "rights": ["access_treasury"]}
    cases: list[tuple[str, str, dict[str, Any] | None, dict[str, str], int]] = [
        ("post", f"{base}/invitations", {**invitation, "rights": ["fly"]}, admin, 422),
        ("post", f"{base}/invitations", {**invitation, "email": "not-an-email"}, admin, 422),
        ("post", f"{base}/invitations", {**invitation, "mobile": "12"}, admin, 422),
        ("post", f"{base}/invitations", {**invitation, "rights": ["change_bank_details"]}, admin, 422),
        ("post", f"{base}/invitations", {**invitation, "first_name": ""}, admin, 422),
        ("post", f"{base}/invitations", invitation, stranger, 404),  # to a stranger, as if it did not exist
        ("post", "/companies/12345/invitations", invitation, admin, 422),
        ("post", "/companies/552100554/invitations", invitation, admin, 404),
        ("get", base, None, stranger, 404),
        ("get", f"{base}/audit", None, stranger, 404),
        ("put", f"{base}/members/{admin_id}/rights", {"rights": []}, admin, 409),
        ("put", f"{base}/members/nobody/rights", {"rights": []}, admin, 404),
        ("delete", f"{base}/members/{admin_id}", None, admin, 409),
        ("post", f"{base}/invitations/{'a' * 32}/confirmation", {"code": "123456"}, admin, 404),
        ("post", f"{base}/invitations/{'a' * 32}/confirmation", {"code": "12345"}, admin, 422),
        ("post", f"{base}/invitations/not-an-id/code", None, admin, 422),
        ("post", "/invitations/acceptance", {"token": "x" * 40}, admin, 400),
        ("post", "/invitations/preview", {"token": "short"}, {}, 422),
    ]
    for method, url, body, headers, status in cases:
        answer = await svc.http.request(method, url, json=body, headers=headers)
        svc.problem(answer, status)
    proof_needed = await svc.http.post(
        f"{base}/invitations", json={**invitation, "rights": ["request_early_buyout"]}, headers=admin
    )
    assert svc.problem(proof_needed, 422, "proof-of-power-required")["errors"][0]["field"] == "proof_of_power"


async def test_rights_needing_proof_are_granted_once_a_proof_is_recorded(svc: Any) -> None:
    _, admin = await open_space(svc)
    paul_id, paul_email, paul = await svc.account(legal=False)
    path = await pending(svc, admin, paul_email)
    await svc.http.post(f"{path}/confirmation", json={"code": svc.last_code()}, headers=admin)
    mail = await svc.stack.mailbox.wait_for(paul_email)
    await svc.http.post(
        "/invitations/acceptance", json={"token": mail.text.split("token=")[-1].split()[0]}, headers=paul
    )
    rights_url = f"/companies/{svc.SIREN}/members/{paul_id}/rights"
    svc.problem(await svc.http.put(rights_url, json={"rights": ["change_bank_details"]}, headers=admin), 422)
    svc.problem(await svc.http.put(rights_url, json={"rights": []}, headers=paul), 403, "not-company-admin")
    proof = {"kind": "board_resolution", "reference": "PV-12", "issued_on": "2026-10-01"}
    granted = await svc.http.put(
        rights_url, json={"rights": ["change_bank_details"], "proof_of_power": proof}, headers=admin
    )
    assert granted.status_code == 200, granted.text
    # The recorded proof stays: later changes need not repeat it.
    again = await svc.http.put(
        rights_url, json={"rights": ["change_bank_details", "request_early_buyout"]}, headers=admin
    )
    assert again.status_code == 200
    assert again.json()["proof_of_power"]["reference"] == "PV-12"


async def test_the_rights_catalogue_is_public(svc: Any) -> None:
    rights = (await svc.http.get("/rights")).json()
    assert [r["number"] for r in rights] == [1, 2, 3, 4, 5, 6]
    funds = next(r for r in rights if r["right"] == "manage_funds")
    assert funds["contract_kinds"] == ["club"]
    assert not funds["needs_proof_of_power"]


async def test_a_stranger_cannot_tell_an_existing_company_space_from_a_missing_one(svc: Any) -> None:
    await open_space(svc)
    _, _, stranger = await svc.account(legal=False)
    missing = "552100554"
    invitation = {"email": "paul@example.fr", **PAUL, "rights": ["access_treasury"]}
    for method, suffix, body in (
        ("get", "", None),
        ("get", "/audit", None),
        ("get", "/invitations", None),
        ("post", "/invitations", invitation),
        ("put", "/members/someone/rights", {"rights": []}),
    ):
        answers = [
            await svc.http.request(method, f"/companies/{siren}{suffix}", json=body, headers=stranger)
            for siren in (svc.SIREN, missing)
        ]
        bodies = [svc.problem(answer, 404, "company-not-found") for answer in answers]
        assert bodies[0]["title"] == "Not Found"
        assert [{k: v for k, v in b.items() if k not in ("instance", "detail")} for b in bodies] == [
            {k: v for k, v in bodies[1].items() if k not in ("instance", "detail")}
        ] * 2, suffix
        assert bodies[0]["detail"].replace(svc.SIREN, missing) == bodies[1]["detail"]
