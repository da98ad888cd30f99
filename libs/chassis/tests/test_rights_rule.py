"""Whether a held right may be used, on a contract of a kind: the rule every service's rights view
applies (`chassis.rights.may_act`; teams only grants the rights)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chassis.rights import may_act
from contracts.events.teams import ContractKind, Right, right_covers_contract

rights_sets = st.sets(st.sampled_from(list(Right)))


def test_fund_operations_apply_to_club_contracts_only() -> None:
    assert may_act([Right.MANAGE_FUNDS], Right.MANAGE_FUNDS, ContractKind.CLUB)
    for kind in (ContractKind.CBM, ContractKind.LOCFI, ContractKind.OTHER):
        assert not may_act([Right.MANAGE_FUNDS], Right.MANAGE_FUNDS, kind)


def test_early_buyout_applies_to_cbm_or_locfi_contracts_only() -> None:
    for kind in (ContractKind.CBM, ContractKind.LOCFI):
        assert may_act([Right.REQUEST_EARLY_BUYOUT], Right.REQUEST_EARLY_BUYOUT, kind)
    for kind in (ContractKind.CLUB, ContractKind.OTHER):
        assert not may_act([Right.REQUEST_EARLY_BUYOUT], Right.REQUEST_EARLY_BUYOUT, kind)


@given(rights_sets, st.sampled_from(list(Right)), st.sampled_from(list(ContractKind)) | st.none())
def test_nobody_may_use_a_right_they_do_not_hold(held: set[Right], right: Right, kind: ContractKind | None) -> None:
    allowed = may_act(held, right, kind)
    assert allowed == (right in held and (kind is None or right_covers_contract(right, kind)))
