"""The claim's rules (R125-1 ceiling, cause, due invoices, debtor), every failure reported at once."""

from __future__ import annotations

from datetime import date

import pytest

from recovery.domain.claims import (
    CEILING_CENTS,
    AddressInput,
    ClaimCause,
    ClaimRefused,
    PersonKind,
    accept_claim,
    department_of,
)
from services.recovery.tests.builders import FILED_ON, claim, debtor, invoice


def refused_codes(**changes: object) -> set[str]:
    with pytest.raises(ClaimRefused) as refused:
        accept_claim(claim(**changes), FILED_ON)
    return refused.value.codes


def test_a_valid_claim_is_accepted_with_its_department_and_totals() -> None:
    accepted = accept_claim(claim(), FILED_ON)
    assert accepted.debtor.kind is PersonKind.LEGAL
    assert accepted.debtor.address.department == "57"
    assert accepted.cause is ClaimCause.CONTRACT
    assert (accepted.principal_cents, accepted.interest_cents, accepted.total_cents) == (200_000, 1_234, 201_234)
    assert accepted.debtor.phone == "0387000000"


def test_principal_plus_interest_of_exactly_5000_euros_is_accepted() -> None:
    accepted = accept_claim(claim(invoices=(invoice(amount_cents=490_000),), interest_cents=10_000), FILED_ON)
    assert accepted.total_cents == CEILING_CENTS == 500_000


def test_one_cent_above_5000_euros_is_refused_naming_r125_1() -> None:
    with pytest.raises(ClaimRefused) as refused:
        accept_claim(claim(invoices=(invoice(amount_cents=490_000),), interest_cents=10_001), FILED_ON)
    (violation,) = refused.value.violations
    assert violation.code == "ceiling-exceeded"
    assert violation.source == "CPCE R125-1"
    assert "(5,000.01 EUR)" in violation.message_en
    assert "(5\u202f000,01 EUR)" in violation.message_fr


def test_interest_alone_can_push_the_claim_over_the_ceiling() -> None:
    assert refused_codes(invoices=(invoice(amount_cents=CEILING_CENTS),), interest_cents=1) == {"ceiling-exceeded"}


@pytest.mark.parametrize("cause", ["tort", "", "CONTRACT", "delict"])
def test_only_a_contract_or_a_statutory_obligation_is_covered(cause: str) -> None:
    assert refused_codes(cause=cause) == {"cause-not-covered"}


def test_a_statutory_obligation_is_covered() -> None:
    assert accept_claim(claim(cause="statutory_obligation"), FILED_ON).cause is ClaimCause.STATUTORY_OBLIGATION


def test_an_invoice_due_on_the_filing_day_is_not_yet_past_due() -> None:
    assert refused_codes(invoices=(invoice(due_date=FILED_ON),)) == {"invoice-not-due"}
    accept_claim(claim(invoices=(invoice(due_date=date(2026, 3, 1)),)), FILED_ON)


def test_every_failed_rule_is_reported_at_once() -> None:
    codes = refused_codes(
        cause="tort",
        interest_cents=-1,
        invoices=(
            invoice("A", amount_cents=0),
            invoice("A", issue_date=date(2026, 5, 1), due_date=date(2026, 4, 1)),
        ),
        debtor=debtor(siren="732829321", email="not-an-email", phone="12", name=" "),
    )
    assert codes == {
        "cause-not-covered",
        "interest-negative",
        "amount-not-positive",
        "invoice-number-duplicate",
        "invoice-issued-after-due",
        "invoice-issued-in-future",
        "invoice-not-due",
        "siren-invalid",
        "email-invalid",
        "phone-invalid",
        "required",
    }


def test_each_violation_names_its_field_in_french_and_english() -> None:
    with pytest.raises(ClaimRefused) as refused:
        accept_claim(claim(invoices=()), FILED_ON)
    (violation,) = refused.value.violations
    assert (violation.code, violation.field) == ("invoice-required", "invoices")
    assert violation.message_fr
    assert violation.message_en
    assert violation.message_fr != violation.message_en


def test_a_legal_person_needs_a_siren_a_natural_person_does_not() -> None:
    assert refused_codes(debtor=debtor(siren="")) == {"siren-required"}
    natural = accept_claim(claim(debtor=debtor(kind="natural", name="Durand", first_name="Marie", siren="")), FILED_ON)
    assert natural.debtor.display_name == "Marie Durand"
    assert refused_codes(debtor=debtor(kind="company")) == {"debtor-kind-invalid"}


def test_the_siren_is_checked_by_luhn_and_compacted() -> None:
    assert accept_claim(claim(debtor=debtor(siren="732 829 320")), FILED_ON).debtor.siren == "732829320"


def test_the_phone_is_optional() -> None:
    assert accept_claim(claim(debtor=debtor(phone="")), FILED_ON).debtor.phone == ""
    assert accept_claim(claim(debtor=debtor(phone="+262 692 12 34 56")), FILED_ON).debtor.phone == "+262692123456"


def test_control_characters_are_refused_in_free_text() -> None:
    assert refused_codes(debtor=debtor(name="ACME\x00")) == {"control-characters"}


@pytest.mark.parametrize(
    ("postcode", "department"),
    [
        ("57000", "57"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97100", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97500", "975"),
        ("97600", "976"),
        ("97133", "977"),
        ("97150", "978"),
        ("75116", "75"),
    ],
)
def test_the_department_derives_from_the_postcode(postcode: str, department: str) -> None:
    assert department_of(postcode) == department


@pytest.mark.parametrize("postcode", ["98000", "98800", "00100", "96000", "97700"])
def test_a_postcode_outside_the_french_departments_is_refused(postcode: str) -> None:
    address = AddressInput(line1="1 avenue Princesse Grace", postcode=postcode, city="Ailleurs")
    assert refused_codes(debtor=debtor(address=address)) == {"address-outside-france"}


@pytest.mark.parametrize("postcode", ["5700", "57OOO", "570000", ""])
def test_a_malformed_postcode_is_refused(postcode: str) -> None:
    address = AddressInput(line1="1 rue", postcode=postcode, city="Metz")
    assert refused_codes(debtor=debtor(address=address)) == {"postcode-invalid"}
