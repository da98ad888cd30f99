"""Invitations: invite (waits for the admin's SMS code), confirm with the code (the invitee is
mailed a single-use link), resend the code, revoke, preview and accept by the link."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace

from chassis.auth import Caller
from chassis.errors import NotFound, Problem
from chassis.mail import Mail
from contracts.events.teams import InvitationSent, Right
from teams.domain import companies as company_rules
from teams.domain import invitations as invitation_rules
from teams.domain import secrets
from teams.domain.audit import AuditRecord, member_audit
from teams.domain.companies import Company, Member, MemberStatus
from teams.domain.invitations import Invitation, InvitationRefused, InvitationStatus
from teams.domain.messages import code_sms, invitation_mail
from teams.domain.rights import normalised
from teams.handlers.common import (
    ProofInput,
    guarded,
    load_company,
    mobile_of,
    proof_recorded,
    refused,
    with_retries,
)
from teams.handlers.companies import company_of_admin
from teams.handlers.members import check_grant
from teams.ports import SmsNotSent, Teams

log = logging.getLogger("teams.handlers")

# The portal page the invitation mail links to; it POSTs the token to
# /invitations/preview, then (logged in) to /invitations/acceptance.
INVITATION_PAGE = "/invitation"

CODE_PROBLEM_STATUS = {
    "code-locked": 429,
    "code-resends-exhausted": 429,
    "code-expired": 410,
    "invitation-expired": 410,
}


@dataclass(frozen=True)
class InvitationForm:
    email: str
    first_name: str
    last_name: str
    mobile: str
    rights: list[Right]
    proof_of_power: ProofInput | None


def _audit(teams: Teams, invitation: Invitation, actor: str, action: str, before: object, after: object) -> AuditRecord:
    return AuditRecord(
        company_id=invitation.company_id,
        actor=actor,
        action=action,
        target=invitation.invitation_id,
        before=before,
        after=after,
        at=teams.clock.now(),
    )


def _code_refused(error: InvitationRefused) -> Problem:
    return refused(error, CODE_PROBLEM_STATUS.get(error.code, 409))


def _changed_meanwhile() -> Problem:
    return Problem("this invitation was confirmed or changed meanwhile", status=409, code="invitation-changed")


async def _send_code(teams: Teams, to: str, code: str, invitee: str) -> None:
    minutes = teams.settings.code_ttl_seconds // 60
    try:
        await teams.sms.send(to, code_sms(code, invitee, minutes), teams.clock.now())
    except SmsNotSent as error:
        log.warning("SMS to the admin not sent: %s", error)
        raise Problem(
            "the SMS with the code could not be sent: ask for a new code", status=503, code="sms-not-sent"
        ) from error


async def _reloaded(teams: Teams, siren: str, invitation_id: str) -> Invitation:
    invitation = await teams.invitations.get(siren, invitation_id)
    assert invitation is not None  # invitations are never deleted
    return invitation


async def invite(teams: Teams, caller: Caller, siren: str, form: InvitationForm) -> Invitation:
    """InviteCollaborator: the invitation waits for the admin's SMS code."""
    company, admin = await company_of_admin(teams, caller, siren)
    mobile = mobile_of(teams, "mobile", form.mobile)
    email = form.email.strip().lower()
    now = teams.clock.now()
    proof = proof_recorded(teams, caller, form.proof_of_power)
    check_grant(form.rights, proof, now.date())
    if any(m.email.lower() == email and m.status == MemberStatus.ACTIVE for m in company.members):
        raise Problem(f"{email} is already a member of this company space", status=409, code="already-member")
    policy = teams.settings.invitation_policy
    invitation_id = uuid.uuid4().hex
    code = secrets.new_code()
    invitation = Invitation(
        invitation_id=invitation_id,
        company_id=siren,
        company_name=company.name,
        email=email,
        first_name=form.first_name,
        last_name=form.last_name,
        mobile=mobile,
        rights=tuple(normalised(form.rights)),
        proof_of_power=proof,
        invited_by=caller.account_id,
        inviter_name=admin.name,
        status=InvitationStatus.PENDING_CODE,
        created_at=now,
        expires_at=invitation_rules.confirmation_expiry(now, policy),
        code=invitation_rules.first_code(
            secrets.code_digest(teams.settings.code_key, invitation_id, code), now, policy
        ),
    )
    created = _audit(
        teams,
        invitation,
        caller.account_id,
        "invitation_created",
        None,
        {"email": email, "rights": [str(r) for r in invitation.rights], "status": InvitationStatus.PENDING_CODE},
    )
    await teams.invitations.add(invitation, [created])
    teams.written()
    # The code is stored only as its digest; a failed SMS leaves the invitation to a resend.
    await _send_code(teams, admin.mobile, code, invitation.invitee_name)
    return invitation


