"""Company spaces: admins, members, revisions, removal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.events.teams import Right
from teams.domain import companies as rules
from teams.domain.companies import Member, MemberStatus, Role, TeamsRefused
from teams.domain.rights import ALL_RIGHTS

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SIREN = "732829320"


def founder() -> Member:
    admin, _ = rules.founding_admin(
        SIREN, account_id="admin", email="a@acme.fr", name="ACME", mobile="+33612345678", now=NOW
    )
    return admin


def joined(members: list[Member], account_id: str = "paul", *rights: Right) -> list[Member]:
    _, member, _, _ = rules.join(
        SIREN,
        members,
        account_id=account_id,
        email=f"{account_id}@acme.fr",
        name=account_id,
        mobile="+33612345679",
        rights=rights,
        proof_of_power=None,
        invitation_id=f"inv-{account_id}",
        granted_by="admin",
        now=NOW,
    )
    return [m for m in members if m.account_id != account_id] + [member]


def refusal(action: object) -> str:
    assert callable(action)
    with pytest.raises(TeamsRefused) as caught:
        action()
    return caught.value.code


def test_the_founder_is_an_admin_with_every_right() -> None:
    admin, event = rules.founding_admin(
        SIREN, account_id="admin", email="a@acme.fr", name="ACME", mobile="+33612345678", now=NOW
    )
    assert admin.role == Role.ADMIN
    assert admin.rights == ALL_RIGHTS
    assert admin.revision == 1
    assert event.company_id == SIREN
    assert event.rights == ALL_RIGHTS
    assert event.revision == 1


def test_sirens_are_checked() -> None:
    assert rules.siren_problem("732829320") is None
    assert rules.siren_problem("732829321") is not None
    assert rules.siren_problem("73282932") is not None


@pytest.mark.parametrize("number", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678"])
def test_mobile_numbers_are_normalised(number: str) -> None:
    assert rules.normalised_mobile(number) == "+33612345678"


@pytest.mark.parametrize("number", ["01 23 45 67 89", "hello", "06 12"])
def test_a_landline_or_garbage_is_no_mobile(number: str) -> None:
    with pytest.raises(ValueError, match=r"(phone|mobile) number"):
        rules.normalised_mobile(number)


def test_joining_emits_the_member_and_their_full_rights() -> None:
    before, member, event, changed = rules.join(
        SIREN,
        [founder()],
        account_id="paul",
        email="paul@acme.fr",
        name="Paul",
        mobile="+33612345679",
        rights=[Right.ACCESS_TREASURY, Right.VIEW_FINANCIAL_DOCUMENTS, Right.ACCESS_TREASURY],
        proof_of_power=None,
        invitation_id="inv",
        granted_by="admin",
        now=NOW,
    )
    assert before is None
    assert member.role == Role.MEMBER
    assert member.revision == 1
    assert changed.rights == (Right.ACCESS_TREASURY, Right.VIEW_FINANCIAL_DOCUMENTS) == event.rights
    assert changed.changed_by == "admin"
    assert event.invitation_id == "inv"


def test_an_active_member_cannot_join_twice() -> None:
    members = joined([founder()])
    assert refusal(lambda: joined(members)) == "already-member"


def test_only_an_admin_changes_rights_and_each_change_bumps_the_revision() -> None:
    members = joined([founder()], "paul", Right.ACCESS_TREASURY)
    before, after, event = rules.change_rights(
        SIREN, members, admin_id="admin", member_id="paul", rights=[Right.MANAGE_FUNDS], proof_of_power=None
    )
    assert before.rights == (Right.ACCESS_TREASURY,)
    assert after.rights == (Right.MANAGE_FUNDS,)
    assert event.revision == after.revision == before.revision + 1
    assert event.changed_by == "admin"
    members = joined([founder(), *joined([founder()], "eve")[1:]], "paul")
    assert (
        refusal(
            lambda: rules.change_rights(
                SIREN, members, admin_id="eve", member_id="paul", rights=[], proof_of_power=None
            )
        )
        == "not-company-admin"
    )


def test_an_admins_rights_are_fixed_and_unknown_members_are_not_found() -> None:
    members = [founder()]
    assert (
        refusal(
            lambda: rules.change_rights(
                SIREN, members, admin_id="admin", member_id="admin", rights=[], proof_of_power=None
            )
        )
        == "admin-rights-fixed"
    )
    assert (
        refusal(
            lambda: rules.change_rights(
                SIREN, members, admin_id="admin", member_id="nobody", rights=[], proof_of_power=None
            )
        )
        == "member-not-found"
    )


def test_removal_clears_rights_and_a_rejoin_continues_the_revisions() -> None:
    members = joined([founder()], "paul", Right.CHANGE_BANK_DETAILS)
    _, removed, event = rules.remove_member(SIREN, members, caller_id="admin", member_id="paul")
    assert removed.status == MemberStatus.REMOVED
    assert removed.rights == ()
    assert event.revision == 2
    members = [founder(), removed]
    _, back, _, changed = rules.join(
        SIREN,
        members,
        account_id="paul",
        email="paul@acme.fr",
        name="Paul",
        mobile="+33612345679",
        rights=[Right.ACCESS_TREASURY],
        proof_of_power=None,
        invitation_id="inv-2",
        granted_by="admin",
        now=NOW,
    )
    assert back.revision == changed.revision == 3  # never reuses a revision a consumer saw


def test_a_member_may_leave_but_not_remove_others() -> None:
    members = joined(joined([founder()], "paul"), "eve")
    _, left, _ = rules.remove_member(SIREN, members, caller_id="paul", member_id="paul")
    assert left.status == MemberStatus.REMOVED
    assert refusal(lambda: rules.remove_member(SIREN, members, caller_id="paul", member_id="eve")) == (
        "not-company-admin"
    )


def test_the_last_admin_stays() -> None:
    assert refusal(lambda: rules.remove_member(SIREN, [founder()], caller_id="admin", member_id="admin")) == (
        "last-admin"
    )


@given(st.lists(st.tuples(st.booleans(), st.sets(st.sampled_from(list(Right)))), max_size=12))
def test_revisions_strictly_increase_over_any_history(steps: list[tuple[bool, set[Right]]]) -> None:
    members = joined([founder()], "paul")
    revisions = [rules.find(members, "paul").revision]  # type: ignore[union-attr]
    for remove, rights in steps:
        paul = rules.find(members, "paul")
        assert paul is not None
        if paul.status == MemberStatus.REMOVED:
            members = joined(members, "paul", *rights)
        elif remove:
            _, after, _ = rules.remove_member(SIREN, members, caller_id="admin", member_id="paul")
            members = [m for m in members if m.account_id != "paul"] + [after]
        else:
            _, after, _ = rules.change_rights(
                SIREN, members, admin_id="admin", member_id="paul", rights=sorted(rights), proof_of_power=None
            )
            members = [m for m in members if m.account_id != "paul"] + [after]
        revisions.append(rules.find(members, "paul").revision)  # type: ignore[union-attr]
    assert revisions == sorted(set(revisions))


def test_an_appointed_admin_holds_every_right_and_a_dismissed_one_none() -> None:
    members = joined([founder()], "paul", Right.ACCESS_TREASURY)
    before, admin, event = rules.appoint_admin(SIREN, members, admin_id="admin", member_id="paul", proof_of_power=None)
    assert before.role == Role.MEMBER
    assert admin.role == Role.ADMIN
    assert event.rights == ALL_RIGHTS
    assert event.revision == 2
    members = [founder(), admin]
    assert (
        refusal(lambda: rules.appoint_admin(SIREN, members, admin_id="admin", member_id="paul", proof_of_power=None))
        == "already-admin"
    )
    _, member, dismissed = rules.dismiss_admin(SIREN, members, admin_id="paul", member_id="admin")
    assert member.role == Role.MEMBER
    assert dismissed.rights == ()
    assert dismissed.revision == 2


def test_the_last_admin_cannot_be_dismissed_and_members_cannot_appoint() -> None:
    members = joined([founder()], "paul")
    assert refusal(lambda: rules.dismiss_admin(SIREN, members, admin_id="admin", member_id="admin")) == "last-admin"
    assert refusal(lambda: rules.dismiss_admin(SIREN, members, admin_id="admin", member_id="paul")) == "not-an-admin"
    assert (
        refusal(lambda: rules.appoint_admin(SIREN, members, admin_id="paul", member_id="paul", proof_of_power=None))
        == "not-company-admin"
    )
