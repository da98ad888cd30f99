from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity.domain.leaked import shipped
from identity.domain.passwords import (
    contains_local_part,
    is_common,
    new_password_problems,
    password_problems,
)


def test_the_offline_list_is_shipped_and_large() -> None:
    listed = shipped()
    assert len(listed) >= 10_000
    assert all(password in listed for password in ("123456", "password", "qwerty"))


@pytest.mark.parametrize(
    "password", ["Password1!", "P@ssword1", "Qwerty123!", "Sunshine-2024", "!!Dragon99", "Sup3rman!"]
)
def test_leaked_passwords_dressed_up_for_the_rules_are_refused(password: str) -> None:
    assert any("common" in problem for problem in password_problems(password))


def test_a_password_that_is_not_listed_passes() -> None:
    assert not is_common("Correct-Horse-9")
    assert password_problems("Correct-Horse-9") == []


def test_a_very_short_core_is_not_matched_against_the_list() -> None:
    assert not is_common("ab!!", frozenset({"ab"}))


def test_the_email_local_part_is_refused_in_any_case() -> None:
    problems = password_problems("Xx-MarieDurand-9", "marie.durand@example.fr")
    assert problems == []  # the local part with its dot is not in there
    problems = password_problems("Xx-Marie.Durand-9", "marie.durand@example.fr")
    assert "must not contain your email address" in problems


def test_a_short_local_part_is_ignored() -> None:
    assert not contains_local_part("Ab-cdefg-9", "ab@example.fr")
    assert not contains_local_part("Ab-cdefg-9", None)


@given(st.text(min_size=3, max_size=12, alphabet="abcdefghijklmnopqrstuvwxyz"))
def test_a_password_containing_the_local_part_never_passes(local: str) -> None:
    password = f"Zz-{local.upper()}-9"
    assert contains_local_part(password, f"{local}@example.fr")


def test_new_password_problems_name_both_fields() -> None:
    errors = new_password_problems("short", "other", "a@b.fr")
    assert set(errors) == {"password", "password_confirmation"}
    assert new_password_problems("Correct-Horse-9", "Correct-Horse-9", "marie@example.fr") == {}
