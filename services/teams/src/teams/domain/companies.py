"""Company spaces and their members.

A company space belongs to a legal person (identified by its SIREN). The
account that creates it, the legal person's own account, is its first admin.
Admins hold every right (they act for the company as its account holder), and
invite, grant, revoke and remove. A membership keeps its revision counter for
good, even after removal, so a consumer applying events by revision never
lets an old event resurrect rights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

import phonenumbers
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren

from contracts.events.teams import MemberJoined, MemberRemoved, MemberRightsChanged, Right
from teams.domain.rights import ALL_RIGHTS, ProofOfPower, normalised


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class TeamsRefused(Exception):
    """A command the rules refuse; `code` names the reason, `status` the HTTP answer."""

    def __init__(self, code: str, detail: str, status: int = 409) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Member:
    account_id: str
    email: str
    name: str
    mobile: str  # E.164
    role: Role
    status: MemberStatus
    rights: tuple[Right, ...]
    revision: int
    joined_at: datetime
    invitation_id: str | None = None
    proof_of_power: ProofOfPower | None = None

    @property
    def is_active_admin(self) -> bool:
        return self.status == MemberStatus.ACTIVE and self.role == Role.ADMIN


@dataclass(frozen=True)
class Company:
    """A company space with its members; `version` guards concurrent changes."""

    siren: str
    name: str
    created_by: str
    created_at: datetime
    version: int
    members: tuple[Member, ...]


def siren_problem(siren: str) -> str | None:
    """Why a SIREN is not valid (9 digits with a Luhn check digit), if it is not."""
    try:
        stdnum_siren.validate(siren)
    except ValidationError as error:
        return f"not a valid SIREN: {error}"
    return None


def normalised_mobile(number: str, default_region: str = "FR") -> str:
    """A mobile number in E.164 (+33612345678); raises ValueError if it is not a mobile number."""
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number: {error}") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValueError("not a mobile number: the code is sent by SMS")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def founding_admin(
    company_id: str, *, account_id: str, email: str, name: str, mobile: str, now: datetime
) -> tuple[Member, MemberRightsChanged]:
    """The legal person's own account, first admin of its new company space."""
    admin = Member(
        account_id=account_id,
        email=email,
        name=name,
        mobile=mobile,
        role=Role.ADMIN,
        status=MemberStatus.ACTIVE,
        rights=ALL_RIGHTS,
        revision=1,
        joined_at=now,
    )
    return admin, MemberRightsChanged(
        company_id=company_id, member_id=account_id, rights=ALL_RIGHTS, revision=1, changed_by=account_id
    )


def founded(siren: str, name: str, admin: Member, now: datetime) -> Company:
    """A new company space: its founding admin its only member, at version 1."""
    return Company(siren=siren, name=name, created_by=admin.account_id, created_at=now, version=1, members=(admin,))


def find(members: Sequence[Member], account_id: str) -> Member | None:
    return next((m for m in members if m.account_id == account_id), None)


def require_admin(members: Sequence[Member], caller_id: str) -> Member:
    member = find(members, caller_id)
    if member is None or not member.is_active_admin:
        raise TeamsRefused("not-company-admin", "only an admin of this company space may do this", status=403)
    return member


def require_member(members: Sequence[Member], caller_id: str) -> Member:
    member = find(members, caller_id)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise TeamsRefused("not-company-member", "you are not a member of this company space", status=403)
    return member


def _active(members: Sequence[Member], account_id: str) -> Member:
    member = find(members, account_id)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise TeamsRefused("member-not-found", "no such member in this company space", status=404)
    return member


def change_rights(
    company_id: str,
    members: Sequence[Member],
    *,
    admin_id: str,
    member_id: str,
    rights: Sequence[Right],
    proof_of_power: ProofOfPower | None,
) -> tuple[Member, Member, MemberRightsChanged]:
    """(before, after, event) of granting exactly `rights` to a member.

    `proof_of_power` replaces the recorded one when given; the grant is
    checked against whichever proof applies (see rights.grant_problems,
    checked by the caller with the day's date).
    """
    require_admin(members, admin_id)
    before = _active(members, member_id)
    if before.role == Role.ADMIN:
        raise TeamsRefused("admin-rights-fixed", "an admin holds every right; their rights cannot be changed")
    after = replace(
        before,
        rights=normalised(rights),
        revision=before.revision + 1,
        proof_of_power=proof_of_power or before.proof_of_power,
    )
    event = MemberRightsChanged(
        company_id=company_id, member_id=member_id, rights=after.rights, revision=after.revision, changed_by=admin_id
    )
    return before, after, event


