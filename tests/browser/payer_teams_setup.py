"""What the payer and my-teams browser journeys prepare through the public API
(what a merchant's or support's own tools would do), and what they read: the
mail and SMS sinks, the page's text, the error shown next to a field."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Locator, Page

from devstack.stack import Stack
from identity import admin
from identity.settings import IdentitySettings
from tests.e2e.helpers import KBIS, PASSWORD, legal_person, new_email, onboard
from tests.polling import eventually

TOKEN = re.compile(r"activation[?#]token=([\w-]+)")
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def plain(text: str) -> str:
    """Text as a person reads it: the no-break spaces of French amounts are spaces."""
    return re.sub(r"\s+", " ", text.translate(SPACES))


async def main_text(page: Page) -> str:
    return plain(await page.inner_text("main"))


async def error_next_to(field: Locator) -> str:
    """The texts the field points at with aria-describedby (its error, its hint), and it must be aria-invalid."""
    assert await field.get_attribute("aria-invalid") == "true", await field.evaluate("e => e.outerHTML")
    ids = (await field.get_attribute("aria-describedby") or "").split()
    texts = [await field.page.locator(f"[id='{i}']").inner_text() for i in ids]
    return plain(" ".join(texts))


async def activated(stack: Stack, http: httpx.AsyncClient, form: dict[str, Any]) -> dict[str, str]:
    """Register, activate with the mailed link's token (whichever page it points at), log in: auth headers."""
    registered = await http.post("/api/identity/accounts", json=form)
    assert registered.status_code == 202, registered.text
    mail = await stack.mailbox.wait_for(form["email"], lambda m: TOKEN.search(m.text) is not None, timeout=60)
    found = TOKEN.search(mail.text)
    assert found
    activation = await http.post("/api/identity/accounts/activation", json={"token": found.group(1)})
    assert activation.status_code == 200, activation.text
    login = await http.post("/api/identity/sessions", json={"email": form["email"], "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def a_merchant(stack: Stack, http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """An onboarded creditor (bank details, terms, mandate): it may create its orders' schedules."""
    email = new_email()
    auth = await activated(stack, http, legal_person(email))

    async def profile_open() -> bool:
        return (await http.get("/api/billing/profiles/me", headers=auth)).status_code == 200

    await eventually(profile_open)
    await onboard(http, auth)
    return email, auth


def natural_person(email: str, first_name: str = "Paul", last_name: str = "Martin") -> dict[str, Any]:
    return {
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "person_kind": "natural",
        "civility": "mr",
        "last_name": last_name,
        "first_name": first_name,
        "address": {"line": "3 rue Lepic", "postal_code": "75018", "city": "Paris"},
    }


async def support(stack: Stack, http: httpx.AsyncClient) -> dict[str, str]:
    """A support agent: an account granted the role by identity's admin command."""
    email = new_email()
    await activated(stack, http, legal_person(email))
    settings = IdentitySettings(environment="test", mongo_url=stack.mongo_url)  # type: ignore[arg-type]
    assert await admin.run(argparse.Namespace(command="grant-support", email=email), settings) == 0
    login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def approve_claim(stack: Stack, http: httpx.AsyncClient, siren: str) -> None:
    """Support reviews the pending claims and approves the one of `siren`."""
    agent = await support(stack, http)
    claims = await http.get("/api/teams/claims", headers=agent)
    assert claims.status_code == 200, claims.text
    company = next(c for c in claims.json()["companies"] if c["siren"] == siren)
    claim_id = company["claimants"][0]["claim_id"]
    approved = await http.post(f"/api/teams/claims/{siren}/{claim_id}/approval", json={}, headers=agent)
    assert approved.status_code == 200, approved.text


def sms_texts(stack: Stack, to: str) -> list[str]:
    """The SMS written to `to` by teams' sink, oldest first."""
    directory: Path = stack.config.state_dir / "sms"
    messages = [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]
    return [m["text"] for m in messages if m["to"] == to]


async def new_sms_code(stack: Stack, to: str, after: int) -> str:
    """The 6-digit code of the newest SMS to `to`, once more than `after` were sent."""

    async def arrived() -> list[str] | None:
        texts = sms_texts(stack, to)
        return texts if len(texts) > after else None

    texts = await eventually(arrived)
    found = re.search(r"\b(\d{6})\b", texts[-1])
    assert found, texts[-1]
    return found.group(1)


EXTRACT = KBIS  # an extract of the trade register (a PDF by its magic bytes), base64
