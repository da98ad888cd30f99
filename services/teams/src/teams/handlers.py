"""Teams' command handlers: what each route asks for, on the real adapters."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from chassis.auth import Caller
from chassis.errors import NotFound, Problem
from chassis.mail import mail_entry
from chassis.outbox import Wakeup
from chassis.service import Runtime
from contracts import Event
from contracts.events.teams import InvitationSent, Right
from teams.domain import companies as company_rules
from teams.domain import invitations as invitation_rules
from teams.domain import secrets
from teams.domain.companies import Member, MemberStatus, TeamsRefused
from teams.domain.invitations import InvitationRefused, InvitationStatus
from teams.domain.rights import ProofKind, ProofOfPower, grant_problems, normalised
from teams.mail.templates import code_sms, invitation_mail
from teams.settings import TeamsSettings
from teams.sms.sender import SmsNotSent, SmsSender
from teams.store.accounts import AccountView
from teams.store.audit import AuditTrail, audit_entry
from teams.store.claims import ClaimStore
from teams.store.companies import Company, CompanyStore
from teams.store.documents import member_audit, proof_from_doc, proof_to_doc
from teams.store.invitations import InvitationStore, code_from_doc, code_to_doc

log = logging.getLogger("teams.handlers")
T = TypeVar("T")
# Attempts of a change that lost an optimistic-concurrency race before giving up.
CONCURRENT_ATTEMPTS = 5

# The portal page the invitation mail links to; it POSTs the token to
# /invitations/preview, then (logged in) to /invitations/acceptance.
INVITATION_PAGE = "/invitation"


@dataclass
class Teams:
    """Teams' own adapters, next to the shared runtime."""

    runtime: Runtime
    settings: TeamsSettings
    accounts: AccountView
    companies: CompanyStore
    claims: ClaimStore
    invitations: InvitationStore
    audit: AuditTrail
    sms: SmsSender
    courier_wakeup: Wakeup
    audit_wakeup: Wakeup

    def written(self) -> None:
        """Wake the relays after a write: events, mail and audit go out at once."""
        self.courier_wakeup.notify()
        self.audit_wakeup.notify()


@dataclass(frozen=True)
class ProofInput:
    kind: ProofKind
    reference: str
    issued_on: date


def refused(error: TeamsRefused | InvitationRefused, status: int | None = None) -> Problem:
    return Problem(error.detail, status=status or getattr(error, "status", 409), code=error.code)


def field_problem(field: str, message: str) -> Problem:
    return Problem(
        f"{field}: {message}",
        status=422,
        code="validation",
        errors=[{"field": field, "message": message}],
    )


def mobile_of(teams: Teams, field: str, number: str) -> str:
    try:
        return company_rules.normalised_mobile(number, teams.settings.phone_region)
    except ValueError as error:
        raise field_problem(field, str(error)) from error


async def _with_retries(attempt: Callable[[], Awaitable[T | None]]) -> T:
    """Run a read-decide-write `attempt` until its conditional write wins (None: it lost)."""
    for _ in range(CONCURRENT_ATTEMPTS):
        result = await attempt()
        if result is not None:
            return result
    raise Problem("the company space is being changed by someone else: try again", status=409, code="concurrent-change")


def _no_company(siren: str) -> NotFound:
    return NotFound(f"no company space for SIREN {siren}", code="company-not-found")


async def _company(teams: Teams, siren: str, *, seen_by: Caller | None = None) -> Company:
    """The company space; with `seen_by`, only if that caller is one of its active
    members: to anyone else a space that exists answers as one that does not."""
    company = await teams.companies.get(siren)
    if company is None:
        raise _no_company(siren)
    if seen_by is not None:
        member = company_rules.find(company.members, seen_by.account_id)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise _no_company(siren)
    return company


def _guarded(action: Callable[[], T]) -> T:
    try:
        return action()
    except TeamsRefused as error:
        raise refused(error) from error


# --- company spaces -------------------------------------------------------------


async def company_of_member(teams: Teams, caller: Caller, siren: str) -> tuple[Company, Member]:
    company = await _company(teams, siren, seen_by=caller)
    member = _guarded(lambda: company_rules.require_member(company.members, caller.account_id))
    return company, member


