"""The commissaire de justice in a browser: support creates the account (an API shortcut, as the
e2e tests do), the invitation mail's link opens the activation page with its code filled from the
fragment, a too-short password is refused next to its field, then the account is active; logged
in, the desk lists the case assigned to the office; a refusal without its reason is refused next
to the field; the case is accepted and the plain letter downloads; a payment is recorded; an
enforceable title dated in the future is refused next to its date, then the agreement and its
title close the case."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import PASSWORD, inbox, login, new_email, onboarded_creditor, portal_link
from tests.browser.recovery_pages import error_of, exactly, reload_until
from tests.e2e.helpers import support_headers
from tests.e2e.recovery_helpers import case_when, claim, filing_form, pdf_text
from tests.polling import eventually

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]


async def assigned_case(stack: Stack, http: httpx.AsyncClient) -> dict[str, Any]:
    """API shortcut (the creditor's filing is test_recovery_cases' journey): a case against the
    Metz hardware shop, assigned to a Metz office."""
    _, auth = await onboarded_creditor(stack, http)
    body = claim(new_email())

    async def filed() -> httpx.Response | None:
        answer = await http.post("/api/recovery/cases", headers=auth, **filing_form(body))
        return None if answer.status_code == 409 else answer  # the mandate reaches recovery's view

    answer = await eventually(filed)
    assert answer.status_code == 201, answer.text
    return await case_when(http, f"/api/recovery/cases/{body['case_id']}", auth, lambda c: c["phase"] == "assigned")


async def test_the_commissaire_activates_and_works_a_case_from_the_desk(
    page: Page, running_services: Stack, http: httpx.AsyncClient, tmp_path: Path, shot: Shot, axe: Axe
) -> None:
    stack = running_services
    case = await assigned_case(stack, http)
    support = await support_headers(stack, http)
    email = new_email()
    form = {
        "email": email,
        "civility": "mrs",
        "first_name": "Claire",
        "last_name": "Exemple",
        "office_id": case["office_id"],
    }
    created = await http.post("/api/identity/admin/commissaires", json=form, headers=support)
    assert created.status_code == 201, created.text

    # the invitation mail's link: the activation page, its code read from the fragment
    mail = await inbox(stack, email, "commissaire de justice")
    await page.goto(portal_link(mail, "/commissaire-activation"))
    await expect(page.get_by_role("heading", name="Activez votre compte de commissaire de justice")).to_be_visible()
    await expect(page.locator("#f-token")).not_to_have_value("")  # filled from the fragment, its field hidden
    await expect(page.get_by_label("Code d'activation")).to_be_hidden()
    assert "#" not in page.url  # the fragment is removed once read
    await axe(page)
    await shot(page, "activation")
    await page.get_by_label(exactly("Mot de passe")).fill("court")
    await page.get_by_label("Confirmez le mot de passe").fill("court")
    await page.get_by_role("button", name="Activer mon compte").click()
    await expect(error_of(page, "f-password")).to_be_visible()
    await axe(page)
    await shot(page, "activation-refused")
    await page.get_by_label(exactly("Mot de passe")).fill(PASSWORD)
    await page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Activer mon compte").click()
    await expect(page.get_by_text("Votre compte est activé.")).to_be_visible()

    # the desk: the case assigned to the office, awaiting its answer
    await login(page, email)
    await page.get_by_role("link", name="Bureau du commissaire de justice").first.click()
    waiting = page.get_by_role("table", name="Attribués à votre étude : à accepter ou refuser")
    await expect(waiting.get_by_role("link", name="Quincaillerie Lorraine SARL").first).to_be_visible()
    await axe(page)
    await shot(page, "desk")
    await page.locator(f'a[href="/office/cases/{case["case_id"]}"]').click()
    await expect(page.get_by_role("heading", name="Dossier contre Quincaillerie Lorraine SARL")).to_be_visible()
    await axe(page)
    await shot(page, "case-assigned")

    # a refusal needs its reason: refused next to the field
    await page.get_by_role("button", name="Refuser le dossier").click()
    await expect(error_of(page, "f-reason")).to_be_visible()
    assert await page.locator("#f-reason").get_attribute("aria-invalid") == "true"

    # accepted: the plain letter goes, and downloads
    await page.get_by_role("button", name="Accepter le dossier").click()
    await expect(page.get_by_text("Dossier accepté : la lettre simple et l'email partent au débiteur.")).to_be_visible()
    await reload_until(page, "Lettre simple (phase amiable)")
    await expect(
        page.get_by_text("Le débiteur répond après la lettre recommandée (procédure simplifiée).")
    ).to_be_visible()
    async with page.expect_download() as letter_info:
        await page.get_by_role("link", name=re.compile("Lettre simple")).click()
    letter = tmp_path / "amicable.pdf"
    await (await letter_info.value).save_as(letter)
    assert "Quincaillerie Lorraine SARL" in pdf_text(letter.read_bytes())
    await axe(page)
    await shot(page, "case-amicable")

    # a payment of 100.00 EUR
    await page.get_by_label("Référence du paiement").fill("VIR-2026-0001")
    await page.locator("#f-payment_amount").fill("100,00")
    await page.get_by_role("button", name="Enregistrer le paiement").click()
    await expect(page.get_by_text("Le paiement a été enregistré.")).to_be_visible()
    await expect(page.locator(".amounts")).to_contain_text("1\u202f912,34")
    await expect(page.locator("ol.timeline")).to_contain_text("Paiement reçu")

    # the agreement and its enforceable title: a title dated in the future is refused next to its date
    await page.get_by_label("Montant convenu en euros").fill("1 912,34")
    await page.get_by_label("Modalités de paiement", exact=True).fill("4 mensualités de 478,09 EUR")
    await page.get_by_label("Numéro du titre exécutoire").fill("CJ-57-2026-0117")
    await page.get_by_label("Date du titre").fill((date.today() + timedelta(days=400)).isoformat())
    await page.get_by_role("button", name="Enregistrer l'accord et le titre").click()
    await expect(error_of(page, "f-title_date")).to_contain_text("ne peut pas être daté")
    await axe(page)
    await shot(page, "title-refused")
    await page.get_by_label("Date du titre").fill(date.today().isoformat())
    await page.get_by_role("button", name="Enregistrer l'accord et le titre").click()
    await expect(page.get_by_text("L'accord et le titre exécutoire ont été enregistrés")).to_be_visible()
    await expect(page.get_by_text("Clos").first).to_be_visible()
    await expect(page.locator("ol.timeline")).to_contain_text("Accord et titre exécutoire enregistrés")
    await shot(page, "case-closed")
