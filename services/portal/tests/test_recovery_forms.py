"""The recovery pages' own rules: amounts as people type them, the filing form -> recovery's
`ClaimIn`, the API's error locations -> the form's field names."""

from __future__ import annotations

import pytest

from portal.pages.cases import claim_of
from portal.pages.recovery import form_field, parse_euros


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("2 012,34", 201234),
        ("2\u202f012,34 €", 201234),
        ("2012.34", 201234),
        ("2.012,34", 201234),
        ("2,012.34", 201234),
        ("150", 15000),
        ("0,5", 50),
        ("5000,00 EUR", 500000),
    ],
)
def test_an_amount_as_typed(typed: str, cents: int) -> None:
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "-12", "12,345", "1e3", "12,3,4"])
def test_what_is_no_amount(typed: str) -> None:
    assert parse_euros(typed) is None


@pytest.mark.parametrize(
    ("location", "name"),
    [
        ("debtor.siren", "debtor.siren"),
        ("claim.debtor.address.postcode", "debtor.address.postcode"),
        ("invoices[1].amount_cents", "invoices.1.amount"),
        ("claim.invoices.0.issue_date", "invoices.0.issue_date"),
        ("interest_cents", "interest"),
        ("documents[0]", "documents"),
        ("documents[2].name", "documents"),
        ("body.proposed_amount_cents", "proposed_amount"),
        ("invoices", "invoices"),
        ("body", ""),
        ("claim", ""),
    ],
)
def test_the_api_field_under_its_form_name(location: str, name: str) -> None:
    assert form_field(location) == name


FORM = {
    "case_id": "c-0123456789abcdef",
    "debtor.kind": "legal",
    "debtor.name": "Quincaillerie Lorraine SARL",
    "debtor.siren": "732829320",
    "debtor.address.line1": "12 rue Serpenoise",
    "debtor.address.postcode": "57000",
    "debtor.address.city": "Metz",
    "debtor.email": "compta@example.org",
    "debtor.trader": "yes",
    "cause": "contract",
    "invoices.0.number": "F-2026-001",
    "invoices.0.issue_date": "2026-01-05",
    "invoices.0.due_date": "2026-02-04",
    "invoices.0.amount": "1 200,00",
    "invoices.1.number": "",
    "interest": "12,34",
    "description": " Fournitures ",
}


def test_the_filing_form_is_the_api_claim() -> None:
    claim, errors = claim_of(FORM)
    assert errors == {}
    assert claim["case_id"] == "c-0123456789abcdef"
    assert claim["debtor"]["kind"] == "legal"
    assert claim["debtor"]["siren"] == "732829320"
    assert claim["debtor"]["trader"] is True
    assert claim["debtor"]["address"] == {
        "line1": "12 rue Serpenoise",
        "line2": "",
        "postcode": "57000",
        "city": "Metz",
    }
    assert claim["invoices"] == [
        {"number": "F-2026-001", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount_cents": 120000}
    ]
    assert claim["interest_cents"] == 1234
    assert claim["description"] == "Fournitures"
    assert "creditor_address" not in claim  # none typed: identity's address is used


def test_a_natural_person_has_no_siren_and_a_creditor_address_is_sent_when_typed() -> None:
    form = {
        **FORM,
        "debtor.kind": "natural",
        "debtor.first_name": "Jean",
        "creditor_address.line1": "1 avenue des Champs",
        "creditor_address.postcode": "75008",
        "creditor_address.city": "Paris",
    }
    claim, _ = claim_of(form)
    assert claim["debtor"]["siren"] == ""
    assert claim["debtor"]["first_name"] == "Jean"
    assert claim["creditor_address"]["city"] == "Paris"


def test_an_unreadable_amount_is_named_by_its_field() -> None:
    _, errors = claim_of({**FORM, "invoices.0.amount": "douze euros", "interest": "-3"})
    assert set(errors) == {"invoices.0.amount", "interest"}


def test_a_blank_date_goes_to_the_api_as_missing() -> None:
    claim, _ = claim_of({**FORM, "invoices.0.due_date": ""})
    assert claim["invoices"][0]["due_date"] is None
