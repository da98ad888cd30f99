"""Teams' HTTP routes: parse, call a handler, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from chassis.auth import CurrentCaller
from chassis.openapi import problems
from teams.api import problems as p
from teams.api.schemas import (
    AcceptanceIn,
    AdminAppointment,
    AuditRecord,
    AuditTrailPublic,
    CodeIn,
    CompanyPublic,
    InvitationCreate,
    InvitationList,
    InvitationPreview,
    InvitationPublic,
    MemberPublic,
    Membership,
    MyTeamsPublic,
    ProofOfPowerIn,
    ProofOfPowerPublic,
    RightPublic,
    RightsUpdate,
)
from teams.domain.companies import Company, Member
from teams.domain.invitations import Invitation
from teams.domain.rights import CATALOGUE
from teams.handlers import companies, invitations, members
from teams.handlers.common import ProofInput
from teams.handlers.invitations import InvitationForm
from teams.ports import Teams

router = APIRouter()


def get_teams(request: Request) -> Teams:
    teams: Teams = request.app.state.teams
    return teams


TeamsDep = Annotated[Teams, Depends(get_teams)]
Siren = Annotated[str, Path(pattern=r"^\d{9}$", description="SIREN of the company (9 digits).")]
AccountId = Annotated[str, Path(min_length=1, max_length=64, description="Account id of the member.")]
InvitationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Id of the invitation.")]


def mask(mobile: str) -> str:
    return mobile[:3] + "*" * max(len(mobile) - 5, 0) + mobile[-2:]


def proof_public(member: Member) -> ProofOfPowerPublic | None:
    proof = member.proof_of_power
    if proof is None:
        return None
    return ProofOfPowerPublic(
        kind=proof.kind,
        reference=proof.reference,
        issued_on=proof.issued_on,
        recorded_by=proof.recorded_by,
        recorded_at=proof.recorded_at,
    )


def member_public(member: Member) -> MemberPublic:
    return MemberPublic(
        account_id=member.account_id,
        email=member.email,
        name=member.name,
        mobile=mask(member.mobile),
        role=member.role,
        status=member.status,
        rights=list(member.rights),
        revision=member.revision,
        joined_at=member.joined_at,
        proof_of_power=proof_public(member),
    )


def company_public(company: Company, me: Member) -> CompanyPublic:
    return CompanyPublic(
        siren=company.siren,
        name=company.name,
        created_at=company.created_at,
        my_role=me.role,
        my_rights=list(me.rights),
        members=[member_public(m) for m in company.members],
    )


def proof_input(proof: ProofOfPowerIn | None) -> ProofInput | None:
    return None if proof is None else ProofInput(kind=proof.kind, reference=proof.reference, issued_on=proof.issued_on)


def invitation_public(teams: Teams, invitation: Invitation, now: datetime) -> InvitationPublic:
    allowance = invitation.code_allowance(now, teams.settings.invitation_policy)
    return InvitationPublic(
        invitation_id=invitation.invitation_id,
        company_id=invitation.company_id,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        rights=list(invitation.rights),
        status=invitation.status_at(now),
        invited_by=invitation.invited_by,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        code_expires_at=allowance.expires_at if allowance else None,
        code_checks_left=allowance.checks_left if allowance else None,
        code_resends_left=allowance.resends_left if allowance else None,
    )


# --- the rights -------------------------------------------------------------------------


@router.get("/rights", response_model=list[RightPublic], tags=["rights"], operation_id="list_rights")
async def list_rights() -> list[RightPublic]:
    """The six rights an admin may grant, with their constraints."""
    return [
        RightPublic(
            right=d.right,
            number=d.number,
            title=d.title,
            detail=d.detail,
            contract_kinds=sorted(d.contract_kinds) if d.contract_kinds else None,
            needs_proof_of_power=d.needs_proof_of_power,
        )
        for d in CATALOGUE
    ]


# --- company spaces ---------------------------------------------------------------------


@router.get(
    "/companies", response_model=MyTeamsPublic, tags=["companies"], operation_id="my_teams", responses=problems(*p.AUTH)
)
async def my_teams(caller: CurrentCaller, teams: TeamsDep) -> MyTeamsPublic:
    """My teams: every company space the caller belongs to, with each member's rights and status."""
    return MyTeamsPublic(companies=[company_public(c, me) for c, me in await companies.my_companies(teams, caller)])


