"""Seed 001's first-login onboarding in a browser: bank details (a bad IBAN shown next to
its field), a separate billing address, the terms in force, then the signed SEPA mandate."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import PASSWORD, activated_account, login

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
IBAN = "FR14 2004 1010 0505 0001 3M02 606"
BAD_IBAN = "FR15 2004 1010 0505 0001 3M02 606"  # one check digit mistyped
BIC = "PSSTFRPPXXX"


async def test_a_creditor_onboards_to_the_signed_mandate(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    email = await activated_account(running_services, http)
    terms = (await http.get("/api/billing/terms")).json()
    await login(page, email)
    # The first login goes to the onboarding, with the terms in force.
    await expect(page).to_have_url(re.compile(r"/onboarding$"))
    await expect(page.get_by_role("heading", name="Complétez votre inscription")).to_be_visible()
    await expect(page.get_by_text(f"Version {terms['version']}, en vigueur depuis")).to_be_visible()
    await axe(page)
    await shot(page, "onboarding")

    await page.get_by_label("Civilité").select_option("mrs")
    await page.get_by_label(re.compile("^Nom")).fill("Martin")
    await page.get_by_label("Prénom").fill("Jeanne")
    await page.get_by_label("IBAN").fill(BAD_IBAN)
    await page.get_by_label("BIC").fill(BIC)
    await page.get_by_label("Souhaitez-vous que les factures soient adressées").check()
    await page.locator("#f-billing_address-line").fill("3 rue de la Paix")
    await page.locator("#f-billing_address-postal_code").fill("75002")
    await page.locator("#f-billing_address-city").fill("Paris")
    await page.get_by_label("J'accepte sans réserve").check()
    await page.get_by_role("button", name="Finaliser mon inscription").click()

    # Billing's refusal of the IBAN, next to the IBAN field; what was typed is kept.
    iban = page.locator("#f-iban")
    await expect(iban).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-iban-error")).to_have_text(re.compile("clé de contrôle de l'IBAN est fausse"))
    await expect(page.locator("#f-billing_address-city")).to_have_value("Paris")
    await axe(page)
    await shot(page, "bad-iban")

    await iban.fill(IBAN)
    await page.get_by_role("button", name="Finaliser mon inscription").click()
    await expect(page.get_by_role("heading", name="Mandat de prélèvement SEPA")).to_be_visible()
    await expect(page.get_by_text("Jeanne Martin")).to_be_visible()
    await axe(page)
    await shot(page, "mandate")

    await page.get_by_role("button", name="Signer le mandat").click()
    await expect(page.get_by_text("Votre mandat est signé")).to_be_visible()
    await axe(page)
    await shot(page, "signed")

    # What billing now holds: the terms in force accepted, the billing address, the signed mandate.
    token = (await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})).json()
    profile = (
        await http.get("/api/billing/profiles/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    ).json()
    onboarding = profile["onboarding"]
    assert onboarding["next_step"] == "done"
    assert onboarding["terms_version"] == terms["version"]
    assert onboarding["bank_details"]["billing_address"]["city"] == "Paris"
    assert onboarding["mandate"]["status"] == "signed"


async def test_the_terms_must_be_accepted(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot
) -> None:
    email = await activated_account(running_services, http)
    await login(page, email)
    await page.get_by_label(re.compile("^Nom")).fill("Martin")
    await page.get_by_label("IBAN").fill(IBAN)
    await page.get_by_label("BIC").fill(BIC)
    await page.get_by_role("button", name="Finaliser mon inscription").click()
    await expect(page.locator("#f-terms_accepted-error")).to_have_text(
        "Vous devez accepter les conditions générales d'utilisation pour continuer."
    )
    await expect(page.get_by_role("heading", name="Complétez votre inscription")).to_be_visible()
    await shot(page, "terms-not-accepted")