async def company_of_admin(teams: Teams, caller: Caller, siren: str) -> tuple[Company, Member]:
    company = await _company(teams, siren, seen_by=caller)
    admin = _guarded(lambda: company_rules.require_admin(company.members, caller.account_id))
    return company, admin


async def my_companies(teams: Teams, caller: Caller) -> list[tuple[Company, Member]]:
    found = []
    for company in await teams.companies.of_account(caller.account_id):
        member = company_rules.find(company.members, caller.account_id)
        if member is not None and member.status == MemberStatus.ACTIVE:
            found.append((company, member))
    return found


# --- rights and members ------------------------------------------------------------


def _proof(teams: Teams, caller: Caller, proof: ProofInput | None) -> ProofOfPower | None:
    if proof is None:
        return None
    return ProofOfPower(
        kind=proof.kind,
        reference=proof.reference,
        issued_on=proof.issued_on,
        recorded_by=caller.account_id,
        recorded_at=teams.runtime.clock.now(),
    )


def _check_grant(rights: list[Right], proof: ProofOfPower | None, today: date) -> None:
    problems = grant_problems(rights, proof, today)
    if problems:
        raise Problem(
            "; ".join(problems),
            status=422,
            code="proof-of-power-required",
            errors=[{"field": "proof_of_power", "message": p} for p in problems],
        )


MemberChange = tuple[Member, Member, Event]


async def _change_member(
    teams: Teams,
    caller: Caller,
    siren: str,
    member_id: str,
    action: str,
    decide: Callable[[Company], MemberChange],
    check: Callable[[Member, date], None] | None = None,
) -> Member:
    """Read the company, decide with the domain, write the member with its event
    and audit record in one conditional update; again if a concurrent change won."""

    async def attempt() -> Member | None:
        company = await _company(teams, siren, seen_by=caller)
        now = teams.runtime.clock.now()
        before, after, event = _guarded(lambda: decide(company))
        if check is not None:
            check(after, now.date())
        audit = audit_entry(
            company_id=siren,
            actor=caller.account_id,
            action=action,
            target=member_id,
            before=member_audit(before),
            after=member_audit(after),
            now=now,
        )
        if await teams.companies.put_member(company, after, events=[event], audit=[audit]):
            teams.written()
            return after
        return None

    return await _with_retries(attempt)


async def change_rights(
    teams: Teams, caller: Caller, siren: str, member_id: str, rights: list[Right], proof: ProofInput | None
) -> Member:
    """ChangeMemberRights: the member holds exactly `rights` from now on."""
    new_proof = _proof(teams, caller, proof)
    return await _change_member(
        teams,
        caller,
        siren,
        member_id,
        "member_rights_changed",
        lambda company: company_rules.change_rights(
            siren,
            company.members,
            admin_id=caller.account_id,
            member_id=member_id,
            rights=rights,
            proof_of_power=new_proof,
        ),
        lambda after, today: _check_grant(rights, after.proof_of_power, today),
    )


async def remove_member(teams: Teams, caller: Caller, siren: str, member_id: str) -> Member:
    """RemoveMember: an admin removes a member, or a member leaves; every right goes."""
    return await _change_member(
        teams,
        caller,
        siren,
        member_id,
        "member_removed",
        lambda company: company_rules.remove_member(
            siren, company.members, caller_id=caller.account_id, member_id=member_id
        ),
    )


async def appoint_admin(teams: Teams, caller: Caller, siren: str, member_id: str, proof: ProofInput | None) -> Member:
    """AppointAdmin: a member becomes an admin (every right), given a proof of power."""
    new_proof = _proof(teams, caller, proof)
    return await _change_member(
        teams,
        caller,
        siren,
        member_id,
        "admin_appointed",
        lambda company: company_rules.appoint_admin(
            siren, company.members, admin_id=caller.account_id, member_id=member_id, proof_of_power=new_proof
        ),
        lambda after, today: _check_grant(list(after.rights), after.proof_of_power, today),
    )


async def dismiss_admin(teams: Teams, caller: Caller, siren: str, member_id: str) -> Member:
    """DismissAdmin: an admin becomes a member without rights; never the last admin."""
    return await _change_member(
        teams,
        caller,
        siren,
        member_id,
        "admin_dismissed",
        lambda company: company_rules.dismiss_admin(
            siren, company.members, admin_id=caller.account_id, member_id=member_id
        ),
    )