@router.get(
    "/companies/{siren}",
    response_model=CompanyPublic,
    tags=["companies"],
    operation_id="get_company_space",
    responses=problems(*p.AUTH, p.COMPANY_NOT_FOUND),
)
async def get_company(siren: Siren, caller: CurrentCaller, teams: TeamsDep) -> CompanyPublic:
    """A company space the caller belongs to, with its members, their rights and status."""
    company, me = await companies.company_of_member(teams, caller, siren)
    return company_public(company, me)


# --- members and rights ---------------------------------------------------------------


@router.put(
    "/companies/{siren}/members/{account_id}/rights",
    response_model=MemberPublic,
    tags=["members"],
    operation_id="change_member_rights",
    responses=problems(
        *p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND, p.MEMBER_NOT_FOUND, p.RIGHTS_FIXED, p.CONCURRENT, p.PROOF_REQUIRED
    ),
)
async def change_rights(
    siren: Siren, account_id: AccountId, body: RightsUpdate, caller: CurrentCaller, teams: TeamsDep
) -> MemberPublic:
    """Grant exactly these rights to a member (what is left out is revoked)."""
    member = await members.change_rights(
        teams, caller, siren, account_id, list(body.rights), proof_input(body.proof_of_power)
    )
    return member_public(member)


@router.delete(
    "/companies/{siren}/members/{account_id}",
    response_model=MemberPublic,
    tags=["members"],
    operation_id="remove_member",
    responses=problems(*p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND, p.MEMBER_NOT_FOUND, p.LAST_ADMIN, p.CONCURRENT),
)
async def remove_member(siren: Siren, account_id: AccountId, caller: CurrentCaller, teams: TeamsDep) -> MemberPublic:
    """Remove a member (an admin), or leave the company space (the member); every right goes."""
    return member_public(await members.remove_member(teams, caller, siren, account_id))


@router.put(
    "/companies/{siren}/admins/{account_id}",
    response_model=MemberPublic,
    tags=["members"],
    operation_id="appoint_admin",
    responses=problems(
        *p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND, p.MEMBER_NOT_FOUND, p.ALREADY_ADMIN, p.CONCURRENT, p.PROOF_REQUIRED
    ),
)
async def appoint_admin(
    siren: Siren, account_id: AccountId, body: AdminAppointment, caller: CurrentCaller, teams: TeamsDep
) -> MemberPublic:
    """Make a member an admin of the company space: every right, and the management of the team."""
    member = await members.appoint_admin(teams, caller, siren, account_id, proof_input(body.proof_of_power))
    return member_public(member)


@router.delete(
    "/companies/{siren}/admins/{account_id}",
    response_model=MemberPublic,
    tags=["members"],
    operation_id="dismiss_admin",
    responses=problems(
        *p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND, p.MEMBER_NOT_FOUND, p.NOT_AN_ADMIN, p.LAST_ADMIN, p.CONCURRENT
    ),
)
async def dismiss_admin(siren: Siren, account_id: AccountId, caller: CurrentCaller, teams: TeamsDep) -> MemberPublic:
    """Make an admin a plain member without rights (never the last admin)."""
    return member_public(await members.dismiss_admin(teams, caller, siren, account_id))


# --- invitations -------------------------------------------------------------------------


@router.post(
    "/companies/{siren}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationPublic,
    tags=["invitations"],
    operation_id="invite_collaborator",
    responses=problems(*p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND, p.ALREADY_MEMBER, p.PROOF_REQUIRED, p.SMS_NOT_SENT),
)
async def invite(siren: Siren, body: InvitationCreate, caller: CurrentCaller, teams: TeamsDep) -> InvitationPublic:
    """Invite a collaborator with rights; a 6-digit code goes by SMS to the admin to confirm it."""
    form = InvitationForm(
        email=str(body.email),
        first_name=body.first_name,
        last_name=body.last_name,
        mobile=body.mobile,
        rights=list(body.rights),
        proof_of_power=proof_input(body.proof_of_power),
    )
    invitation = await invitations.invite(teams, caller, siren, form)
    return invitation_public(teams, invitation, teams.clock.now())


@router.get(
    "/companies/{siren}/invitations",
    response_model=InvitationList,
    tags=["invitations"],
    operation_id="list_invitations",
    responses=problems(*p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND),
)
async def list_invitations(siren: Siren, caller: CurrentCaller, teams: TeamsDep) -> InvitationList:
    """Every invitation of the company space, newest first, with its status."""
    found = await companies.invitations_of(teams, caller, siren)
    now = teams.clock.now()
    return InvitationList(invitations=[invitation_public(teams, i, now) for i in found])


