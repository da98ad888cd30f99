"""Members' rights and roles: change rights, remove, appoint or dismiss an admin.

Each is one shape: load the space, decide with the domain, write the member with its event and
audit record in one conditional update, again if a concurrent change won.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from chassis.auth import Caller
from chassis.errors import Problem
from contracts import Event
from contracts.events.teams import Right
from teams.domain import companies as company_rules
from teams.domain.audit import AuditRecord, member_audit
from teams.domain.companies import Company, Member
from teams.domain.rights import ProofOfPower, grant_problems
from teams.handlers.common import ProofInput, guarded, load_company, proof_recorded, with_retries
from teams.ports import Teams

MemberChange = tuple[Member, Member, Event]


def check_grant(rights: list[Right], proof: ProofOfPower | None, today: date) -> None:
    problems = grant_problems(rights, proof, today)
    if problems:
        raise Problem(
            "; ".join(problems),
            status=422,
            code="proof-of-power-required",
            errors=[{"field": "proof_of_power", "message": p} for p in problems],
        )


async def _change_member(
    teams: Teams,
    caller: Caller,
    siren: str,
    member_id: str,
    action: str,
    decide: Callable[[Company], MemberChange],
    check: Callable[[Member, date], None] | None = None,
) -> Member:
    async def attempt() -> Member | None:
        company = await load_company(teams, siren, seen_by=caller)
        now = teams.clock.now()
        before, after, event = guarded(lambda: decide(company))
        if check is not None:
            check(after, now.date())
        audit = AuditRecord(
            company_id=siren,
            actor=caller.account_id,
            action=action,
            target=member_id,
            before=member_audit(before),
            after=member_audit(after),
            at=now,
        )
        if await teams.companies.put_member(company, after, events=[event], audit=[audit]):
            teams.written()
            return after
        return None

    return await with_retries(attempt)


async def change_rights(
    teams: Teams, caller: Caller, siren: str, member_id: str, rights: list[Right], proof: ProofInput | None
) -> Member:
    """ChangeMemberRights: the member holds exactly `rights` from now on."""
    new_proof = proof_recorded(teams, caller, proof)
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
        lambda after, today: check_grant(rights, after.proof_of_power, today),
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
    new_proof = proof_recorded(teams, caller, proof)
    return await _change_member(
        teams,
        caller,
        siren,
        member_id,
        "admin_appointed",
        lambda company: company_rules.appoint_admin(
            siren, company.members, admin_id=caller.account_id, member_id=member_id, proof_of_power=new_proof
        ),
        lambda after, today: check_grant(list(after.rights), after.proof_of_power, today),
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
