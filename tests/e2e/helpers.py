"""What the end-to-end scenarios share: a person to register, a merchant (an
onboarded creditor) and its orders, an operator, reading the bus."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient
from stdnum import luhn

from contracts import Envelope
from devstack.stack import Stack
from identity import admin
from identity.domain.legacy import pbkdf2_hash
from identity.settings import IdentitySettings
from tests.polling import eventually as eventually  # re-exported: the e2e tests import it from here

PASSWORD = "Correct-Horse-9!"
# An extract of the trade register as a claimant uploads it (a PDF, by its magic bytes).
KBIS = base64.b64encode(b"%PDF-1.4\n% Extrait Kbis\n%%EOF\n").decode()


def legal_person(email: str) -> dict[str, Any]:
    return {
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "person_kind": "legal",
        "company_name": "ACME Recouvrement",
        "legal_form": "SAS",
        "siret": "73282932000074",
        "address": {"line": "1 avenue des Champs", "postal_code": "75008", "city": "Paris"},
    }


def new_siret() -> str:
    """A valid SIRET of a fresh SIREN, so every run opens a new company space."""
    body = f"{random.randrange(10**7, 10**8)}"
    siren = body + luhn.calc_check_digit(body)
    nic = f"{random.randrange(10**3, 10**4)}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def new_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.fr"


def activation_token(text: str) -> str:
    """The token of an activation (or migration confirmation) mail: its link lands on the
    portal's `/activation` page with the token in the fragment."""
    match = re.search(r"https?://\S+/activation#token=([\w-]+)", text)
    assert match, f"no activation link in:\n{text}"
    return match.group(1)


def activation_link(text: str) -> str:
    """The API route (on the gateway) that activates the account of that mail, as the portal's page calls it."""
    return f"/api/identity/accounts/activation?token={activation_token(text)}"


async def find_event(stack: Stack, topic: str, predicate: Callable[[Envelope], bool], timeout: float = 30) -> Envelope:
    """The first event on `topic` (read from the start, no group) matching `predicate`."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.bootstrap_servers, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    envelope = Envelope.model_validate_json(record.value or b"")
                    if predicate(envelope):
                        assert record.key == envelope.subject.encode()
                        return envelope
    finally:
        await consumer.stop()
    raise AssertionError(f"no matching event on {topic} within {timeout}s")


async def events_matching(stack: Stack, topic: str, predicate: Callable[[Envelope], bool]) -> list[Envelope]:
    """Every event on `topic` so far that matches `predicate`."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.bootstrap_servers, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[Envelope] = []
    try:
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.1)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(env for r in records if predicate(env := Envelope.model_validate_json(r.value or b"")))
    finally:
        await consumer.stop()
    return found


def mongo(stack: Stack) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(stack.mongo_url, tz_aware=True)


