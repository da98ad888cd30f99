"""Seed 000 in a browser, on the real stack: a user of the former portal (imported by support
through the API, with old mailbox messages and a portfolio under monitoring) reaches the
migration screen, signs in with the old credentials (a wrong password refused), saves the old
mailbox, gives an email and a new password (a mismatched confirmation refused next to its field),
confirms the email from the mail's link, logs in, finds the portfolio as it was, then reads,
marks, deletes and exports the mailbox's messages."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from babel.dates import format_datetime
from playwright.async_api import Download, Page, expect

from devstack.stack import Stack
from ratings.adapters.providers import LocalProvider
from ratings.settings import RatingsSettings
from tests.browser.helpers import PASSWORD, activation_url, inbox, login, new_email
from tests.e2e.helpers import an_hour_ago, import_legacy_account, legacy_portfolios, support_headers
from tests.polling import eventually

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
DIRECTORY = LocalProvider(companies_per_country=RatingsSettings().local_provider_companies_per_country).directory
OLD_PASSWORD = "ancien-mdp"


async def downloaded(download: Download) -> str:
    """The text of a file the browser downloaded."""
    path = Path(await download.path())
    return await asyncio.to_thread(path.read_text, encoding="utf-8")


async def former_portal_user(stack: Stack, http: httpx.AsyncClient) -> tuple[str, list[Any], datetime]:
    """Support imports a former-portal account (two old messages) and its portfolio:
    (login, companies, when the portfolio was last monitored)."""
    legacy_id = f"BR-{uuid.uuid4().hex[:8]}"
    login_name = f"dupont-{legacy_id}".lower()
    companies = [DIRECTORY.in_country("FR")[17], DIRECTORY.in_country("IT")[17]]
    support = await support_headers(stack, http)
    monitored = an_hour_ago()
    portfolios = legacy_portfolios(companies, monitored)
    imported = await http.put(f"/api/ratings/legacy-imports/{legacy_id}", json=portfolios, headers=support)
    assert imported.status_code == 200, imported.text
    account = {
        "legacy_id": legacy_id,
        "login": login_name,
        "company_name": "DUPONT SA",
        "contract_reference": "CTR-2019-0042",
        "mailbox": [
            {
                "received_at": "2024-03-01T08:00:00+00:00",
                "from": "alertes@creanceinfo.fr",
                "subject": "Alerte : score en baisse",
                "body": "Le score de VISIATIV FINANCEMENT passe de 62 à 48.",
            },
            {
                "received_at": "2024-05-02T09:30:00+00:00",
                "from": "alertes@creanceinfo.fr",
                "subject": "Alerte : limite de crédit",
                "body": "La limite de crédit de CEGID passe à 5 000 000 €.",
            },
        ],
    }
    await import_legacy_account(http, support, account, password=OLD_PASSWORD)
    return login_name, companies, monitored


async def test_a_former_portal_user_moves_and_finds_the_portfolio_and_the_mailbox(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    stack = running_services
    old_login, companies, monitored = await former_portal_user(stack, http)

    # The redirection screen: what happens, what is kept; the old credentials.
    await page.goto("/migration")
    await expect(page.get_by_role("heading", name="Changement de portail", level=1)).to_be_visible()
    await expect(
        page.get_by_text("Votre portefeuille d'entreprises et vos surveillances sont conservés")
    ).to_be_visible()
    await axe(page)
    await shot(page, "migration-screen")
    await page.get_by_label("Ancien identifiant").fill(old_login)
    await page.get_by_label("Ancien mot de passe").fill("pas-le-bon")
    await page.get_by_role("button", name="Continuer").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.get_by_label("Ancien identifiant")).to_have_value(old_login)
    await page.get_by_label("Ancien mot de passe").fill(OLD_PASSWORD)
    await page.get_by_role("button", name="Continuer").click()
    await expect(page.get_by_role("heading", name="Vos nouveaux identifiants")).to_be_visible()
    await expect(page.get_by_text("DUPONT SA")).to_be_visible()

    # The old mailbox saved before the switch (a JSON download).
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Exporter mes anciens messages (JSON)").click()
    saved = json.loads(await downloaded(await waiting.value))
    assert [m["subject"] for m in saved["messages"]] == ["Alerte : score en baisse", "Alerte : limite de crédit"]

    # New identifiers: a confirmation that differs is refused next to its field.
    email = new_email()
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password_confirmation").fill(PASSWORD + "x")
    await page.get_by_role("button", name="Passer au nouveau portail").click()
    await expect(page.locator("#f-password_confirmation")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-password_confirmation-error")).to_be_visible()
    await axe(page)
    await shot(page, "new-identifiers-refused")
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password_confirmation").fill(PASSWORD)
    await page.get_by_role("button", name="Passer au nouveau portail").click()
    await expect(page.get_by_role("heading", name="Confirmez votre adresse email")).to_be_visible()
    await expect(page.get_by_text(email)).to_be_visible()
    await shot(page, "confirmation-sent")

    # The confirmation mail's link lands on the portal's activation page; then a normal login.
    mail = await inbox(stack, email, "Confirmez")
    await page.goto(activation_url(mail))
    await expect(page.get_by_text("Votre compte a été activé")).to_be_visible()
    await login(page, email)

    # The portfolio is there as it was (ratings attaches it when AccountMigrated reaches it).
    async def portfolio_listed() -> bool:
        await page.goto("/portfolios")
        return await page.get_by_role("link", name="Mon portefeuille CREANCEinfo").count() == 1

    await eventually(portfolio_listed, timeout=60, interval=1)
    await page.get_by_role("link", name="Mon portefeuille CREANCEinfo").click()
    for company in companies:
        await expect(page.locator("#companies")).to_contain_text(company.id.number)
    shown = format_datetime(monitored, format="medium", tzinfo=ZoneInfo("Europe/Paris"), locale="fr")
    await expect(page.locator("dt:has-text('Date de dernière surveillance') + dd")).to_contain_text(shown)
    await expect(page.locator("dt:has-text('Créer une alerte sur nouvel évènement') + dd")).to_have_text("oui")
    await shot(page, "migrated-portfolio")

    # The mailbox: the old messages are in it (identity files them from AccountMigrated).
    async def messages_listed() -> bool:
        await page.goto("/mailbox")
        return await page.locator("#messages tbody tr").count() == 2

    await eventually(messages_listed, timeout=60, interval=1)
    await (
        page.get_by_role("navigation", name="Navigation principale")
        .get_by_role("link", name="Boîte aux lettres")
        .click()
    )
    await expect(page.locator("#mailbox-counts")).to_have_text("2 message(s), dont 2 non lu(s)")
    await axe(page)
    await shot(page, "mailbox")

    # Read one (reading marks it read), mark it unread again, delete the other.
    await page.get_by_role("link", name="Alerte : score en baisse").click()
    await expect(page.locator("#message-body")).to_contain_text("passe de 62 à 48")
    await axe(page)
    await shot(page, "message")
    await page.get_by_role("link", name="Retour à la boîte aux lettres").click()
    await expect(page.locator("#mailbox-counts")).to_have_text("2 message(s), dont 1 non lu(s)")
    await page.get_by_role("link", name="Alerte : score en baisse").click()
    await page.get_by_role("button", name="Marquer comme non lu").click()
    await expect(page.get_by_text("Message marqué comme non lu.")).to_be_visible()
    await expect(page.locator("#mailbox-counts")).to_have_text("2 message(s), dont 2 non lu(s)")
    await page.get_by_role("button", name="Supprimer Alerte : limite de crédit").click()
    await expect(page.get_by_text("Le message a été supprimé.")).to_be_visible()
    await expect(page.locator("#messages tbody tr")).to_have_count(1)
    await page.get_by_role("button", name="Tout marquer comme lu").click()
    await expect(page.get_by_text("1 message(s) marqué(s) comme lu(s).")).to_be_visible()
    await expect(page.locator("#mailbox-counts")).to_have_text("1 message(s), dont 0 non lu(s)")

    # The export, as JSON and as an mbox file.
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Exporter (JSON)").click()
    exported = json.loads(await downloaded(await waiting.value))
    assert exported["format"] == "creditdesk.mailbox.v1"
    assert [m["subject"] for m in exported["messages"]] == ["Alerte : score en baisse"]
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Exporter (mbox)").click()
    download = await waiting.value
    assert download.suggested_filename == "mailbox.mbox"
    mbox = await downloaded(download)
    assert mbox.startswith("From ")
    assert "Subject: =?utf-8?" in mbox or "Subject: Alerte" in mbox
