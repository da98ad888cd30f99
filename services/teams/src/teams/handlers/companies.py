"""Reading company spaces as their members see them: My teams, one space, an admin's view."""

from __future__ import annotations

from chassis.auth import Caller
from teams.domain import companies as company_rules
from teams.domain.audit import AuditRecord
from teams.domain.companies import Company, Member, MemberStatus
from teams.domain.invitations import Invitation
from teams.handlers.common import guarded, load_company
from teams.ports import Teams


async def company_of_member(teams: Teams, caller: Caller, siren: str) -> tuple[Company, Member]:
    company = await load_company(teams, siren, seen_by=caller)
    member = guarded(lambda: company_rules.require_member(company.members, caller.account_id))
    return company, member


async def company_of_admin(teams: Teams, caller: Caller, siren: str) -> tuple[Company, Member]:
    company = await load_company(teams, siren, seen_by=caller)
    admin = guarded(lambda: company_rules.require_admin(company.members, caller.account_id))
    return company, admin


async def my_companies(teams: Teams, caller: Caller) -> list[tuple[Company, Member]]:
    found = []
    for company in await teams.companies.of_account(caller.account_id):
        member = company_rules.find(company.members, caller.account_id)
        if member is not None and member.status == MemberStatus.ACTIVE:
            found.append((company, member))
    return found


async def invitations_of(teams: Teams, caller: Caller, siren: str) -> list[Invitation]:
    """Every invitation of the space, newest first: for its admins only."""
    await company_of_admin(teams, caller, siren)
    return await teams.invitations.of_company(siren)


async def audit_trail(teams: Teams, caller: Caller, siren: str, limit: int) -> list[AuditRecord]:
    """Who changed what and when, newest first: for its admins only."""
    await company_of_admin(teams, caller, siren)
    return await teams.audit.of_company(siren, limit)