async def signed_up(stack: Stack, http: httpx.AsyncClient, form: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Register, activate by the mailed link and log in: (account id, auth headers)."""
    assert (await http.post("/api/identity/accounts", json=form)).status_code == 202
    mail = await stack.mailbox.wait_for(form["email"], timeout=30)
    assert (await http.get(activation_link(mail.text))).status_code == 200
    login = await http.post("/api/identity/sessions", json={"email": form["email"], "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await http.get("/api/identity/accounts/me", headers=headers)
    return me.json()["account_id"], headers


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def activated_creditor(stack: Stack, http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A registered, activated legal person whose billing profile is open: (email, auth headers)."""
    email = new_email()
    registered = await http.post("/api/identity/accounts", json=legal_person(email))
    assert registered.status_code == 202, registered.text
    mail = await stack.mailbox.wait_for(email, timeout=30)
    assert (await http.get(activation_link(mail.text))).status_code == 200
    login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    auth = bearer(login.json()["access_token"])

    # Billing opens the profile when AccountActivated reaches it, asynchronously.
    async def profile_open() -> bool:
        return (await http.get("/api/billing/profiles/me", headers=auth)).status_code == 200

    await eventually(profile_open)
    return email, auth


async def onboard(http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """Bank details, terms and a signed mandate: the creditor becomes a merchant."""
    details = {
        "iban": "FR1420041010050500013M02606",
        "bic": "PSSTFRPPXXX",
        "holder_name": "Jeanne Martin",
        "holder_civility": "mrs",
    }
    steps = [
        await http.put("/api/billing/profiles/me/bank-details", json=details, headers=auth),
        await http.put("/api/billing/profiles/me/terms-acceptance", json={"version": "2026-01"}, headers=auth),
        await http.post("/api/billing/profiles/me/mandate", json={"decision": "sign"}, headers=auth),
    ]
    for answer in steps:
        assert answer.status_code == 200, answer.text


async def merchant(stack: Stack, http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """An onboarded creditor, who may create payment schedules: (email, auth headers)."""
    email, auth = await activated_creditor(stack, http)
    await onboard(http, auth)
    return email, auth


def order(buyer_email: str, *, card: str = "4242424242424242", amount: int = 12796, **extra: Any) -> dict[str, Any]:
    """A schedule-creation body: an order of today with the buyer's name and address."""
    return {
        "order_number": f"CMD-{uuid.uuid4().hex[:8]}",
        "buyer_email": buyer_email,
        "buyer_name": "Jeanne Martin",
        "buyer_address": {"line": "3 rue de la Paix", "postal_code": "75002", "city": "Paris"},
        "purchase_amount_cents": amount,
        "purchase_date": datetime.now(UTC).date().isoformat(),
        "installments": 3,
        "card": {"number": card, "expiry_month": 12, "expiry_year": 2035},
        **extra,
    }


async def operator(stack: Stack, http: httpx.AsyncClient) -> dict[str, str]:
    """Auth headers of a new operator account, made by identity's admin CLI as `devstack up` does."""
    email = f"operator-{uuid.uuid4().hex[:10]}@example.fr"
    settings = IdentitySettings(environment="test", mongo_url=stack.mongo_url)
    client = AsyncMongoClient[dict[str, Any]](stack.mongo_url)
    try:
        password = await admin.create_operator(client[settings.mongo_db], settings, email)
    finally:
        await client.close()
    assert password is not None
    login = await http.post("/api/identity/sessions", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return bearer(login.json()["access_token"])


async def support_headers(stack: Stack, http: httpx.AsyncClient) -> dict[str, str]:
    """A support agent's auth headers: an account granted the role by identity's admin command."""
    email = new_email()
    assert (await http.post("/api/identity/accounts", json=legal_person(email))).status_code == 202
    mail = await stack.mailbox.wait_for(email, lambda m: "Activez" in m.subject, timeout=30)
    assert (await http.get(activation_link(mail.text))).status_code == 200
    settings = IdentitySettings(environment="test", mongo_url=stack.mongo_url)
    assert await admin.run(argparse.Namespace(command="grant-support", email=email), settings) == 0
    login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def open_company_space(
    stack: Stack, http: httpx.AsyncClient, headers: dict[str, str], siren: str, mobile: str = "06 12 34 56 78"
) -> dict[str, Any]:
    """The legal person claims its company space with an extract (once teams has seen its
    activation) and support approves the claim: the space is open, the caller its admin."""

    async def claimed() -> httpx.Response | None:
        body = {"siren": siren, "mobile": mobile, "extract": KBIS}
        answer = await http.post("/api/teams/companies", json=body, headers=headers)
        return None if answer.status_code == 409 and "account-not-synchronised" in answer.text else answer

    claim = await eventually(claimed)
    assert claim.status_code == 202, claim.text
    support = await support_headers(stack, http)
    path = f"/api/teams/claims/{siren}/{claim.json()['claim_id']}/approval"
    approved = await http.post(path, json={}, headers=support)
    assert approved.status_code == 200, approved.text
    space: dict[str, Any] = approved.json()
    return space


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of an answer that must have `status`."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    return body


def legacy_portfolios(companies: list[Any], last_monitored_at: datetime) -> dict[str, Any]:
    """What support imports into ratings for a former-portal account: one monitored portfolio of
    `companies` (the local provider's directory entries), last monitored at `last_monitored_at`.
    Make it recent (ratings runs on real time, monitoring every 24 h): an older date is due at once,
    and ratings' next monitoring pass, 30 s at most later, would rightly replace it."""
    return {
        "portfolios": [
            {
                "name": "Mon portefeuille CREANCEinfo",
                "active": True,
                "alert_on_new_event": True,
                "last_monitored_at": last_monitored_at.isoformat(),
                "companies": [
                    {"country": c.id.country, "registration_number": c.id.number, "name": c.name} for c in companies
                ],
            }
        ]
    }


async def import_legacy_account(
    http: httpx.AsyncClient, support: dict[str, str], account: dict[str, Any], *, password: str
) -> None:
    """Support imports one former-portal account into identity (one JSON line, its password as the
    former portal hashed it); `account` holds legacy_id, login, company_name and the rest."""
    line = json.dumps({**account, "password_hash": pbkdf2_hash(password, "sel", 1000)})
    answer = await http.post(
        "/api/identity/admin/legacy-imports", content=line, headers={**support, "Content-Type": "text/plain"}
    )
    assert answer.status_code == 200, answer.text


def sms_sent(stack: Stack, phone: str) -> int:
    """How many SMS teams' local adapter has written to `phone` (one JSON file per SMS in the stack's
    `sms` folder): pass it as `after` to `sms_code` before the action that sends one."""
    folder: Path = stack.config.state_dir / "sms"
    sent = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return sum(1 for s in sent if s.get("to") == phone)


async def sms_code(stack: Stack, phone: str, after: int = 0, timeout: float = 60) -> str:
    """The 6-digit code of the newest SMS to `phone` once more than `after` were sent to it."""
    folder: Path = stack.config.state_dir / "sms"

    def newest() -> str | None:
        sent = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
        mine = [s for s in sent if s.get("to") == phone]
        if len(mine) <= after:
            return None
        found = re.search(r"\b(\d{6})\b", mine[-1].get("text", ""))
        return found.group(1) if found else None

    return await eventually(lambda: asyncio.to_thread(newest), timeout=timeout, interval=0.25)


async def invite_member(
    stack: Stack,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    siren: str,
    invitation: dict[str, Any],
    *,
    admin_mobile: str = "+33612345678",
) -> tuple[str, str]:
    """The company's admin invites `invitation` (email, names, mobile, rights, proof of power) and
    confirms with the code teams texts to `admin_mobile`: (invitation id, the link mailed to the invitee)."""
    before = sms_sent(stack, admin_mobile)
    invited = await http.post(f"/api/teams/companies/{siren}/invitations", json=invitation, headers=admin)
    assert invited.status_code == 201, invited.text
    code = await sms_code(stack, admin_mobile, before)
    invitation_id: str = invited.json()["invitation_id"]
    path = f"/api/teams/companies/{siren}/invitations/{invitation_id}/confirmation"
    confirmed = await http.post(path, json={"code": code}, headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    mail = await stack.mailbox.wait_for(invitation["email"], lambda m: "/invitation#token=" in m.text, timeout=60)
    return invitation_id, next(url for url in mail.links() if "/invitation#token=" in url)


def an_hour_ago() -> datetime:
    """A moment ratings' monitoring (every 24 h, on real time) does not take as due."""
    return (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
