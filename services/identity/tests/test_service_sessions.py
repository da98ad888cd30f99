"""Registration, enumeration-safe answers, login, refresh rotation with reuse
detection, logout, lockout, rehash and key rotation, on the real Mongo and Kafka."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher

from chassis.tokens import hash_token
from identity.handlers.legacy import import_legacy_lines
from identity.store.keys import SigningKeys
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.infra
PASSWORD = "Correct-Horse-9!"


def shape(answer: Any) -> tuple[int, list[str]]:
    return answer.status_code, sorted(answer.json())


async def test_register_activate_log_in_refresh_and_log_out(harness: Any) -> None:
    h = harness
    email = h.new_email()
    account_id = await h.register_and_activate(email)
    session = await h.log_in(email)
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    assert claims["sub"] == account_id
    assert session["refresh_token"]
    assert session["refresh_expires_in"] > 0

    me = await h.http.get("/accounts/me", headers={"Authorization": f"Bearer {session['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["account_kind"] == "member"

    first = session["refresh_token"]
    rotated = await h.http.post("/sessions/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first

    # The consumed token comes back: a copy. The whole login is revoked, the latest token too.
    reuse = await h.http.post("/sessions/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    assert reuse.headers["content-type"].startswith("application/problem+json")
    assert "already used" in reuse.json()["detail"]
    assert (await h.http.post("/sessions/refresh", json={"refresh_token": second})).status_code == 401

    # Logout revokes its login only.
    other = await h.log_in(email)
    kept = await h.log_in(email)
    assert (await h.http.post("/sessions/logout", json={"refresh_token": other["refresh_token"]})).status_code == 204
    assert (await h.http.post("/sessions/logout", json={"refresh_token": other["refresh_token"]})).status_code == 204
    assert (await h.http.post("/sessions/refresh", json={"refresh_token": other["refresh_token"]})).status_code == 401
    assert (await h.http.post("/sessions/refresh", json={"refresh_token": kept["refresh_token"]})).status_code == 200


async def test_registration_answers_the_same_for_a_taken_email_and_tells_its_owner(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)
    fresh = await h.http.post("/accounts", json=h.legal_person(h.new_email()))
    taken = await h.http.post("/accounts", json=h.legal_person(email, "Other-Horse-7!"))
    assert shape(fresh) == shape(taken) == (202, ["message"])
    assert fresh.json() == taken.json()
    assert await h.db["accounts"].count_documents({"email": email}) == 1
    notice = await h.mail(email, "Tentative d'inscription")
    # The portal's pages.
    assert "/password-forgotten" in notice
    assert "/login" in notice
    # A second attempt within the resend interval does not mail again.
    await h.http.post("/accounts", json=h.legal_person(email, "Other-Horse-7!"))
    stored = await h.db["accounts"].find_one({"email": email})
    assert len(stored.get("_courier", [])) <= 1
    account = await h.identity.accounts.by_email(email)
    assert account is not None
    assert account.display_name == "ACME Recouvrement"  # nothing was overwritten


async def test_the_password_policy_refuses_leaked_passwords_and_the_email(harness: Any) -> None:
    h = harness
    email = h.new_email("jeanne")
    body = h.legal_person(email, "Password1!")
    answer = await h.http.post("/accounts", json=body)
    assert answer.status_code == 422
    messages = [e["message"] for e in answer.json()["errors"] if e["field"] == "password"]
    assert any("common" in m for m in messages)
    local = email.split("@")[0]
    body = h.legal_person(email, f"Xy-{local}-9")
    answer = await h.http.post("/accounts", json=body)
    assert answer.status_code == 422
    assert any("email" in e["message"] for e in answer.json()["errors"])


async def test_resend_activation_is_throttled_and_enumeration_safe(harness: Any) -> None:
    h = harness
    email = h.new_email()
    assert (await h.http.post("/accounts", json=h.legal_person(email))).status_code == 202
    first_link = h.token_in(await h.mail(email, "Activez"), "/activation")
    unknown = await h.http.post("/accounts/activation/resend", json={"email": h.new_email()})
    throttled = await h.http.post("/accounts/activation/resend", json={"email": email})
    assert shape(unknown) == shape(throttled) == (202, ["message"])
    assert unknown.json() == throttled.json()
    stored = await h.db["accounts"].find_one({"email": email})
    live = {"purpose": "account-activation", "subject": stored["_id"], "used_at": None}
    # The throttle kept the first token alone (the one the refused resend made was used up at once).
    assert [t["_id"] async for t in h.db["tokens"].find(live)] == [hash_token(first_link)]
    h.clock.advance(seconds=61)
    assert (await h.http.post("/accounts/activation/resend", json={"email": email})).status_code == 202
    await h.stack.mailbox.wait_for(email, lambda m: "Activez" in m.subject and first_link not in m.text, timeout=30)
    # The old link died with the new one.
    assert (await h.http.get("/accounts/activation", params={"token": first_link})).status_code == 400


async def test_an_account_locks_after_five_failures_unknown_emails_too(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)
    unknown = h.new_email()
    for _ in range(5):
        assert (await h.http.post("/sessions", json={"email": email, "password": "Wrong-pass-1"})).status_code == 401
        assert (await h.http.post("/sessions", json={"email": unknown, "password": "Wrong-pass-1"})).status_code == 401
    locked = await h.http.post("/sessions", json={"email": email, "password": PASSWORD})
    locked_unknown = await h.http.post("/sessions", json={"email": unknown, "password": PASSWORD})
    assert locked.status_code == locked_unknown.status_code == 429
    assert locked.json()["type"].endswith("login-locked")
    assert int(locked.headers["retry-after"]) > 0
    assert sorted(locked.json()) == sorted(locked_unknown.json())
    h.clock.advance(minutes=15, seconds=1)
    await h.log_in(email)


async def test_a_client_address_locks_after_its_own_limit(make_harness: Any) -> None:
    h = await make_harness(lockout_address_failures=3, lockout_account_failures=100)
    email = h.new_email()
    await h.register_and_activate(email)
    for _ in range(3):
        answer = await h.http.post("/sessions", json={"email": h.new_email(), "password": "Wrong-pass-1"})
        assert answer.status_code == 401
    assert (await h.http.post("/sessions", json={"email": email, "password": PASSWORD})).status_code == 429


async def test_a_hash_made_with_other_parameters_is_replaced_at_login(harness: Any) -> None:
    h = harness
    email = h.new_email()
    account_id = await h.register_and_activate(email)
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await h.db["accounts"].update_one({"_id": account_id}, {"$set": {"password_hash": old}})
    await h.log_in(email)
    stored = await h.db["accounts"].find_one({"_id": account_id})
    assert stored["password_hash"] != old
    assert "m=19456,t=2,p=1" in stored["password_hash"]
    await h.log_in(email)


async def test_a_rotated_key_signs_and_the_old_one_stays_published(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)
    before = await h.log_in(email)
    old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
    new_key = await h.identity.keys.rotate()
    h.identity.signing_keys = SigningKeys(h.identity.keys, None, refresh_seconds=0)
    after = await h.log_in(email)
    assert jwt.get_unverified_header(after["access_token"])["kid"] == new_key.kid != old_kid
    kids = {key["kid"] for key in (await h.http.get("/.well-known/jwks.json")).json()["keys"]}
    assert {old_kid, new_key.kid} <= kids
    for token in (before["access_token"], after["access_token"]):
        assert (await h.http.get("/accounts/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    assert not await h.identity.keys.retire(new_key.kid)  # the signing key stays
    assert await h.identity.keys.retire(old_kid)


async def test_a_burst_of_wrong_passwords_gets_five_guesses_and_no_more(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)

    async def guess(password: str) -> int:
        answer: httpx.Response = await h.http.post("/sessions", json={"email": email, "password": password})
        return answer.status_code

    wrong = [asyncio.create_task(guess(f"Wrong-pass-{n}")) for n in range(40)]

    async def five_counted() -> bool:
        done = sum(1 for task in wrong if task.done() and task.result() == 401)
        return done >= 5 or all(task.done() for task in wrong)

    await eventually(five_counted, timeout=60)
    right = await guess(PASSWORD)  # while the rest of the burst is still in flight
    answers = await asyncio.gather(*wrong)
    assert answers.count(401) <= 5, answers  # at most the limit of guesses was evaluated
    assert set(answers) <= {401, 429}
    assert right == 429


async def test_a_former_portal_login_gets_five_guesses_across_both_routes(harness: Any) -> None:
    h = harness
    line = (
        '{"legacy_id": "CI-9", "login": "twin@example.fr", "migration_secret": "s3cret-of-the-legacy-operator",'
        ' "company_name": "TWIN SA"}'
    )
    report = await import_legacy_lines(h.identity.legacy, [line], h.identity.now)
    assert report.imported == 1, report
    answers = []
    for n in range(6):
        on_sessions = await h.http.post("/sessions", json={"email": "twin@example.fr", "password": f"Bad-{n}!x"})
        on_legacy = await h.http.post("/legacy/sessions", json={"login": "twin@example.fr", "password": f"Bad-{n}!y"})
        answers += [on_sessions.status_code, on_legacy.status_code]
    assert answers.count(401) == 5, answers
    assert answers[5:] == [429] * 7


async def test_token_responses_are_never_cached(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)
    login = await h.http.post("/sessions", json={"email": email, "password": PASSWORD})
    refresh = await h.http.post("/sessions/refresh", json={"refresh_token": login.json()["refresh_token"]})
    for answer in (login, refresh):
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["pragma"] == "no-cache"


async def test_a_bad_token_gets_a_fixed_message_not_the_jwt_library_s(harness: Any) -> None:
    h = harness
    email = h.new_email()
    await h.register_and_activate(email)
    token = (await h.log_in(email))["access_token"]
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    expired_claims = jwt.decode(token, options={"verify_signature": False}) | {"aud": "someone-else"}
    key = await h.identity.signing_keys.current()
    wrong_audience = jwt.encode(expired_claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    for bad in (forged, wrong_audience, "not-a-jwt"):
        answer = await h.http.get("/accounts/me", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401
        assert answer.json()["detail"] == "the access token is invalid or expired: log in again"