# --- invitations ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationForm:
    email: str
    first_name: str
    last_name: str
    mobile: str
    rights: list[Right]
    proof_of_power: ProofInput | None


def _invitation_audit(
    invitation: dict[str, Any], actor: str, action: str, before: Any, after: Any, teams: Teams
) -> dict[str, Any]:
    return audit_entry(
        company_id=invitation["company_id"],
        actor=actor,
        action=action,
        target=invitation["_id"],
        before=before,
        after=after,
        now=teams.runtime.clock.now(),
    )


async def _send_code(teams: Teams, to: str, code: str, invitee: str) -> None:
    minutes = teams.settings.code_ttl_seconds // 60
    try:
        await teams.sms.send(to, code_sms(code, invitee, minutes), teams.runtime.clock.now())
    except SmsNotSent as error:
        log.warning("SMS to the admin not sent: %s", error)
        raise Problem(
            "the SMS with the code could not be sent: ask for a new code", status=503, code="sms-not-sent"
        ) from error


async def invite(teams: Teams, caller: Caller, siren: str, form: InvitationForm) -> dict[str, Any]:
    """InviteCollaborator: the invitation waits for the admin's SMS code."""
    company, admin = await company_of_admin(teams, caller, siren)
    mobile = mobile_of(teams, "mobile", form.mobile)
    email = form.email.strip().lower()
    now = teams.runtime.clock.now()
    proof = _proof(teams, caller, form.proof_of_power)
    _check_grant(form.rights, proof, now.date())
    if any(m.email.lower() == email and m.status == MemberStatus.ACTIVE for m in company.members):
        raise Problem(f"{email} is already a member of this company space", status=409, code="already-member")
    policy = teams.settings.invitation_policy
    invitation_id = uuid.uuid4().hex
    code = secrets.new_code()
    code_state = invitation_rules.first_code(
        secrets.code_digest(teams.settings.code_key, invitation_id, code), now, policy
    )
    invitation: dict[str, Any] = {
        "_id": invitation_id,
        "company_id": siren,
        "company_name": company.name,
        "email": email,
        "first_name": form.first_name,
        "last_name": form.last_name,
        "mobile": mobile,
        "rights": [str(r) for r in normalised(form.rights)],
        "proof_of_power": proof_to_doc(proof),
        "invited_by": caller.account_id,
        "inviter_name": admin.name,
        "status": InvitationStatus.PENDING_CODE,
        "created_at": now,
        "expires_at": invitation_rules.confirmation_expiry(now, policy),
        "code": code_to_doc(code_state),
    }
    audit = _invitation_audit(
        invitation,
        caller.account_id,
        "invitation_created",
        None,
        {"email": email, "rights": invitation["rights"], "status": InvitationStatus.PENDING_CODE},
        teams,
    )
    await teams.invitations.add(invitation, [audit])
    teams.written()
    # The code is stored only as its digest; a failed SMS leaves the invitation to a resend.
    await _send_code(teams, admin.mobile, code, f"{form.first_name} {form.last_name}")
    return invitation


async def _own_invitation(teams: Teams, caller: Caller, siren: str, invitation_id: str) -> dict[str, Any]:
    await company_of_admin(teams, caller, siren)
    invitation = await teams.invitations.get(siren, invitation_id)
    if invitation is None:
        raise NotFound("no such invitation in this company space", code="invitation-not-found")
    if invitation["invited_by"] != caller.account_id:
        raise Problem(
            "only the admin who made this invitation can confirm it (the code went to their mobile)",
            status=403,
            code="not-the-inviter",
        )
    return invitation


def status_of(invitation: dict[str, Any], now: Any) -> InvitationStatus:
    return invitation_rules.effective_status(InvitationStatus(invitation["status"]), invitation["expires_at"], now)


CODE_PROBLEM_STATUS = {
    "code-locked": 429,
    "code-resends-exhausted": 429,
    "code-expired": 410,
    "invitation-expired": 410,
}


def _code_refused(error: InvitationRefused) -> Problem:
    return refused(error, CODE_PROBLEM_STATUS.get(error.code, 409))


