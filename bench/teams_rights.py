"""How long a rights change takes to reach billing's rights view.

An admin toggles a member's right `change_bank_details` through the gateway,
one change at a time; each change is timed from the moment the request is sent
until billing's `rights_view` (its own Mongo database, fed by the chassis
consumer of MemberRightsChanged) holds the new revision. The path measured:
gateway -> teams (company document + event in its outbox, one write) -> relay
-> Kafka -> billing's consumer group (inbox, newest-revision-wins upsert).
Baseline in the same run: the PUT's own response time.

    bench_teams_rights(stack) -> {"changes": N, "propagation": {p50_ms, p99_ms, ...}, ...}
    python -m bench.teams_rights        # alone, on the test profile's stack
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from stdnum import luhn

from bench.stats import latency_summary, write_result
from devstack.stack import Stack
from tests.e2e.helpers import activation_link, invite_member, open_company_space

PASSWORD = "Correct-Horse-9!"
ADDRESS = {"line": "1 avenue des Champs", "postal_code": "75008", "city": "Paris"}
PROOF = {"kind": "delegation_of_power", "reference": "BENCH-1", "issued_on": "2026-01-02"}
POLL_SECONDS = 0.002


def _siret() -> str:
    body = f"{random.randrange(10**7, 10**8)}"
    siren = body + luhn.calc_check_digit(body)
    nic = f"{random.randrange(10**3, 10**4)}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


async def _account(stack: Stack, http: httpx.AsyncClient, form: dict[str, Any]) -> tuple[str, dict[str, str]]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.fr"
    form = {**form, "email": email, "password": PASSWORD, "password_confirmation": PASSWORD, "address": ADDRESS}
    assert (await http.post("/api/identity/accounts", json=form)).status_code == 202
    mail = await stack.mailbox.wait_for(email, timeout=60)
    # The mail links to the portal's page, which activates through this API route.
    assert (await http.get(activation_link(mail.text))).status_code == 200
    login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    return (await http.get("/api/identity/accounts/me", headers=headers)).json()["account_id"], headers


async def _until(probe: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await probe()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise RuntimeError("setup step did not complete in time")


async def _member(stack: Stack, http: httpx.AsyncClient) -> tuple[str, str, dict[str, str]]:
    """A company space with one member: (siren, member id, admin headers)."""
    siret = _siret()
    siren = siret[:9]
    _, admin = await _account(
        stack, http, {"person_kind": "legal", "company_name": "Bench SA", "legal_form": "SA", "siret": siret}
    )
    member_form = {"person_kind": "natural", "civility": "mr", "last_name": "Bench", "first_name": "Paul"}
    member_id, member = await _account(stack, http, member_form)
    member_email = (await http.get("/api/identity/accounts/me", headers=member)).json()["email"]

    await open_company_space(stack, http, admin, siren, mobile="0612345678")  # claimed, approved by support
    invitation = {
        "email": member_email,
        "first_name": "Paul",
        "last_name": "Bench",
        "mobile": "0698765432",
        "rights": ["view_financial_documents"],
        "proof_of_power": PROOF,
    }
    _, link = await invite_member(stack, http, admin, siren, invitation)
    token = link.split("#token=", 1)[1]
    joined = await http.post("/api/teams/invitations/acceptance", json={"token": token}, headers=member)
    assert joined.status_code == 200, joined.text
    return siren, member_id, admin


async def bench_teams_rights(stack: Stack, changes: int = 200) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    view = client["billing"]["rights_view"]
    propagation: list[float] = []
    responses: list[float] = []
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        siren, member_id, admin = await _member(stack, http)
        key = f"{siren}:{member_id}"

        async def in_view() -> dict[str, Any] | None:
            return await view.find_one({"_id": key})

        await _until(in_view)  # billing has seen the member join
        url = f"/api/teams/companies/{siren}/members/{member_id}/rights"
        for n in range(changes):
            rights = ["view_financial_documents"] + (["change_bank_details"] if n % 2 == 0 else [])
            began = time.perf_counter()
            answer = await http.put(url, json={"rights": rights}, headers=admin)
            responded = time.perf_counter()
            assert answer.status_code == 200, answer.text
            revision = answer.json()["revision"]
            while True:
                document = await view.find_one({"_id": key, "revision": {"$gte": revision}}, {"revision": 1})
                if document is not None:
                    break
                if time.perf_counter() - began > 60:
                    raise RuntimeError(f"revision {revision} never reached billing's rights view")
                await asyncio.sleep(POLL_SECONDS)
            propagation.append(time.perf_counter() - began)
            responses.append(responded - began)
    await client.close()
    return {
        "changes": changes,
        "propagation": latency_summary(propagation),
        "put_response": latency_summary(responses),
        "poll_interval_ms": POLL_SECONDS * 1000,
    }


async def _main() -> None:

    from devstack.config import StackConfig

    stack = Stack(StackConfig.for_profile("bench"))
    stack.start_infra()
    stack.stop_services()
    os.environ["GATEWAY_RATE_LIMIT_PER_MINUTE"] = "10000000"
    os.environ["GATEWAY_RATE_LIMIT_BURST"] = "100000"
    stack.start_services()
    try:
        figures = await bench_teams_rights(stack)
    finally:
        stack.stop_services()
    write_result("rights", figures)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(_main())
