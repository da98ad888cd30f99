from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import PersonKind
from identity.domain.accounts import Address, Civility, Registration, registration_problems, siren_of
from identity.domain.passwords import password_problems

GOOD = "Correct-Horse-9"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Aa1!", "at least 8 characters"),
        ("correct-horse-9", "upper-case"),
        ("CORRECT-HORSE-9", "lower-case"),
        ("Correct-Horse-", "digit"),
        ("CorrectHorse9", "special character"),
    ],
)
def test_each_missing_class_of_character_is_named(password: str, problem: str) -> None:
    assert any(problem in p for p in password_problems(password))


def test_a_password_with_every_class_passes() -> None:
    assert password_problems(GOOD) == []


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=0, max_size=40))
def test_without_a_special_character_no_password_passes(password: str) -> None:
    assert password_problems(password) != []


def registration(**changes: object) -> Registration:
    base: dict[str, object] = dict(
        email="a@b.fr",
        password=GOOD,
        password_confirmation=GOOD,
        person_kind=PersonKind.LEGAL,
        civility=None,
        last_name=None,
        first_name=None,
        company_name="ACME",
        legal_form="SAS",
        siret="73282932000074",
        address=Address(line="1 rue A", complement=None, postal_code="75001", city="Paris"),
    )
    base.update(changes)
    return Registration(**base)  # type: ignore[arg-type]


def test_a_complete_legal_person_is_accepted() -> None:
    assert registration_problems(registration()) == {}


def test_a_natural_person_needs_civility_and_names() -> None:
    problems = registration_problems(registration(person_kind=PersonKind.NATURAL, company_name=None))
    assert set(problems) == {"civility", "last_name", "first_name"}
    ok = registration(
        person_kind=PersonKind.NATURAL,
        civility=Civility.MRS,
        last_name="Durand",
        first_name="Marie",
        company_name=None,
        legal_form=None,
        siret=None,
    )
    assert registration_problems(ok) == {}


def test_siret_checksum_and_confirmation_are_checked() -> None:
    problems = registration_problems(registration(siret="73282932000075", password_confirmation="other"))
    assert set(problems) == {"siret", "password_confirmation"}


def test_la_poste_sirets_follow_their_own_rule() -> None:
    # La Poste's establishments (SIREN 356000000) fail Luhn but have a digit sum divisible by 5.
    assert registration_problems(registration(siret="35600000000048")) == {}


def test_the_siren_is_the_first_nine_digits() -> None:
    assert siren_of("73282932000074") == "732829320"
    assert siren_of(None) is None