def remove_member(
    company_id: str, members: Sequence[Member], *, caller_id: str, member_id: str
) -> tuple[Member, Member, MemberRemoved]:
    """(before, after, event): an admin removes a member, or a member leaves."""
    if caller_id != member_id:
        require_admin(members, caller_id)
    before = _active(members, member_id)
    if before.is_active_admin and sum(1 for m in members if m.is_active_admin) == 1:
        raise TeamsRefused("last-admin", "the last admin of a company space cannot leave or be removed")
    after = replace(before, status=MemberStatus.REMOVED, rights=(), revision=before.revision + 1)
    event = MemberRemoved(company_id=company_id, member_id=member_id, revision=after.revision, removed_by=caller_id)
    return before, after, event


def join(
    company_id: str,
    members: Sequence[Member],
    *,
    account_id: str,
    email: str,
    name: str,
    mobile: str,
    rights: Sequence[Right],
    proof_of_power: ProofOfPower | None,
    invitation_id: str,
    granted_by: str,
    now: datetime,
) -> tuple[Member | None, Member, MemberJoined, MemberRightsChanged]:
    """(before, after, events) of an invitee joining; a former member comes back
    with their revision sequence continued."""
    previous = find(members, account_id)
    if previous is not None and previous.status == MemberStatus.ACTIVE:
        raise TeamsRefused("already-member", "you are already a member of this company space")
    member = Member(
        account_id=account_id,
        email=email,
        name=name,
        mobile=mobile,
        role=Role.MEMBER,
        status=MemberStatus.ACTIVE,
        rights=normalised(rights),
        revision=(previous.revision if previous else 0) + 1,
        joined_at=now,
        invitation_id=invitation_id,
        proof_of_power=proof_of_power,
    )
    joined = MemberJoined(
        company_id=company_id, member_id=account_id, invitation_id=invitation_id, email=email, rights=member.rights
    )
    changed = MemberRightsChanged(
        company_id=company_id,
        member_id=account_id,
        rights=member.rights,
        revision=member.revision,
        changed_by=granted_by,
    )
    return previous, member, joined, changed


def appoint_admin(
    company_id: str, members: Sequence[Member], *, admin_id: str, member_id: str, proof_of_power: ProofOfPower | None
) -> tuple[Member, Member, MemberRightsChanged]:
    """(before, after, event): a member becomes an admin, holding every right.

    An admin holds rights 5 and 6, so the appointment needs a proof of power
    like their grant does (checked by the caller against the day's date).
    """
    require_admin(members, admin_id)
    before = _active(members, member_id)
    if before.role == Role.ADMIN:
        raise TeamsRefused("already-admin", "this member is already an admin")
    after = replace(
        before,
        role=Role.ADMIN,
        rights=ALL_RIGHTS,
        revision=before.revision + 1,
        proof_of_power=proof_of_power or before.proof_of_power,
    )
    event = MemberRightsChanged(
        company_id=company_id, member_id=member_id, rights=ALL_RIGHTS, revision=after.revision, changed_by=admin_id
    )
    return before, after, event


def dismiss_admin(
    company_id: str, members: Sequence[Member], *, admin_id: str, member_id: str
) -> tuple[Member, Member, MemberRightsChanged]:
    """(before, after, event): an admin becomes a plain member with no rights
    (an admin grants what they keep); never the last admin."""
    require_admin(members, admin_id)
    before = _active(members, member_id)
    if before.role != Role.ADMIN:
        raise TeamsRefused("not-an-admin", "this member is not an admin")
    if sum(1 for m in members if m.is_active_admin) == 1:
        raise TeamsRefused("last-admin", "a company space keeps at least one admin")
    after = replace(before, role=Role.MEMBER, rights=(), revision=before.revision + 1)
    event = MemberRightsChanged(
        company_id=company_id, member_id=member_id, rights=(), revision=after.revision, changed_by=admin_id
    )
    return before, after, event
