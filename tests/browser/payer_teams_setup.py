"""What the payer and my-teams browser journeys share beyond `helpers.py`: the page's
text as a person reads it, the error shown next to a field, support's approval of a
claim (through the API, as support's tools do), the SMS already sent to a number."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Locator, Page

from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, support_headers

SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def plain(text: str) -> str:
    """Text as a person reads it: the no-break spaces of French amounts are spaces."""
    return re.sub(r"\s+", " ", text.translate(SPACES))


async def main_text(page: Page) -> str:
    return plain(await page.inner_text("main"))


async def error_next_to(field: Locator) -> str:
    """What the field points at with aria-describedby (its error, its hint); it must be aria-invalid."""
    assert await field.get_attribute("aria-invalid") == "true", await field.evaluate("e => e.outerHTML")
    ids = (await field.get_attribute("aria-describedby") or "").split()
    texts = [await field.page.locator(f"[id='{i}']").inner_text() for i in ids]
    return plain(" ".join(texts))


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


async def approve_claim(stack: Stack, http: httpx.AsyncClient, siren: str) -> None:
    """Support reviews the pending claims and approves the one of `siren`."""
    agent = await support_headers(stack, http)
    claims = await http.get("/api/teams/claims", headers=agent)
    assert claims.status_code == 200, claims.text
    company = next(c for c in claims.json()["companies"] if c["siren"] == siren)
    claim_id = company["claimants"][0]["claim_id"]
    approved = await http.post(f"/api/teams/claims/{siren}/{claim_id}/approval", json={}, headers=agent)
    assert approved.status_code == 200, approved.text


def sms_sent(stack: Stack, to: str) -> int:
    """How many SMS teams' sink holds for `to`."""
    folder: Path = stack.config.state_dir / "sms"
    sent = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return len([s for s in sent if s.get("to") == to])
