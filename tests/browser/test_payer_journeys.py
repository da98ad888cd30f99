"""Seed 002, the payer's self-care space, in a real browser on the real stack.

A merchant (through the API, as its shop would) sells three orders to a buyer:
one paid in 3 by a good card, one whose card declines (unpaid after the debit
run), one paid at once (completed). The buyer then does everything as a person:
the first connection by the order's email, the mail's link, the password policy's
messages, the schedules in progress and completed with each installment's status,
the card change with the card rules' messages, the regularisation rejected (the
collections phone number to call) then accepted."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import login, onboarded_creditor
from tests.browser.payer_teams_setup import error_next_to, main_text, plain
from tests.e2e.helpers import PASSWORD, operator, order

# A whole journey on a loaded machine (2 cores, 8 helpers): longer than the default 300 s.
pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(1200)]
# helpers.login's expectations wait as long as the other browser steps (5 s by default: too short here).
expect.set_options(timeout=30_000)
GOOD, DECLINES, MASTERCARD, AMEX = "4242424242424242", "4000000000000002", "5555555555554444", "378282246310005"


async def prepared_orders(stack: Stack, buyer: str) -> dict[str, dict[str, Any]]:
    """Three orders of `buyer`, after one debit run: in progress, unpaid, completed."""
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, shop = await onboarded_creditor(stack, http)
        bodies = {
            "in_progress": order(buyer, card=GOOD, amount=12796),
            "unpaid": order(buyer, card=DECLINES, amount=15918 * 3),
            "completed": order(buyer, card=GOOD, amount=5000, installments=1),
        }
        created = {}
        for name, body in bodies.items():
            answer = await http.post("/api/billing/schedules", json=body, headers=shop)
            assert answer.status_code == 201, answer.text
            created[name] = answer.json()
        run = await http.post("/api/billing/debit-runs", json={}, headers=await operator(stack, http))
        assert run.status_code == 200, run.text
        return created


async def fill_card(page: Page, number: str, month: str, year: str) -> None:
    await page.get_by_label("Numéro de carte").fill(number)
    await page.get_by_label("Mois d'expiration (MM)").fill(month)
    await page.get_by_label("Année d'expiration (AAAA)").fill(year)


async def test_first_connection_schedules_card_change_and_regularisation(
    running_services: Stack, portal_url: str, page: Page, phone_page: Page, shot: Any, axe: Any
) -> None:
    stack = running_services
    buyer = f"buyer-{uuid.uuid4().hex[:10]}@example.fr"
    orders = await prepared_orders(stack, buyer)
    number = {name: schedule["order_number"] for name, schedule in orders.items()}

    # First connection: the order's email, then the mailed link.
    await page.goto(f"{portal_url}/first-connection/request")
    await axe(page)
    await page.get_by_label("Adresse e-mail renseignée lors de votre commande").fill(buyer)
    await page.get_by_role("button", name="Recevoir le lien").click()
    assert "un lien pour créer votre accès vous a été envoyé" in await main_text(page)
    await shot(page, "first-connection-requested")

    mail = await stack.mailbox.wait_for(buyer, lambda m: "/first-connection#token=" in m.text, timeout=60)
    link = next(url for url in mail.links() if "/first-connection#token=" in url)
    await page.goto(portal_url + link[link.index("/first-connection") :])
    await page.get_by_role("heading", name="Choisissez votre mot de passe").wait_for()
    assert "#token" not in page.url  # portal.js took the token out of the address bar
    await axe(page)

    # The password policy's messages, next to the field.
    password = page.locator("#f-password")
    await password.fill("motdepasse")
    await page.locator("#f-password_confirmation").fill("autrechose")
    await page.get_by_role("button", name="Créer mon accès").click()
    said = await error_next_to(page.locator("#f-password"))
    for rule in ("une majuscule", "un chiffre", "un caractère spécial"):
        assert rule in said, said
    assert "Ne correspond pas au mot de passe" in await error_next_to(page.locator("#f-password_confirmation"))
    await axe(page)
    await shot(page, "first-connection-password-refused")

    # Without the fragment any more, the page still has the token: portal.js put it in the form.
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password_confirmation").fill(PASSWORD)
    await page.get_by_role("button", name="Créer mon accès").click()
    assert "Votre accès est créé" in await main_text(page)
    await shot(page, "first-connection-done")

    # The schedules in progress, each installment with its status.
    await login(page, buyer, PASSWORD)
    await page.goto(f"{portal_url}/payer/schedules")
    text = await main_text(page)
    assert "Vos échéanciers en cours" in text
    assert number["in_progress"] in text
    assert number["unpaid"] in text
    assert number["completed"] not in text
    assert "Montant d'achat : 127,96 €" in text or "Montant d'achat 127,96 €" in text
    assert "Prélèvement n°1" in text
    assert "42,66 €" in text
    assert "42,65 €" in text
    in_progress = page.locator("article", has_text=number["in_progress"])
    statuses = await in_progress.locator("tbody tr td:last-child").all_inner_texts()
    assert statuses == ["Réglé", "En cours", "En cours"], statuses
    unpaid = page.locator("article", has_text=number["unpaid"])
    assert "Impayé" in await unpaid.inner_text()
    assert "•••• 4242" in await in_progress.inner_text()
    await axe(page)
    await shot(page, "schedules-in-progress")

    await page.get_by_role("link", name="Voir mes échéanciers terminés").click()
    text = await main_text(page)
    assert "Vos échéanciers terminés" in text
    assert number["completed"] in text
    assert "Terminé" in text
    assert number["in_progress"] not in text
    await shot(page, "schedules-completed")

    # The card change: an unpaid schedule offers "Régulariser" instead of "Modifier".
    await page.goto(f"{portal_url}/payer/schedules")
    assert await unpaid.get_by_role("link", name="Régulariser").count() == 1
    assert await unpaid.get_by_role("link", name="Modifier").count() == 0
    await in_progress.get_by_role("link", name=f"Modifier la carte de la commande {number['in_progress']}").click()
    await page.get_by_role("heading", name="Modifier ma carte bancaire").wait_for()
    assert "7 jours maximum" in await main_text(page)
    await fill_card(page, "4242424242424241", "12", "2035")  # mistyped: billing's check, next to the number
    await page.get_by_role("button", name="Valider").click()
    assert "ce numéro de carte est mal saisi" in (await error_next_to(page.get_by_label("Numéro de carte"))).lower()
    await fill_card(page, AMEX, "12", "2035")  # a card rule: Visa or Mastercard only
    await page.get_by_role("button", name="Valider").click()
    assert "La carte doit être de format « Mastercard » ou « Visa »." in await page.locator("#f-card").inner_text()
    await axe(page)
    await shot(page, "card-change-refused")
    await fill_card(page, MASTERCARD, "01", "2036")
    await page.get_by_role("button", name="Valider").click()
    text = await main_text(page)
    assert "Votre changement de carte bancaire est bien pris en compte (opération validée)." in text
    assert "•••• 4444" in text
    await shot(page, "card-changed")

    # Regularisation of the unpaid 159,18 €: in 1, 2 or 3 payments.
    await page.goto(f"{portal_url}/payer/schedules")
    await unpaid.get_by_role("link", name="Régulariser").click()
    text = await main_text(page)
    assert "Pour régulariser votre créance de 159,18 €" in text
    assert "soit 159,18 €" in text
    assert "soit 79,59 €/mois" in text
    assert "soit 53,06 €/mois" in text
    await axe(page)
    await shot(page, "regularisation-options")

    # The card on file declines: rejected, with the collections service's number to call.
    await page.get_by_label("Je paie en 1 fois").check()
    await page.get_by_role("button", name="Payer").click()
    text = await main_text(page)
    assert "Votre paiement de 159,18 € a été rejeté, vous pouvez nous contacter au" in text
    call = page.get_by_role("link", name="+33 1 84 88 00 00")
    assert await call.get_attribute("href") == "tel:+33184880000"
    await axe(page)
    await shot(page, "regularisation-rejected")

    # Again with another card: accepted, and the dispute is settled.
    await page.get_by_role("link", name="Réessayer avec une autre carte").click()
    await page.get_by_label("Je paie en 1 fois").check()
    await fill_card(page, GOOD, "12", "2035")
    await page.get_by_role("button", name="Payer").click()
    text = await main_text(page)
    assert "Votre paiement de 159,18 € a bien été accepté et nous vous en remercions." in text
    assert "A ce jour, nous vous confirmons que ce contentieux est bien régularisé." in text
    await shot(page, "regularisation-accepted")
    # Settled, the dispute's schedule is with the completed ones (billing: nothing unpaid is owed).
    await page.goto(f"{portal_url}/payer/schedules?state=completed")
    assert "Régularisé" in await unpaid.inner_text()
    assert "Montant régularisé : 159,18 €" in plain(await unpaid.inner_text())

    # On a phone's width: the schedules fit, nothing scrolls sideways.
    await login(phone_page, buyer, PASSWORD)
    await phone_page.goto(f"{portal_url}/payer/schedules")
    assert number["in_progress"] in await main_text(phone_page)
    assert await phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await axe(phone_page)
    await shot(phone_page, "schedules-on-a-phone")
