"""Seed 004, "My teams" (Mes équipes), in a real browser on the real stack.

A company's own account claims its space on the page with its extract; support
approves the claim (through the API, as support's tools do). The admin then
invites a collaborator (the API's field and rule errors shown next to their
field), signs the invitation with the 6-digit code read from the SMS sink, and,
once the invitee (on a phone) has accepted the mailed link, grants a right that
needs a proof of power on the rights matrix: refused on the matrix's row without
the proof, saved with it."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from playwright.async_api import FilePayload, Page, expect

from devstack.stack import Stack
from tests.browser.helpers import login, sms_code
from tests.browser.payer_teams_setup import approve_claim, error_next_to, main_text, natural_person, sms_sent
from tests.e2e.helpers import KBIS, PASSWORD, legal_person, new_email, new_siret, signed_up
from tests.polling import eventually

# A whole journey on a loaded machine (2 cores, 8 helpers): longer than the default 300 s.
pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(1200)]
# helpers.login's expectations wait as long as the other browser steps (5 s by default: too short here).
expect.set_options(timeout=30_000)
ADMIN_MOBILE = "+33612345678"


async def claim_on_the_page(page: Page, portal_url: str, siren: str) -> None:
    """Claim the space; right after activation teams may not know the account yet: send again."""
    extract = FilePayload(name="kbis.pdf", mimeType="application/pdf", buffer=base64.b64decode(KBIS))

    async def claimed() -> bool:
        await page.goto(f"{portal_url}/teams")
        await page.get_by_label("SIREN").fill(siren)
        await page.get_by_label("Votre numéro de mobile").fill("06 12 34 56 78")
        await page.get_by_label("Extrait du registre du commerce (PDF, JPEG ou PNG)").set_input_files(extract)
        await page.get_by_role("button", name="Envoyer ma demande").click()
        return "en cours d'examen" in await main_text(page)

    await eventually(claimed, timeout=60, interval=1)


async def test_invite_sign_with_the_sms_code_accept_and_grant_on_the_matrix(
    running_services: Stack, portal_url: str, page: Page, phone_page: Page, shot: Any, axe: Any
) -> None:
    stack = running_services
    siret = new_siret()
    siren = siret[:9]
    admin_email, paul_email = new_email(), new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        await signed_up(stack, http, {**legal_person(admin_email), "siret": siret})
        paul_id, _ = await signed_up(stack, http, natural_person(paul_email))

        # The company's account opens its space: the claim on the page, support's approval.
        await login(page, admin_email, PASSWORD)
        await claim_on_the_page(page, portal_url, siren)
        await shot(page, "claim-under-review")
        await approve_claim(stack, http, siren)

    await page.goto(f"{portal_url}/teams")
    await page.get_by_role("link", name="ACME Recouvrement").click()
    await page.get_by_role("heading", name="Mes équipes \u2013 ACME Recouvrement").wait_for()
    await axe(page)
    await shot(page, "my-teams-space")

    # Invite: the API's errors next to their field, one round at a time.
    await page.get_by_role("link", name="Inviter un collaborateur").click()
    await page.get_by_label("Prénom").fill("Paul")
    await page.locator("#f-last_name").fill("Martin")
    await page.get_by_label("Adresse e-mail").fill(paul_email)
    await page.get_by_label("Numéro de mobile").fill("01 23 45 67 89")  # a landline: no SMS
    await page.get_by_label("1. Accéder aux informations financières et documentaires de l'entreprise").check()
    await page.get_by_label("5. Effectuer un changement de RIB").check()
    await page.get_by_role("button", name="Inviter").click()
    said = await error_next_to(page.get_by_label("Numéro de mobile"))
    assert "Ce n'est pas un numéro de mobile : le code est envoyé par SMS." in said, said
    await axe(page)
    await shot(page, "invite-mobile-refused")

    await page.get_by_label("Numéro de mobile").fill("06 98 76 54 32")
    await page.get_by_role("button", name="Inviter").click()
    proof = page.locator("fieldset.proof")
    assert "Les droits 5 et 6 ne peuvent être accordés qu'avec un justificatif de pouvoir" in await proof.inner_text()
    assert await page.get_by_label("5. Effectuer un changement de RIB").is_checked()  # the form kept what was ticked
    await shot(page, "invite-proof-required")

    # Right 5 is granted later, on the matrix; the invitation goes with right 1 only.
    sent_before = sms_sent(stack, ADMIN_MOBILE)
    await page.get_by_label("5. Effectuer un changement de RIB").uncheck()
    await page.get_by_role("button", name="Inviter").click()
    await page.get_by_role("heading", name="Signez votre autorisation d'accès").wait_for()
    code = await sms_code(stack, ADMIN_MOBILE, sent_before)
    await axe(page)

    wrong = f"{(int(code[0]) + 1) % 10}{code[1:]}"
    await page.get_by_label("Code SMS (6 chiffres)").fill(wrong)
    await page.get_by_role("button", name="Signer").click()
    said = await error_next_to(page.get_by_label("Code SMS (6 chiffres)"))
    assert "Code incorrect : encore 4 essai(s) avec ce code." in said, said
    await shot(page, "sms-code-refused")
    await page.get_by_label("Code SMS (6 chiffres)").fill(code)
    await page.get_by_role("button", name="Signer").click()
    assert "Votre invitation est signée" in await main_text(page)
    assert "Envoyée" in await page.locator("table.invitations").inner_text()
    await shot(page, "invitation-signed")

    # The invitee, on a phone, logged in with the invited address, follows the mailed link.
    mail = await stack.mailbox.wait_for(paul_email, lambda m: "/invitation#token=" in m.text, timeout=60)
    link = next(url for url in mail.links() if "/invitation#token=" in url)
    await login(phone_page, paul_email, PASSWORD)
    await phone_page.goto(portal_url + link[link.index("/invitation#token=") :])
    # portal.js puts the fragment's token in the form and sends it: the invitation shows.
    await phone_page.get_by_role("button", name="Accepter l'invitation").wait_for()
    assert "#token" not in phone_page.url
    text = await main_text(phone_page)
    assert "vous invite, Paul Martin, à rejoindre l'espace sécurisé de ACME Recouvrement" in text, text
    assert "Accéder aux informations financières et documentaires de l'entreprise" in text
    assert await phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await axe(phone_page)
    await shot(phone_page, "invitation-preview-on-a-phone")
    await phone_page.get_by_role("button", name="Accepter l'invitation").click()
    assert "Vous avez rejoint l'espace de ACME Recouvrement." in await main_text(phone_page)
    await shot(phone_page, "invitation-accepted")

    # The rights matrix: right 5 needs a proof of power; the API's refusal shows on Paul's row.
    await page.goto(f"{portal_url}/teams/{siren}")
    rib = page.locator(f"[id='r-{paul_id}-change_bank_details']")
    await rib.check()
    await page.get_by_role("button", name="Enregistrer les droits de").last.click()
    row_error = page.locator(f"[id='row-error-{paul_id}']")
    assert (
        "Les droits 5 et 6 ne peuvent être accordés qu'avec un justificatif de pouvoir" in await row_error.inner_text()
    )
    rib = page.locator(f"[id='r-{paul_id}-change_bank_details']")
    assert await rib.is_checked()
    assert paul_id in (await rib.get_attribute("aria-describedby") or "")
    await axe(page)
    await shot(page, "matrix-proof-required")

    row = page.locator(f"[id='member-{paul_id}']")
    await row.get_by_label("Référence du document").fill("DP-2026-014")
    await row.get_by_label("Date du document").fill("2026-11-02")
    await row.get_by_role("button", name="Enregistrer les droits de").click()
    assert "Les droits sont enregistrés." in await main_text(page)
    assert await page.locator(f"[id='r-{paul_id}-change_bank_details']").is_checked()
    assert await page.locator(f"[id='r-{paul_id}-view_financial_documents']").is_checked()
    await shot(page, "matrix-saved")