@router.post(
    "/companies/{siren}/invitations/{invitation_id}/confirmation",
    response_model=InvitationPublic,
    tags=["invitations"],
    operation_id="confirm_invitation",
    responses=problems(*p.AUTH, *p.AWAITING_CODE, p.CODE_INVALID, p.CODE_EXPIRED, p.INVITATION_EXPIRED, p.CODE_LOCKED),
)
async def confirm(
    siren: Siren, invitation_id: InvitationId, body: CodeIn, caller: CurrentCaller, teams: TeamsDep
) -> InvitationPublic:
    """Confirm an invitation with the SMS code: the invitee is mailed a single-use link."""
    invitation = await invitations.confirm_invitation(teams, caller, siren, invitation_id, body.code)
    return invitation_public(teams, invitation, teams.clock.now())


@router.post(
    "/companies/{siren}/invitations/{invitation_id}/code",
    response_model=InvitationPublic,
    tags=["invitations"],
    operation_id="resend_invitation_code",
    responses=problems(*p.AUTH, *p.AWAITING_CODE, p.INVITATION_EXPIRED, p.RESENDS_EXHAUSTED, p.SMS_NOT_SENT),
)
async def resend(siren: Siren, invitation_id: InvitationId, caller: CurrentCaller, teams: TeamsDep) -> InvitationPublic:
    """Send a new code by SMS (the previous one stops working), within the limit of resends."""
    invitation = await invitations.resend_code(teams, caller, siren, invitation_id)
    return invitation_public(teams, invitation, teams.clock.now())


@router.delete(
    "/companies/{siren}/invitations/{invitation_id}",
    response_model=InvitationPublic,
    tags=["invitations"],
    operation_id="revoke_invitation",
    responses=problems(
        *p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND, p.INVITATION_NOT_FOUND, p.INVITATION_CLOSED, p.INVITATION_CHANGED
    ),
)
async def revoke(siren: Siren, invitation_id: InvitationId, caller: CurrentCaller, teams: TeamsDep) -> InvitationPublic:
    """Revoke an invitation that was not accepted yet: its code and link stop working."""
    invitation = await invitations.revoke_invitation(teams, caller, siren, invitation_id)
    return invitation_public(teams, invitation, teams.clock.now())


@router.post(
    "/invitations/preview",
    response_model=InvitationPreview,
    tags=["invitations"],
    operation_id="preview_invitation",
    responses=problems(p.LINK_INVALID),
)
async def preview(body: AcceptanceIn, teams: TeamsDep) -> InvitationPreview:
    """The mailed link's token (from its fragment): what the invitation offers (no login needed to read it)."""
    invitation = await invitations.invitation_by_link(teams, body.token)
    return InvitationPreview(
        company_id=invitation.company_id,
        company_name=invitation.company_name,
        inviter_name=invitation.inviter_name,
        invitee_name=invitation.invitee_name,
        rights=list(invitation.rights),
        status=invitation.status_at(teams.clock.now()),
        expires_at=invitation.expires_at,
    )


@router.post(
    "/invitations/acceptance",
    response_model=Membership,
    tags=["invitations"],
    operation_id="accept_invitation",
    responses=problems(
        *p.AUTH, p.LINK_INVALID, p.OTHER_EMAIL, p.ALREADY_MEMBER, p.INVITATION_EXPIRED, p.INVITATION_CHANGED
    ),
)
async def accept(body: AcceptanceIn, caller: CurrentCaller, teams: TeamsDep) -> Membership:
    """Accept an invitation with the mailed link's token, logged in with the invited email: join the company."""
    company, member = await invitations.accept_invitation(teams, caller, body.token)
    return Membership(company_id=company.siren, company_name=company.name, member=member_public(member))


# --- audit ---------------------------------------------------------------------------------


@router.get(
    "/companies/{siren}/audit",
    response_model=AuditTrailPublic,
    tags=["audit"],
    operation_id="company_audit_trail",
    responses=problems(*p.AUTH, p.NOT_ADMIN, p.COMPANY_NOT_FOUND),
)
async def audit(
    siren: Siren,
    caller: CurrentCaller,
    teams: TeamsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AuditTrailPublic:
    """Who changed what and when in the company space, newest first (append-only)."""
    records = await companies.audit_trail(teams, caller, siren, limit)
    return AuditTrailPublic(
        records=[
            AuditRecord(
                id=r.id, actor=r.actor, action=r.action, target=r.target, before=r.before, after=r.after, at=r.at
            )
            for r in records
        ]
    )