async def _own_invitation(teams: Teams, caller: Caller, siren: str, invitation_id: str) -> Invitation:
    await company_of_admin(teams, caller, siren)
    invitation = await teams.invitations.get(siren, invitation_id)
    if invitation is None:
        raise NotFound("no such invitation in this company space", code="invitation-not-found")
    if invitation.invited_by != caller.account_id:
        raise Problem(
            "only the admin who made this invitation can confirm it (the code went to their mobile)",
            status=403,
            code="not-the-inviter",
        )
    return invitation


async def confirm_invitation(teams: Teams, caller: Caller, siren: str, invitation_id: str, code: str) -> Invitation:
    """ConfirmInvitation with the SMS code: the invitee is mailed a single-use link."""
    policy = teams.settings.invitation_policy
    invitation = await _own_invitation(teams, caller, siren, invitation_id)
    now = teams.clock.now()
    try:
        code_state = invitation_rules.check_code_refusal(invitation.status_at(now), invitation.code, now, policy)
    except InvitationRefused as error:
        raise _code_refused(error) from error
    if not await teams.invitations.reserve_check(invitation_id, code_state.digest, policy.max_code_checks):
        # Another request spent the last check or replaced the code meanwhile: judge the new state.
        return await confirm_invitation(teams, caller, siren, invitation_id, code)
    if not secrets.code_matches(teams.settings.code_key, invitation_id, code, code_state.digest):
        left = max(policy.max_code_checks - code_state.checks - 1, 0)
        rejected = _audit(teams, invitation, caller.account_id, "invitation_code_rejected", None, {"checks_left": left})
        await teams.invitations.add_audit(invitation_id, [rejected])
        teams.written()
        raise Problem(
            f"wrong code: {left} more tr{'y' if left == 1 else 'ies'} with this code",
            status=400,
            code="code-invalid",
        )
    expires_at = invitation_rules.link_expiry(now, policy)
    token = await teams.tokens.issue(invitation_rules.LINK_PURPOSE, invitation_id, expires_at=expires_at)
    # A portal page; the token rides in the fragment, which no server (nor its access log) ever sees.
    link = f"{teams.settings.public_base_url}{INVITATION_PAGE}#token={token}"
    subject, text = invitation_mail(
        invitation.company_name, invitation.inviter_name, link, teams.settings.invitation_link_ttl_hours
    )
    event = InvitationSent(
        invitation_id=invitation_id,
        company_id=siren,
        email=invitation.email,
        rights=invitation.rights,
        invited_by=caller.account_id,
        expires_at=expires_at,
    )
    sent = _audit(
        teams,
        invitation,
        caller.account_id,
        "invitation_sent",
        {"status": InvitationStatus.PENDING_CODE},
        {"status": InvitationStatus.SENT, "expires_at": expires_at},
    )
    if not await teams.invitations.mark_sent(
        invitation_rules.Sending(invitation_id, code_state.digest, expires_at=expires_at, at=now),
        events=[event],
        mails=[Mail(to=invitation.email, subject=subject, text=text)],
        audit=[sent],
    ):
        await teams.tokens.consume(invitation_rules.LINK_PURPOSE, token)  # never mailed
        raise _changed_meanwhile()
    teams.written()
    return await _reloaded(teams, siren, invitation_id)


async def resend_code(teams: Teams, caller: Caller, siren: str, invitation_id: str) -> Invitation:
    """ResendInvitationCode: a new code replaces the previous one, within the limit of sends."""
    policy = teams.settings.invitation_policy
    invitation = await _own_invitation(teams, caller, siren, invitation_id)
    now = teams.clock.now()
    previous = invitation.code
    code = secrets.new_code()
    try:
        state = invitation_rules.resend_code(
            invitation.status_at(now),
            previous,
            secrets.code_digest(teams.settings.code_key, invitation_id, code),
            now,
            policy,
        )
    except InvitationRefused as error:
        raise _code_refused(error) from error
    assert previous is not None  # resend_code refuses an invitation without a code
    resent = _audit(
        teams,
        invitation,
        caller.account_id,
        "invitation_code_resent",
        {"sends": previous.sends},
        {"sends": state.sends},
    )
    if not await teams.invitations.replace_code(invitation_id, previous.digest, state, [resent]):
        raise _changed_meanwhile()
    teams.written()
    company = await load_company(teams, siren)
    admin = company_rules.find(company.members, caller.account_id)
    assert admin is not None  # company_of_admin found them
    await _send_code(teams, admin.mobile, code, invitation.invitee_name)
    return await _reloaded(teams, siren, invitation_id)


