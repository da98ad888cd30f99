"""The debtor space on a phone, reached by the link of the mail that goes with the plain letter:
the code is read from the link's fragment, the claim shows its invoices, amounts and documents,
the letter downloads, and the answer forms wait for the registered letter (the stack's clock is
not moved here); a link that is no longer valid gets its message; an empty code is refused next
to its field."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from devstack.stack import Stack
from tests.browser.helpers import inbox, new_email, onboarded_creditor, portal_link
from tests.browser.recovery_pages import error_of
from tests.e2e.recovery_helpers import INVOICE_PDF, case_when, claim, commissaire_headers, filing_form, pdf_text
from tests.polling import eventually

Shot = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]


async def accepted_case(stack: Stack, http: httpx.AsyncClient, debtor_email: str) -> dict[str, Any]:
    """API shortcuts (the creditor's filing and the commissaire's acceptance are the other two
    journeys): a case against the Metz hardware shop in its amicable phase."""
    _, auth = await onboarded_creditor(stack, http)
    body = claim(debtor_email)
    path = f"/api/recovery/cases/{body['case_id']}"

    async def filed() -> httpx.Response | None:
        answer = await http.post("/api/recovery/cases", headers=auth, **filing_form(body))
        return None if answer.status_code == 409 else answer

    assert (await eventually(filed)).status_code == 201
    case = await case_when(http, path, auth, lambda c: c["phase"] == "assigned")
    commissaire = await commissaire_headers(stack, http, case["office_id"])
    accepted = await http.post(f"/api/recovery/office/cases/{body['case_id']}/acceptance", headers=commissaire)
    assert accepted.status_code == 200, accepted.text
    return await case_when(http, path, auth, lambda c: c["phase"] == "amicable")


async def test_the_debtor_reads_the_claim_from_the_mailed_link(
    phone_page: Page, running_services: Stack, http: httpx.AsyncClient, tmp_path: Path, shot: Shot, axe: Axe
) -> None:
    page = phone_page
    stack = running_services
    debtor_email = new_email()
    await accepted_case(stack, http, debtor_email)

    mail = await inbox(stack, debtor_email)
    link = portal_link(mail, "/debtor-space")
    await page.goto(link)  # the page reads the code from the fragment and opens the claim
    await expect(page.get_by_role("heading", name="La créance qui vous est réclamée")).to_be_visible()
    invoices = page.get_by_role("table", name="Factures")
    assert "#" not in page.url  # the fragment is gone from the address bar
    await expect(invoices).to_contain_text("F-2026-001")
    await expect(invoices).to_contain_text("1\u202f200,00\xa0€")
    await expect(page.locator(".amounts")).to_contain_text("2\u202f012,34\xa0€")
    await expect(
        page.get_by_text("Les formulaires de réponse s'ouvrent avec la lettre recommandée", exact=False)
    ).to_be_visible()
    await axe(page)
    await shot(page, "claim")

    async with page.expect_download() as proof_info:
        await page.get_by_role("button", name=re.compile("Justificatif")).click()
    proof = tmp_path / "proof.pdf"
    await (await proof_info.value).save_as(proof)
    assert proof.read_bytes() == INVOICE_PDF
    async with page.expect_download() as letter_info:
        await page.get_by_role("button", name=re.compile("Lettre simple")).click()
    letter = tmp_path / "letter.pdf"
    await (await letter_info.value).save_as(letter)
    text = pdf_text(letter.read_bytes())
    assert "Quincaillerie Lorraine SARL" in text
    assert "2 012,34" in text

    # a link no longer valid (here: not the mailed one) gets one message, whatever the reason
    await page.goto("about:blank")  # a new page load: the same page with another fragment would not reload
    await page.goto(link + "x")
    await expect(page.get_by_text("Ce lien a déjà été utilisé ou a expiré.")).to_be_visible()
    await axe(page)
    await shot(page, "link-gone")

    # without the link's fragment (or JavaScript) the person pastes the code; none: said next to the field
    await page.goto("/debtor-space")
    await expect(page.get_by_label("Code d'accès")).to_be_visible()
    await axe(page)
    await shot(page, "paste-the-code")
    await page.get_by_role("button", name="Voir la créance").click()
    await expect(error_of(page, "f-token")).to_contain_text("Collez le code d'accès")
