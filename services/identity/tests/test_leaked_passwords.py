"""The compact leaked-password list (identity.domain.leaked): the same answers as zxcvbn's list."""

from __future__ import annotations

import random
import string

from hypothesis import given
from hypothesis import strategies as st
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

from identity.domain.leaked import LeakedPasswords, from_zxcvbn, shipped

LISTED: list[str] = list(FREQUENCY_LISTS["passwords"])
AS_SET = frozenset(LISTED)


def test_the_shipped_file_is_zxcvbn_s_list() -> None:
    # A changed zxcvbn list, or a hand-edited file, fails here: rebuild with `python -m identity.domain.leaked`.
    assert shipped().to_bytes() == from_zxcvbn().to_bytes()


def test_every_listed_password_is_found() -> None:
    compact = shipped()
    assert len(compact) == len(AS_SET) == 30_000
    assert all(password in compact for password in LISTED)


def test_it_takes_8_bytes_a_password() -> None:
    assert shipped().nbytes == 8 * len(AS_SET)


def test_unlisted_passwords_are_not_found() -> None:
    compact = shipped()
    picker = random.Random(14)
    unlisted = ["".join(picker.choices(string.ascii_letters + string.digits, k=12)) for _ in range(20_000)]
    assert [p for p in unlisted if p in compact] == [p for p in unlisted if p in AS_SET] == []


@given(st.text(max_size=30))
def test_membership_agrees_with_the_set_of_strings(candidate: str) -> None:
    assert (candidate in shipped()) == (candidate in AS_SET)


def test_round_trip_through_bytes_and_non_strings() -> None:
    small = LeakedPasswords.of(["alpha", "beta"])
    again = LeakedPasswords.from_bytes(small.to_bytes())
    assert "alpha" in again
    assert "beta" in again
    assert "gamma" not in again
    assert 1 not in again
