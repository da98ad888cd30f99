"""The six rights and their constraints (DOMAIN.md, teams; source 004)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.events.teams import ContractKind, Right, right_covers_contract
from teams.domain.rights import (
    ALL_RIGHTS,
    BY_RIGHT,
    CATALOGUE,
    NEEDS_PROOF_OF_POWER,
    ProofKind,
    ProofOfPower,
    grant_problems,
    normalised,
)

TODAY = date(2026, 11, 23)
PROOF = ProofOfPower(
    kind=ProofKind.DELEGATION_OF_POWER,
    reference="DP-1",
    issued_on=date(2026, 11, 2),
    recorded_by="admin",
    recorded_at=datetime(2026, 11, 23, tzinfo=UTC),
)
rights_sets = st.sets(st.sampled_from(list(Right)))


def test_the_catalogue_names_the_six_rights_once_in_order() -> None:
    assert [d.number for d in CATALOGUE] == [1, 2, 3, 4, 5, 6]
    assert set(BY_RIGHT) == set(Right)
    assert len(CATALOGUE) == 6
    assert all(d.title and d.detail for d in CATALOGUE)


def test_bank_details_and_early_buyout_need_a_proof_of_power() -> None:
    assert {Right.CHANGE_BANK_DETAILS, Right.REQUEST_EARLY_BUYOUT} == NEEDS_PROOF_OF_POWER


@pytest.mark.parametrize("right", [Right.CHANGE_BANK_DETAILS, Right.REQUEST_EARLY_BUYOUT])
def test_granting_a_right_that_needs_proof_without_one_is_refused(right: Right) -> None:
    problems = grant_problems([Right.ACCESS_TREASURY, right], None, TODAY)
    assert len(problems) == 1
    assert str(right) in problems[0]
    assert "proof of power" in problems[0]
    assert grant_problems([Right.ACCESS_TREASURY, right], PROOF, TODAY) == []


def test_a_proof_issued_in_the_future_is_refused() -> None:
    future = ProofOfPower(PROOF.kind, "DP-2", date(2026, 12, 1), "admin", PROOF.recorded_at)
    assert any("future" in p for p in grant_problems([Right.CHANGE_BANK_DETAILS], future, TODAY))


@given(rights_sets)
def test_rights_without_proof_need_none(rights: set[Right]) -> None:
    assert (grant_problems(rights, None, TODAY) == []) == (not rights & NEEDS_PROOF_OF_POWER)


@given(rights_sets)
def test_normalised_rights_are_sorted_and_unique(rights: set[Right]) -> None:
    result = normalised([*rights, *rights])
    assert list(result) == sorted(rights)


def test_the_other_rights_cover_every_contract() -> None:
    for right in set(ALL_RIGHTS) - {Right.MANAGE_FUNDS, Right.REQUEST_EARLY_BUYOUT}:
        assert all(right_covers_contract(right, kind) for kind in ContractKind)