async def confirm_invitation(teams: Teams, caller: Caller, siren: str, invitation_id: str, code: str) -> dict[str, Any]:
    """ConfirmInvitation with the SMS code: the invitee is mailed a single-use link."""
    policy = teams.settings.invitation_policy
    invitation = await _own_invitation(teams, caller, siren, invitation_id)
    now = teams.runtime.clock.now()
    code_state = code_from_doc(invitation["code"]) if invitation.get("code") else None
    try:
        code_state = invitation_rules.check_code_refusal(status_of(invitation, now), code_state, now, policy)
    except InvitationRefused as error:
        raise _code_refused(error) from error
    if not await teams.invitations.reserve_check(invitation_id, code_state.digest, policy.max_code_checks):
        # Another request spent the last check or replaced the code meanwhile: judge the new state.
        return await confirm_invitation(teams, caller, siren, invitation_id, code)
    if not secrets.code_matches(teams.settings.code_key, invitation_id, code, code_state.digest):
        left = policy.max_code_checks - code_state.checks - 1
        rejected = _invitation_audit(
            invitation, caller.account_id, "invitation_code_rejected", None, {"checks_left": max(left, 0)}, teams
        )
        await teams.invitations.add_audit(invitation_id, [rejected])
        teams.written()
        raise Problem(
            f"wrong code: {max(left, 0)} more tr{'y' if left == 1 else 'ies'} with this code",
            status=400,
            code="code-invalid",
        )
    token, link_digest = secrets.new_link_token()
    expires_at = invitation_rules.link_expiry(now, policy)
    # A portal page; the token rides in the fragment, which no server (nor its access log) ever sees.
    link = f"{teams.settings.public_base_url}{INVITATION_PAGE}#token={token}"
    subject, text = invitation_mail(
        invitation["company_name"], invitation["inviter_name"], link, teams.settings.invitation_link_ttl_hours
    )
    event = InvitationSent(
        invitation_id=invitation_id,
        company_id=siren,
        email=invitation["email"],
        rights=tuple(Right(r) for r in invitation["rights"]),
        invited_by=caller.account_id,
        expires_at=expires_at,
    )
    audit = _invitation_audit(
        invitation,
        caller.account_id,
        "invitation_sent",
        {"status": InvitationStatus.PENDING_CODE},
        {"status": InvitationStatus.SENT, "expires_at": expires_at},
        teams,
    )
    if not await teams.invitations.mark_sent(
        invitation_id,
        code_state.digest,
        link_digest=link_digest,
        expires_at=expires_at,
        now=now,
        events=[event],
        mails=[mail_entry(to=invitation["email"], subject=subject, text=text, now=now)],
        audit=[audit],
    ):
        raise Problem("this invitation was confirmed or changed meanwhile", status=409, code="invitation-changed")
    teams.written()
    return await _reloaded(teams, siren, invitation_id)


async def _reloaded(teams: Teams, siren: str, invitation_id: str) -> dict[str, Any]:
    invitation = await teams.invitations.get(siren, invitation_id)
    assert invitation is not None
    return invitation


async def resend_code(teams: Teams, caller: Caller, siren: str, invitation_id: str) -> dict[str, Any]:
    """ResendInvitationCode: a new code replaces the previous one, within the limit of sends."""
    policy = teams.settings.invitation_policy
    invitation = await _own_invitation(teams, caller, siren, invitation_id)
    now = teams.runtime.clock.now()
    previous = code_from_doc(invitation["code"]) if invitation.get("code") else None
    code = secrets.new_code()
    try:
        state = invitation_rules.resend_code(
            status_of(invitation, now),
            previous,
            secrets.code_digest(teams.settings.code_key, invitation_id, code),
            now,
            policy,
        )
    except InvitationRefused as error:
        raise _code_refused(error) from error
    assert previous is not None  # resend_code refuses an invitation without a code
    audit = _invitation_audit(
        invitation,
        caller.account_id,
        "invitation_code_resent",
        {"sends": previous.sends},
        {"sends": state.sends},
        teams,
    )
    if not await teams.invitations.replace_code(invitation_id, previous.digest, state, [audit]):
        raise Problem("this invitation was confirmed or changed meanwhile", status=409, code="invitation-changed")
    teams.written()
    company = await _company(teams, siren)
    admin = company_rules.find(company.members, caller.account_id)
    assert admin is not None
    await _send_code(teams, admin.mobile, code, f"{invitation['first_name']} {invitation['last_name']}")
    return await _reloaded(teams, siren, invitation_id)


