"""Test data: a valid claim to start from, changed field by field in each test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from recovery.domain.claims import AddressInput, ClaimInput, DebtorInput, InvoiceInput
from recovery.domain.documents import ProofUpload

FILED_ON = date(2026, 3, 2)


def debtor(**changes: Any) -> DebtorInput:
    base = DebtorInput(
        kind="legal",
        name="Quincaillerie Lorraine SARL",
        siren="732829320",
        address=AddressInput(line1="12 rue Serpenoise", postcode="57000", city="Metz"),
        email="compta@quincaillerie.example",
        phone="03 87 00 00 00",
        trader=True,
    )
    return replace(base, **changes)


def invoice(number: str = "F-2026-001", amount_cents: int = 120_000, **changes: Any) -> InvoiceInput:
    base = InvoiceInput(number, issue_date=date(2026, 1, 5), due_date=date(2026, 2, 4), amount_cents=amount_cents)
    return replace(base, **changes)


def claim(**changes: Any) -> ClaimInput:
    base = ClaimInput(
        debtor=debtor(),
        cause="contract",
        invoices=(invoice(), invoice("F-2026-002", 80_000)),
        interest_cents=1_234,
        description="Fournitures livrées en janvier 2026",
    )
    return replace(base, **changes)


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def proof(name: str = "facture-F-2026-001.pdf", content: bytes = PDF) -> ProofUpload:
    return ProofUpload(name, content)
