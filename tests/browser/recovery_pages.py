"""What the recovery browser tests share: the filing form filled as a creditor fills it, the
case's page read until the stack has moved it on, a mail's link opened as a person opens it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from playwright.async_api import Locator, Page

from tests.e2e.recovery_helpers import INVOICE_PDF
from tests.polling import eventually

# The Metz hardware shop of the e2e tests owes two invoices: 2,012.34 EUR in all.
INVOICES = (
    ("F-2026-001", "2026-01-05", "2026-02-04", "1 200,00"),
    ("F-2026-002", "2026-01-12", "2026-02-11", "800,00"),
)


def proof(tmp_path: Path, name: str = "facture-F-2026-001.pdf", content: bytes = INVOICE_PDF) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def exactly(label: str) -> re.Pattern[str]:
    """A label as shown, with or without the mark of a required field."""
    return re.compile(rf"^{re.escape(label)}\s*\*?$")


def group(page: Page, legend: str) -> Locator:
    return page.get_by_role("group", name=legend, exact=True)


async def fill_claim(
    page: Page,
    debtor_email: str,
    invoices: Sequence[tuple[str, str, str, str]] = INVOICES,
    interest: str = "12,34",
) -> None:
    """The filing form, typed field by field as the creditor reads it (French labels)."""
    debtor = group(page, "Le débiteur")
    await debtor.get_by_label("Une personne morale (société)").check()
    await debtor.get_by_label("Raison sociale ou nom").fill("Quincaillerie Lorraine SARL")
    await debtor.get_by_label("SIREN (personne morale)").fill("732829320")
    await debtor.get_by_label(exactly("Adresse")).fill("12 rue Serpenoise")
    await debtor.get_by_label("Code postal").fill("57000")
    await debtor.get_by_label("Ville").fill("Metz")
    await debtor.get_by_label("Email du débiteur").fill(debtor_email)
    await debtor.get_by_label("Téléphone du débiteur").fill("03 87 75 12 34")
    await debtor.get_by_label("Le débiteur est commerçant").check()
    await page.get_by_label("Origine de la créance").select_option("contract")
    for i, (number, issued, due, amount) in enumerate(invoices):
        row = group(page, f"Facture {i + 1}")
        await row.get_by_label("Numéro de facture").fill(number)
        await row.get_by_label("Date d'émission").fill(issued)
        await row.get_by_label("Date d'échéance").fill(due)
        await row.get_by_label("Montant en euros").fill(amount)
    await page.get_by_label("Intérêts en euros").fill(interest)
    await page.get_by_label("Objet de la créance").fill("Fournitures de quincaillerie livrées en janvier 2026")
    creditor = group(page, "Votre adresse postale pour les courriers")
    await creditor.get_by_label(exactly("Adresse")).fill("1 avenue des Champs")
    await creditor.get_by_label("Code postal").fill("75008")
    await creditor.get_by_label("Ville").fill("Paris")


async def attach(page: Page, files: Sequence[Path]) -> None:
    await page.get_by_label("Factures, contrat, relances").set_input_files(list(files))


def error_of(page: Page, field_id: str) -> Locator:
    """The error shown next to a field (tied to it by aria-describedby)."""
    return page.locator(f"#{field_id}-error")


async def reload_until(page: Page, text: str, timeout: float = 90) -> None:
    """Reload the page (a person pressing F5) until it shows `text`: the bus and the sweeper
    move a case asynchronously."""

    async def shown() -> bool:
        await page.reload()
        return await page.get_by_text(text).count() > 0

    await eventually(shown, timeout=timeout)
