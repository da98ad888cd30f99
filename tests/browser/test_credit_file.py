"""Seed 003's credit file in a browser, on the real stack: a credit manager searches a company,
is told a provider account is needed and connects one (a refused password shown next to its
field), opens the company's file with its rating, score, limit, trends and the two monthly charts
(a score never drawn above 100, the figures in a table too), updates it by hand, and without an
account is told clearly why the manual update cannot run."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from ratings.adapters.providers import LocalProvider
from ratings.adapters.providers.local import REFUSED_PASSWORD
from ratings.settings import RatingsSettings
from tests.browser.helpers import activated_account, login

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
DIRECTORY = LocalProvider(companies_per_country=RatingsSettings().local_provider_companies_per_country).directory


async def test_a_credit_manager_opens_a_credit_file_with_its_monthly_charts(
    page: Page, running_services: Stack, http: httpx.AsyncClient, shot: Shot, axe: Axe
) -> None:
    company = DIRECTORY.in_country("FR")[11]
    email = await activated_account(running_services, http)
    await login(page, email)

    # The search needs the person's provider account: the page says so and links to it.
    await (
        page.get_by_role("navigation", name="Navigation principale")
        .get_by_role("link", name="Fiches de crédit")
        .click()
    )
    await expect(page.get_by_role("heading", name="Fiches de crédit")).to_be_visible()
    await page.get_by_label("Numéro d'immatriculation").fill(company.id.number)
    await page.get_by_role("button", name="Rechercher").click()
    await expect(
        page.get_by_text("Un compte fournisseur est nécessaire pour rechercher des entreprises.")
    ).to_be_visible()
    await page.get_by_role("link", name="Connecter votre compte fournisseur").click()

    # The provider refuses the password: the API's error is shown next to the password field.
    await expect(page.get_by_role("heading", name="Compte fournisseur")).to_be_visible()
    await page.get_by_label("Identifiant du fournisseur").fill("jeanne.martin@example.fr")
    await page.get_by_label("Mot de passe du fournisseur").fill(REFUSED_PASSWORD)
    await page.get_by_role("button", name="Connecter", exact=True).click()
    password = page.locator("#f-password")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-password-error")).to_be_visible()
    assert "f-password-error" in (await password.get_attribute("aria-describedby") or "")
    await axe(page)
    await shot(page, "provider-account-refused")
    await page.get_by_label("Mot de passe du fournisseur").fill("mon-mot-de-passe")
    await page.get_by_role("button", name="Connecter", exact=True).click()
    await expect(page.get_by_text("Votre compte fournisseur est connecté.")).to_be_visible()

    # Back on the search: by number, then the company's file.
    await expect(page.get_by_role("heading", name="Fiches de crédit")).to_be_visible()
    await page.get_by_label("Numéro d'immatriculation").fill(company.id.number)
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("link", name=company.name).click()
    await expect(page.get_by_role("heading", name=company.name, level=1)).to_be_visible()
    await expect(page.get_by_text("Dernière mise à jour")).to_be_visible()
    for label in (
        "Tendance de rentabilité",
        "Tendance de liquidité",
        "Tendance de valeur nette",
        "Tendance de paiement",
    ):
        await expect(page.get_by_text(label)).to_be_visible()
    rating = await page.locator("dt:has-text('Notation') + dd").inner_text()
    assert re.match(r"^(A|B|C|D|E|NR) Risque|^(A|B|C|D|E|NR) Non noté", rating), rating

    # Two charts, one point per month (24 months and more); no score point above the 100 line.
    score_chart = page.get_by_role("img", name="Score national, par mois")
    limit_chart = page.get_by_role("img", name="Limite de crédit, par mois")
    await expect(score_chart).to_be_visible()
    await expect(limit_chart).to_be_visible()
    frame_top = float(await page.locator("#score-chart line.chart-grid").last.get_attribute("y1") or "nan")
    tops = await page.locator("#score-chart circle").evaluate_all("cs => cs.map(c => Number(c.getAttribute('cy')))")
    assert len(tops) >= 24
    assert all(y >= frame_top for y in tops), (frame_top, tops)
    # The same figures in a table, for screen readers and anyone who wants the numbers.
    await page.get_by_text("Les chiffres des graphiques en tableau").click()
    table = page.locator("#history-table")
    await expect(table).to_be_visible()
    rows = await table.locator("tbody tr").all_inner_texts()
    assert len(rows) == len(tops) + sum("pas de données" in r.split("\t")[1] for r in rows)
    scores = [int(m.group(1)) for r in rows if (m := re.search(r"\t(\d+)/100\t", r))]
    assert scores
    assert all(0 <= s <= 100 for s in scores)
    await axe(page)
    await shot(page, "credit-file")

    # The manual update.
    await page.get_by_role("button", name="Mise à jour manuelle").click()
    await expect(page.get_by_text("La fiche a été mise à jour auprès du fournisseur.")).to_be_visible()
    await expect(page.get_by_role("heading", name=company.name, level=1)).to_be_visible()

    # Usable on a phone's width: nothing wider than the screen.
    await page.set_viewport_size({"width": 375, "height": 812})
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 375
    await shot(page, "credit-file-phone")
    await page.set_viewport_size({"width": 1280, "height": 900})

    # Without a provider account, the manual update is refused (409) and the page says why.
    file_url = page.url
    await page.goto("/provider-account")
    await page.get_by_role("button", name="Déconnecter", exact=True).click()
    await expect(page.get_by_text("Votre compte fournisseur a été déconnecté.")).to_be_visible()
    await page.goto(file_url)
    await page.get_by_role("button", name="Mise à jour manuelle").click()
    await expect(page.get_by_text("Un compte fournisseur est nécessaire pour cela.")).to_be_visible()
    await expect(page.get_by_role("link", name="Connecter votre compte fournisseur")).to_be_visible()
    await axe(page)
    await shot(page, "manual-update-without-account")
