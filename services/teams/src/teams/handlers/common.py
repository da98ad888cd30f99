"""What every teams use case shares: the problems it answers, loading a company space as
its caller may see it, and retrying a decision that lost an optimistic-concurrency race."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from chassis.auth import Caller
from chassis.errors import NotFound, Problem, invalid_field
from teams.domain import companies as company_rules
from teams.domain.companies import Company, MemberStatus, TeamsRefused
from teams.domain.invitations import InvitationRefused
from teams.domain.rights import ProofKind, ProofOfPower
from teams.ports import Teams

T = TypeVar("T")
# Attempts of a change that lost an optimistic-concurrency race before giving up.
CONCURRENT_ATTEMPTS = 5


@dataclass(frozen=True)
class ProofInput:
    kind: ProofKind
    reference: str
    issued_on: date


def refused(error: TeamsRefused | InvitationRefused, status: int | None = None) -> Problem:
    return Problem(error.detail, status=status or getattr(error, "status", 409), code=error.code)


def field_problem(field: str, message: str) -> Problem:
    return invalid_field(field, message)


def mobile_of(teams: Teams, field: str, number: str) -> str:
    try:
        return company_rules.normalised_mobile(number, teams.settings.phone_region)
    except ValueError as error:
        raise field_problem(field, str(error)) from error


async def with_retries(attempt: Callable[[], Awaitable[T | None]]) -> T:
    """Run a read-decide-write `attempt` until its conditional write wins (None: it lost)."""
    for _ in range(CONCURRENT_ATTEMPTS):
        result = await attempt()
        if result is not None:
            return result
    raise Problem("the company space is being changed by someone else: try again", status=409, code="concurrent-change")


def no_company(siren: str) -> NotFound:
    return NotFound(f"no company space for SIREN {siren}", code="company-not-found")


async def load_company(teams: Teams, siren: str, *, seen_by: Caller | None = None) -> Company:
    """The company space; with `seen_by`, only if that caller is one of its active
    members: to anyone else a space that exists answers as one that does not."""
    company = await teams.companies.get(siren)
    if company is None:
        raise no_company(siren)
    if seen_by is not None:
        member = company_rules.find(company.members, seen_by.account_id)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise no_company(siren)
    return company


def guarded(action: Callable[[], T]) -> T:
    """The domain's decision, its refusal turned into the problem the API answers."""
    try:
        return action()
    except TeamsRefused as error:
        raise refused(error) from error


def proof_recorded(teams: Teams, caller: Caller, proof: ProofInput | None) -> ProofOfPower | None:
    if proof is None:
        return None
    return ProofOfPower(
        kind=proof.kind,
        reference=proof.reference,
        issued_on=proof.issued_on,
        recorded_by=caller.account_id,
        recorded_at=teams.clock.now(),
    )
