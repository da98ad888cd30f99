"""The local rights view on the real Mongo server: newest revision wins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chassis.errors import Forbidden
from chassis.mongo import MongoDatabase, ensure_indexes
from chassis.rights import RIGHTS_VIEW_INDEXES, RightsView
from contracts import MemberRemoved, MemberRightsChanged, Right

pytestmark = pytest.mark.infra
NOW = datetime(2026, 11, 23, tzinfo=UTC)
COMPANY, MEMBER = "732829320", "acc-42"


@pytest.fixture
async def view(db: MongoDatabase) -> RightsView:
    await ensure_indexes(db, RIGHTS_VIEW_INDEXES)
    return RightsView(db)


def change(revision: int, *rights: Right) -> MemberRightsChanged:
    return MemberRightsChanged(
        company_id=COMPANY, member_id=MEMBER, rights=rights, revision=revision, changed_by="admin"
    )


async def test_the_newest_revision_wins_whatever_the_arrival_order(view: RightsView) -> None:
    assert await view.apply_change(change(2, Right.CHANGE_BANK_DETAILS, Right.ACCESS_TREASURY), NOW)
    assert not await view.apply_change(change(1, Right.MANAGE_FUNDS), NOW)  # late, older
    assert not await view.apply_change(change(2, Right.MANAGE_FUNDS), NOW)  # replayed revision
    assert await view.rights_of(COMPANY, MEMBER) == {Right.CHANGE_BANK_DETAILS, Right.ACCESS_TREASURY}
    assert await view.may(COMPANY, MEMBER, Right.CHANGE_BANK_DETAILS)
    assert not await view.may("552100554", MEMBER, Right.CHANGE_BANK_DETAILS)  # another company


async def test_revoking_and_removing_take_rights_away(view: RightsView) -> None:
    await view.apply_change(change(1, Right.CHANGE_BANK_DETAILS), NOW)
    await view.apply_change(change(2), NOW)
    with pytest.raises(Forbidden, match="change_bank_details"):
        await view.require(COMPANY, MEMBER, Right.CHANGE_BANK_DETAILS)
    await view.apply_change(change(3, Right.MANAGE_FUNDS), NOW)
    removal = MemberRemoved(company_id=COMPANY, member_id=MEMBER, revision=4, removed_by="admin")
    assert await view.apply_removal(removal, NOW)
    assert not await view.apply_change(change(3, Right.MANAGE_FUNDS), NOW)  # cannot resurrect
    assert await view.rights_of(COMPANY, MEMBER) == frozenset()


async def test_an_unknown_member_has_no_rights(view: RightsView) -> None:
    assert await view.rights_of(COMPANY, "nobody") == frozenset()


async def test_the_companies_in_which_a_member_holds_a_right(view: RightsView) -> None:
    other = "552100554"
    await view.apply_change(change(1, Right.VIEW_FINANCIAL_DOCUMENTS), NOW)
    await view.apply_change(
        MemberRightsChanged(
            company_id=other, member_id=MEMBER, rights=(Right.MANAGE_FUNDS,), revision=1, changed_by="admin"
        ),
        NOW,
    )
    assert await view.companies_with(MEMBER, Right.VIEW_FINANCIAL_DOCUMENTS) == [COMPANY]
    assert await view.companies_with(MEMBER, Right.MANAGE_FUNDS) == [other]
    assert await view.companies_with("someone-else", Right.MANAGE_FUNDS) == []
    await view.apply_change(change(2), NOW)
    assert await view.companies_with(MEMBER, Right.VIEW_FINANCIAL_DOCUMENTS) == []