async def revoke_invitation(teams: Teams, caller: Caller, siren: str, invitation_id: str) -> Invitation:
    """RevokeInvitation: any admin of the company may revoke an open invitation."""
    await company_of_admin(teams, caller, siren)
    invitation = await teams.invitations.get(siren, invitation_id)
    if invitation is None:
        raise NotFound("no such invitation in this company space", code="invitation-not-found")
    now = teams.clock.now()
    status = invitation.status_at(now)
    try:
        invitation_rules.revocation_refusal(status)
    except InvitationRefused as error:
        raise refused(error) from error
    revoked = _audit(
        teams, invitation, caller.account_id, "invitation_revoked", {"status": status}, {"status": "revoked"}
    )
    revocation = invitation_rules.Revocation(invitation_id, invitation.status, by=caller.account_id, at=now)
    if not await teams.invitations.mark_revoked(revocation, [revoked]):
        raise Problem("this invitation changed meanwhile: look again", status=409, code="invitation-changed")
    await teams.tokens.revoke(invitation_rules.LINK_PURPOSE, invitation_id)
    teams.written()
    return await _reloaded(teams, siren, invitation_id)


def _link_invalid() -> Problem:
    return Problem(
        "this invitation link is invalid or was already used",
        status=400,
        code="invitation-link-invalid",
    )


async def invitation_by_link(teams: Teams, token: str) -> Invitation:
    # Whatever the token's state: the invitation's own status says why a link no longer opens
    # (expired: 410; accepted by this caller: a join to resume).
    link = await teams.tokens.find(invitation_rules.LINK_PURPOSE, token)
    invitation = await teams.invitations.by_id(link.subject) if link else None
    if invitation is None:
        raise _link_invalid()
    return invitation


async def accept_invitation(teams: Teams, caller: Caller, token: str) -> tuple[Company, Member]:
    """AcceptInvitation with the mailed link: the caller (logged in with the invited
    email) joins the company space with the invited rights. Single use."""
    invitation = await invitation_by_link(teams, token)
    now = teams.clock.now()
    status = invitation.status_at(now)
    resuming = status == InvitationStatus.ACCEPTED and invitation.accepted_by == caller.account_id
    if not resuming:
        try:
            invitation_rules.acceptance_refusal(status, invitation.email, caller.email)
        except InvitationRefused as error:
            code = {"invitation-expired": 410, "invitation-for-another-email": 403}.get(error.code, 400)
            raise refused(error, code) from error
        accepted = _audit(
            teams, invitation, caller.account_id, "invitation_accepted", {"status": status}, {"status": "accepted"}
        )
        if await teams.tokens.consume(invitation_rules.LINK_PURPOSE, token) is None:
            raise _link_invalid()
        if not await teams.invitations.mark_accepted(
            invitation.invitation_id, account_id=caller.account_id, now=now, audit=[accepted]
        ):
            raise _link_invalid()
        teams.written()
        invitation = replace(invitation, status=InvitationStatus.ACCEPTED, accepted_by=caller.account_id)
    siren = invitation.company_id

    async def attempt() -> tuple[Company, Member] | None:
        company = await load_company(teams, siren)
        present = company_rules.find(company.members, caller.account_id)
        if present is not None and present.invitation_id == invitation.invitation_id:
            if resuming:  # joined already: the link was used
                raise Problem("this invitation link was already used", status=400, code="invitation-link-invalid")
            return company, present
        joined_at = teams.clock.now()
        before, after, joined, changed = guarded(
            lambda: company_rules.join(
                siren,
                company.members,
                account_id=caller.account_id,
                email=invitation.email,
                name=invitation.invitee_name,
                mobile=invitation.mobile,
                rights=list(invitation.rights),
                proof_of_power=invitation.proof_of_power,
                invitation_id=invitation.invitation_id,
                granted_by=invitation.invited_by,
                now=joined_at,
            )
        )
        audit = AuditRecord(
            company_id=siren,
            actor=caller.account_id,
            action="member_joined",
            target=caller.account_id,
            before=member_audit(before),
            after=member_audit(after),
            at=joined_at,
        )
        if await teams.companies.put_member(company, after, events=[joined, changed], audit=[audit]):
            teams.written()
            return company, after
        return None

    return await with_retries(attempt)
