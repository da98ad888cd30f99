"""Seed 003's portfolios in a browser, on the real stack: a credit manager creates a portfolio
(a blank name and a bad company number refused next to their fields), adds companies by hand and
by a CSV upload, exports it, duplicates it, edits and deletes the copy, runs "check new events"
with its progress bar to the end, and reads the alerts the changes found raised."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import FilePayload, Page, expect

from devstack.stack import Stack
from ratings.adapters.providers import LocalProvider
from ratings.settings import RatingsSettings
from tests.browser.helpers import login
from tests.e2e.helpers import activated_creditor, mongo
from tests.polling import eventually

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
DIRECTORY = LocalProvider(companies_per_country=RatingsSettings().local_provider_companies_per_country).directory
CHECK_TIMEOUT_MS = 120_000


async def stored_two_months_ago(stack: Stack, company_key: str) -> None:
    """The company's file as it was two months ago, so that the next check finds its change
    (as tests/e2e/test_ratings_flows.py does: test data set up, the provider is the real local one)."""
    client = mongo(stack)
    try:
        companies = client[RatingsSettings().mongo_db or "ratings"]["companies"]
        stored = await companies.find_one({"_id": company_key})
        assert stored is not None
        older = 1 if (stored["file"]["national_score"] or 0) > 50 else 99
        await companies.update_one(
            {"_id": company_key},
            {"$set": {"file.national_score": older, "last_event_at": datetime.now(UTC) - timedelta(days=70)}},
        )
    finally:
        await client.close()


# The longest journey here (two checks of four companies, then the alerts from the bus): a bound
# against hanging on a loaded machine, not a speed requirement.
@pytest.mark.timeout(900)
async def test_a_credit_manager_builds_a_portfolio_checks_it_and_reads_its_alerts(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    stack = running_services
    french, belgian, german, spanish = (DIRECTORY.in_country(c)[13] for c in ("FR", "BE", "DE", "ES"))
    email, auth = await activated_creditor(stack, http)
    connected = await http.put(
        "/api/ratings/provider-account", json={"username": "jeanne@example.fr", "password": "pw"}, headers=auth
    )
    assert connected.status_code == 200, connected.text
    await login(page, email)

    # Create: a blank name is refused next to the name field.
    await (
        page.get_by_role("navigation", name="Navigation principale")
        .get_by_role("link", name="Mes portefeuilles")
        .click()
    )
    await expect(page.get_by_role("heading", name="Mes portefeuilles")).to_be_visible()
    await page.get_by_role("link", name="Créer un portefeuille").click()
    await page.locator("#f-name").fill("   ")
    await page.get_by_role("button", name="Créer", exact=True).click()
    await expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-name-error")).to_be_visible()
    await axe(page)
    await shot(page, "create-refused")
    await page.locator("#f-name").fill("Clients clés")
    await expect(page.get_by_label("Créer une alerte sur nouvel évènement")).to_be_checked()
    await page.get_by_role("button", name="Créer", exact=True).click()
    await expect(page.get_by_text("Le portefeuille a été créé.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Clients clés", level=1)).to_be_visible()
    portfolio_url = page.url

    # Add a company: a bad number is refused next to the number field, a good one is added.
    await page.get_by_label("Pays").select_option("FR")
    await page.get_by_label("Numéro d'immatriculation").fill("123")
    await page.get_by_role("button", name="Ajouter", exact=True).click()
    await expect(page.locator("#f-registration_number")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-registration_number-error")).to_be_visible()
    await shot(page, "add-company-refused")
    await page.get_by_label("Numéro d'immatriculation").fill(french.id.number)
    await page.get_by_role("button", name="Ajouter", exact=True).click()
    await expect(page.get_by_text("L'entreprise a été ajoutée.")).to_be_visible()
    await expect(page.locator("#companies")).to_contain_text(french.id.number)

    # Import a CSV (semicolons, one bad line): the good lines are added, the bad one reported.
    lines = [
        "country;registration_number;name",
        f"BE;{belgian.id.number};{belgian.name}",
        f"DE;{german.id.number};{german.name}",
        f"ES;{spanish.id.number};{spanish.name}",
        "FR;123;Nulle part",
    ]
    await page.get_by_label("Fichier CSV").set_input_files(
        files=[FilePayload(name="clients.csv", mimeType="text/csv", buffer="\n".join(lines).encode())]
    )
    await page.get_by_role("button", name="Importer", exact=True).click()
    await expect(page.get_by_text("3 entreprise(s) ajoutée(s) à Clients clés.")).to_be_visible()
    await expect(page.locator("ul.problems li")).to_have_count(1)
    await shot(page, "import-report")
    await page.get_by_role("link", name="Retour au portefeuille").click()
    await expect(page.locator("#companies tbody tr")).to_have_count(4)
    await expect(page.locator("#companies")).to_contain_text("À jour")
    await axe(page)
    await shot(page, "portfolio")

    # Export: the CSV download holds the four companies.
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Exporter (CSV)").click()
    download = await waiting.value
    path = Path(await download.path())
    exported = list(csv.DictReader(io.StringIO(await asyncio.to_thread(path.read_text, encoding="utf-8-sig"))))
    assert {row["registration_number"] for row in exported} == {c.id.number for c in (french, belgian, german, spanish)}

    # Duplicate, edit the copy (renamed, inactive), delete it.
    await page.get_by_role("button", name="Dupliquer").click()
    await expect(page.get_by_text("Le portefeuille a été dupliqué.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Clients clés (copie)", level=1)).to_be_visible()
    await page.get_by_role("link", name="Modifier").click()
    await page.locator("#f-name").fill("Fournisseurs")
    await page.get_by_label("Actif (surveillé)").uncheck()
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.get_by_text("Le portefeuille a été enregistré.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Fournisseurs", level=1)).to_be_visible()
    await expect(page.locator("dt:has-text('État') + dd")).to_have_text("Inactif")
    await page.get_by_role("link", name="Supprimer").click()
    await expect(page.get_by_text("Supprimer le portefeuille Fournisseurs et ses 4 entreprises ?")).to_be_visible()
    await page.get_by_role("button", name="Supprimer").click()
    await expect(page.get_by_text("Le portefeuille a été supprimé.")).to_be_visible()
    await expect(page.get_by_role("link", name="Fournisseurs")).to_have_count(0)
    await expect(page.get_by_role("link", name="Clients clés")).to_be_visible()

    # Check new events: the progress bar runs to the end (htmx swaps the fragment in place).
    await page.goto(portfolio_url)
    await page.get_by_role("button", name="Vérifier nouveaux évènements").click()
    await expect(page.get_by_role("heading", name="Vérifier nouveaux évènements")).to_be_visible()
    check_url = page.url
    reloads: list[str] = []
    page.on("framenavigated", lambda frame: reloads.append(frame.url) if frame == page.main_frame else None)
    await expect(page.get_by_text("La vérification est terminée.")).to_be_visible(timeout=CHECK_TIMEOUT_MS)
    assert reloads == []  # the page was not reloaded: the fragment was swapped by htmx
    assert page.url == check_url
    await expect(page.locator("#check-bar")).to_have_attribute("value", "4")
    await expect(page.locator("#check-status")).to_contain_text("4 entreprises vérifiées sur 4")
    await axe(page)
    await shot(page, "check-done")

    # Two companies as stored two months ago: the next check finds their changes and raises alerts.
    for company in (french, german):
        await stored_two_months_ago(stack, company.id.key)
    await page.goto(portfolio_url)
    await page.get_by_role("button", name="Vérifier nouveaux évènements").click()
    await expect(page.get_by_text("La vérification est terminée.")).to_be_visible(timeout=CHECK_TIMEOUT_MS)
    news = page.get_by_role("table", name="Entreprises avec du nouveau")
    await expect(news).to_contain_text(french.id.key)
    await expect(news).to_contain_text(german.id.key)
    await page.locator("#check-progress").get_by_role("link", name="Retour au portefeuille").click()
    await expect(page.locator("#companies")).to_contain_text("Nouveaux évènements")

    # The alerts (identity files them in the mailbox from the bus: they arrive shortly after).
    async def alerts_shown() -> bool:
        await page.goto("/alerts")
        rows = page.locator("#alerts tbody tr")
        found = [
            await rows.filter(has=page.locator(f'a[href="/credit-files/{c.id.country}/{c.id.number}"]')).count()
            for c in (french, german)
        ]
        return all(found)

    await eventually(alerts_shown, timeout=90, interval=1)
    await expect(page.get_by_role("heading", name="Alertes")).to_be_visible()
    await axe(page)
    await shot(page, "alerts")
    await page.locator("#alerts tbody tr").first.get_by_role("link").first.click()
    await expect(page.get_by_role("link", name="Ouvrir le portefeuille")).to_be_visible()
    await page.get_by_role("link", name="Ouvrir le portefeuille").click()
    await expect(page.get_by_role("heading", name="Clients clés", level=1)).to_be_visible()
