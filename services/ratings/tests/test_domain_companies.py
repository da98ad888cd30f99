"""Companies: country and registration number, checked where python-stdnum knows the register."""

from __future__ import annotations

import pytest

from ratings.domain.companies import CompanyId
from ratings.domain.errors import RuleViolations


def codes(error: pytest.ExceptionInfo[RuleViolations]) -> list[str]:
    return [v.code for v in error.value.violations]


def test_a_french_siren_is_checked_and_compacted() -> None:
    company = CompanyId.parse("fr", "732 829 320")
    assert company == CompanyId("FR", "732829320")
    assert company.key == "FR-732829320"
    assert company.checked


def test_a_siret_names_the_company_of_its_establishment() -> None:
    assert CompanyId.parse("FR", "73282932000074") == CompanyId("FR", "732829320")


def test_a_wrong_check_digit_is_named() -> None:
    with pytest.raises(RuleViolations) as error:
        CompanyId.parse("FR", "732829321")
    assert codes(error) == ["bad-checksum"]


@pytest.mark.parametrize(
    ("country", "number", "compact"),
    [
        ("BE", "BE 0403.019.261", "0403019261"),
        ("ES", "A13585625", "A13585625"),
        ("IT", "00743110157", "00743110157"),
        ("GB", "SC123456", "SC123456"),
        ("GB", "1234567", "01234567"),
    ],
)
def test_other_registers_python_stdnum_knows(country: str, number: str, compact: str) -> None:
    assert CompanyId.parse(country, number).number == compact


def test_a_register_without_a_checker_keeps_the_number_as_given() -> None:
    company = CompanyId.parse("de", " hrb 12345 ")
    assert company == CompanyId("DE", "HRB 12345")
    assert not company.checked


def test_every_problem_at_once() -> None:
    with pytest.raises(RuleViolations) as error:
        CompanyId.parse("XX", "")
    assert codes(error) == ["unknown-country", "missing-number"]


def test_a_number_with_control_characters_is_refused() -> None:
    with pytest.raises(RuleViolations) as error:
        CompanyId.parse("DE", "HRB\r\n12345")
    assert codes(error) == ["bad-number"]


def test_keys_round_trip() -> None:
    company = CompanyId.parse("FR", "356000000")
    assert CompanyId.from_key(company.key) == company
    with pytest.raises(RuleViolations):
        CompanyId.from_key("356000000")