async def revoke_invitation(teams: Teams, caller: Caller, siren: str, invitation_id: str) -> dict[str, Any]:
    """RevokeInvitation: any admin of the company may revoke an open invitation."""
    await company_of_admin(teams, caller, siren)
    invitation = await teams.invitations.get(siren, invitation_id)
    if invitation is None:
        raise NotFound("no such invitation in this company space", code="invitation-not-found")
    now = teams.runtime.clock.now()
    status = status_of(invitation, now)
    try:
        invitation_rules.revocation_refusal(status)
    except InvitationRefused as error:
        raise refused(error) from error
    audit = _invitation_audit(
        invitation, caller.account_id, "invitation_revoked", {"status": status}, {"status": "revoked"}, teams
    )
    if not await teams.invitations.mark_revoked(
        invitation_id, InvitationStatus(invitation["status"]), by=caller.account_id, now=now, audit=[audit]
    ):
        raise Problem("this invitation changed meanwhile: look again", status=409, code="invitation-changed")
    teams.written()
    return await _reloaded(teams, siren, invitation_id)


async def invitation_by_link(teams: Teams, token: str) -> dict[str, Any]:
    invitation = await teams.invitations.by_link(secrets.link_digest(token))
    if invitation is None:
        raise Problem(
            "this invitation link is invalid or was already used",
            status=400,
            code="invitation-link-invalid",
        )
    return invitation


async def accept_invitation(teams: Teams, caller: Caller, token: str) -> tuple[Company, Member]:
    """AcceptInvitation with the mailed link: the caller (logged in with the invited
    email) joins the company space with the invited rights. Single use."""
    invitation = await invitation_by_link(teams, token)
    now = teams.runtime.clock.now()
    status = status_of(invitation, now)
    resuming = status == InvitationStatus.ACCEPTED and invitation.get("accepted_by") == caller.account_id
    if not resuming:
        try:
            invitation_rules.acceptance_refusal(status, invitation["email"], caller.email)
        except InvitationRefused as error:
            code = {"invitation-expired": 410, "invitation-for-another-email": 403}.get(error.code, 400)
            raise refused(error, code) from error
        audit = _invitation_audit(
            invitation, caller.account_id, "invitation_accepted", {"status": status}, {"status": "accepted"}, teams
        )
        if not await teams.invitations.mark_accepted(
            invitation["_id"], account_id=caller.account_id, now=now, audit=[audit]
        ):
            raise Problem(
                "this invitation link is invalid or was already used", status=400, code="invitation-link-invalid"
            )
        teams.written()
    siren = invitation["company_id"]

    async def attempt() -> tuple[Company, Member] | None:
        company = await _company(teams, siren)
        present = company_rules.find(company.members, caller.account_id)
        if present is not None and present.invitation_id == invitation["_id"]:
            if resuming:  # joined already: the link was used
                raise Problem("this invitation link was already used", status=400, code="invitation-link-invalid")
            return company, present

        before, after, joined, changed = _guarded(
            lambda: company_rules.join(
                siren,
                company.members,
                account_id=caller.account_id,
                email=invitation["email"],
                name=f"{invitation['first_name']} {invitation['last_name']}",
                mobile=invitation["mobile"],
                rights=[Right(r) for r in invitation["rights"]],
                proof_of_power=proof_from_doc(invitation.get("proof_of_power")),
                invitation_id=invitation["_id"],
                granted_by=invitation["invited_by"],
                now=teams.runtime.clock.now(),
            )
        )
        audit = audit_entry(
            company_id=siren,
            actor=caller.account_id,
            action="member_joined",
            target=caller.account_id,
            before=member_audit(before),
            after=member_audit(after),
            now=teams.runtime.clock.now(),
        )
        if await teams.companies.put_member(company, after, events=[joined, changed], audit=[audit]):
            teams.written()
            return company, after
        return None

    return await _with_retries(attempt)
