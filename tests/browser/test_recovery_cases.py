"""Seed 001, the creditor's recovery cases in a browser: filing without a signed mandate is refused
with the way to the mandate; once onboarded, a claim above 5,000.00 EUR and a proof that is no PDF
are refused next to their fields; the case filed with its invoice goes to a Metz commissaire; the
list shows it with its status, its page the timeline with French dates, the proof downloads as
filed, and once the commissaire accepts (their desk is its own test) the plain letter downloads
as a PDF naming the debtor and the amount."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import login, new_email, onboarded_creditor
from tests.browser.recovery_pages import attach, error_of, fill_claim, proof, reload_until
from tests.e2e.helpers import activated_creditor
from tests.e2e.recovery_helpers import INVOICE_PDF, commissaire_headers, pdf_text
from tests.polling import eventually

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
METZ_OFFICES = {"sample-metz-1", "sample-metz-2", "sample-metz-3"}
# A French date as Babel writes it for fr (e.g. "2 déc. 2026").
FRENCH_DATE = re.compile(r"\b\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}\b")


async def open_filing_form(page: Page) -> None:
    await page.get_by_role("link", name="Mes dossiers").first.click()
    await expect(page.get_by_role("heading", name="Mes dossiers de recouvrement")).to_be_visible()
    await page.get_by_role("link", name="Déposer un nouveau dossier").click()
    await expect(page.get_by_role("heading", name="Déposer un dossier de recouvrement")).to_be_visible()


async def submit_past_the_mandate(page: Page, files: list[Path]) -> None:
    """Send the filing form; billing's MandateSigned reaches recovery's view asynchronously, so
    until then the page says the mandate is missing: the creditor sends it again."""

    async def past_the_mandate() -> bool:
        await attach(page, files)
        await page.get_by_role("button", name="Déposer le dossier").click()
        await expect(page.get_by_role("heading", name=re.compile("Déposer un dossier|Dossier contre"))).to_be_visible()
        return await page.locator("#mandate-required").count() == 0

    await eventually(past_the_mandate, timeout=60)


async def test_filing_without_a_mandate_shows_where_to_sign(
    page: Page, running_services: Stack, http: httpx.AsyncClient, tmp_path: Path, shot: Shot, axe: Axe
) -> None:
    email, _ = await activated_creditor(running_services, http)  # no mandate signed
    await login(page, email)
    await open_filing_form(page)
    await axe(page)
    await shot(page, "filing-form")
    await fill_claim(page, new_email())
    await attach(page, [proof(tmp_path)])
    await page.get_by_role("button", name="Déposer le dossier").click()

    refusal = page.locator("#mandate-required")
    await expect(refusal).to_contain_text("mandat de prélèvement SEPA signé")
    link = refusal.get_by_role("link", name="Signer le mandat de prélèvement SEPA")
    assert await link.get_attribute("href") == "/onboarding"
    # what was typed is kept
    await expect(page.get_by_label("Raison sociale ou nom")).to_have_value("Quincaillerie Lorraine SARL")
    await axe(page)
    await shot(page, "mandate-required")


async def test_a_case_filed_followed_and_its_letters_downloaded(
    page: Page, running_services: Stack, http: httpx.AsyncClient, tmp_path: Path, shot: Shot, axe: Axe
) -> None:
    stack = running_services
    email, auth = await onboarded_creditor(stack, http)
    await login(page, email)
    await open_filing_form(page)
    debtor_email = new_email()
    # Above the ceiling (4,900.00 + 100.01 of interest) and a "PDF" that is an executable.
    await fill_claim(page, debtor_email, invoices=[("F-1", "2026-01-05", "2026-02-04", "4 900,00")], interest="100,01")
    bad = proof(tmp_path, "facture.pdf", b"MZ\x90\x00 an executable")
    await submit_past_the_mandate(page, [bad])
    await expect(error_of(page, "f-invoices")).to_contain_text("5\u202f000,00")
    await expect(error_of(page, "f-documents")).to_contain_text("facture.pdf")
    assert await page.locator("#f-documents").get_attribute("aria-invalid") == "true"
    await expect(page.locator(".error-summary")).to_be_visible()
    await axe(page)
    await shot(page, "refused-next-to-the-fields")

    # corrected: the two invoices of 2,012.34 EUR in all, the invoice PDF
    await fill_claim(page, debtor_email)
    await submit_past_the_mandate(page, [proof(tmp_path)])
    await expect(page.get_by_text("Votre dossier a été déposé.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Dossier contre Quincaillerie Lorraine SARL")).to_be_visible()
    case_id = page.url.split("/cases/", 1)[1].split("/")[0].split("?")[0]
    await expect(page.get_by_text("Chez le commissaire, en attente d'acceptation").first).to_be_visible()
    timeline = page.locator("ol.timeline")
    await expect(timeline).to_contain_text("Dossier déposé")
    await expect(timeline).to_contain_text("Attribué à une étude de commissaire de justice")
    assert FRENCH_DATE.search(await timeline.inner_text()), await timeline.inner_text()
    await expect(page.locator(".amounts")).to_contain_text("2\u202f012,34\xa0€")
    await axe(page)
    await shot(page, "case-timeline")

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Justificatif")).click()
    download = await download_info.value
    saved = tmp_path / "downloaded-proof.pdf"
    await download.save_as(saved)
    assert saved.read_bytes() == INVOICE_PDF

    # the list of cases, with its status
    await page.get_by_role("link", name="Retour à mes dossiers").click()
    row = page.get_by_role("row").filter(has_text="Quincaillerie Lorraine SARL")
    await expect(row.first).to_contain_text("Chez le commissaire")
    await expect(row.first).to_contain_text("2\u202f012,34")
    await axe(page)
    await shot(page, "cases-list")

    # the commissaire of the office accepts (the desk is test_commissaire_desk's journey)
    case = (await http.get(f"/api/recovery/cases/{case_id}", headers=auth)).json()
    assert case["office_id"] in METZ_OFFICES
    commissaire = await commissaire_headers(stack, http, case["office_id"])
    accepted = await http.post(f"/api/recovery/office/cases/{case_id}/acceptance", headers=commissaire)
    assert accepted.status_code == 200, accepted.text

    await page.get_by_role("link", name="Quincaillerie Lorraine SARL").first.click()
    await reload_until(page, "Lettre simple (phase amiable)")
    await expect(page.get_by_text("Phase amiable : lettre simple envoyée").first).to_be_visible()
    await expect(page.locator("ol.timeline")).to_contain_text("Lettre simple et email envoyés au débiteur")
    async with page.expect_download() as letter_info:
        await page.get_by_role("link", name=re.compile("Lettre simple")).click()
    letter = await letter_info.value
    letter_path = tmp_path / "amicable.pdf"
    await letter.save_as(letter_path)
    content = letter_path.read_bytes()
    text = pdf_text(content)
    for detail in ("Quincaillerie Lorraine SARL", "12 rue Serpenoise", "2 012,34"):
        assert detail in text, f"{detail!r} not in the downloaded letter"
    assert hashlib.sha256(content).hexdigest() in [
        d["sha256"]
        for d in (await http.get(f"/api/recovery/office/cases/{case_id}", headers=commissaire)).json()["documents"]
    ]
    await shot(page, "case-amicable")
