"""Claims of company spaces: the legal person's account claims, support decides.

`claim_company` records a claim with its extract (the space stays pending);
support lists the pending claims per SIREN, reads the extracts, approves one
(the space opens with that claimant as first admin, and its rights go on the
bus as at any opening) and rejects the others with a reason.
"""

from __future__ import annotations

import uuid

from chassis.auth import Caller
from chassis.errors import Forbidden, NotFound, Problem
from teams.domain import claims as claim_rules
from teams.domain import companies as company_rules
from teams.domain.audit import AuditRecord, member_audit
from teams.domain.claims import Claimant, ClaimStatus
from teams.domain.companies import Company
from teams.handlers.common import field_problem, mobile_of
from teams.ports import Teams

OTHERS_REJECTED = "another claimant was approved for this company"


def require_support(caller: Caller) -> None:
    if not caller.has_role(claim_rules.SUPPORT_ROLE):
        raise Forbidden("only support staff may do this", code="support-only")


def under_review(detail: str) -> Problem:
    return Problem(detail, status=409, code="claim-under-review")


def _no_claim(siren: str, claim_id: str) -> NotFound:
    return NotFound(f"no claim {claim_id} for {siren}", code="claim-not-found")


async def claim_company(
    teams: Teams, caller: Caller, siren: str, mobile: str, extract: bytes, client_address: str
) -> Claimant:
    """ClaimCompanySpace: the legal person's own account asks for its space, with an extract as proof.
    `client_address` (the real one, `chassis.clientaddress`) is kept for support's review."""
    problem = company_rules.siren_problem(siren)
    if problem:
        raise field_problem("siren", problem)
    admin_mobile = mobile_of(teams, "mobile", mobile)
    problem = claim_rules.extract_problem(extract, teams.settings.claim_extract_max_bytes)
    if problem:
        raise field_problem("extract", problem)
    account = await teams.accounts.get(caller.account_id)
    if account is None:
        raise Problem(
            "your account's activation has not reached teams yet: try again in a few seconds",
            status=409,
            code="account-not-synchronised",
        )
    if not account.is_company_account(siren):
        raise Problem(
            "only the account of the legal person with this SIREN can open its company space",
            status=403,
            code="not-the-company-account",
        )
    if await teams.companies.get(siren) is not None:
        raise Problem(f"the company space of {siren} already exists", status=409, code="company-space-exists")
    pending = [c for c in await teams.claims.of_siren(siren) if c.status == ClaimStatus.PENDING]
    if any(c.account_id == caller.account_id for c in pending):
        raise under_review("your claim of this company space is under review by support")
    claimant = Claimant(
        claim_id=uuid.uuid4().hex,
        account_id=caller.account_id,
        email=account.email,
        name=account.display_name,
        mobile=admin_mobile,
        status=ClaimStatus.PENDING,
        extract_media_type=claim_rules.extract_type(extract) or "",
        extract_size=len(extract),
        submitted_at=teams.clock.now(),
        submitted_from=client_address,
    )
    first = claim_rules.first_pending(await teams.claims.submit(siren, claimant, extract))
    if first is not None and first.claim_id != claimant.claim_id:
        # Who else claims is not the caller's business; support sees both.
        raise under_review(
            "a claim of this company space is already under review by support; yours is recorded and "
            "support will review it too"
        )
    return claimant


async def my_claim(teams: Teams, caller: Caller, siren: str) -> Claimant:
    mine = [c for c in await teams.claims.of_siren(siren) if c.account_id == caller.account_id]
    if not mine:
        raise NotFound(f"you have not claimed the company space of {siren}", code="claim-not-found")
    return mine[-1]


async def pending_claims(teams: Teams, caller: Caller) -> list[tuple[str, list[Claimant]]]:
    require_support(caller)
    return await teams.claims.with_pending()


async def claim_extract(teams: Teams, caller: Caller, siren: str, claim_id: str) -> tuple[str, bytes]:
    require_support(caller)
    found = await teams.claims.extract(claim_id)
    if found is None or not any(c.claim_id == claim_id for c in await teams.claims.of_siren(siren)):
        raise _no_claim(siren, claim_id)
    return found


async def _claimant(teams: Teams, siren: str, claim_id: str) -> tuple[Claimant, list[Claimant]]:
    claimants = await teams.claims.of_siren(siren)
    claimant = next((c for c in claimants if c.claim_id == claim_id), None)
    if claimant is None:
        raise _no_claim(siren, claim_id)
    return claimant, claimants


async def approve_claim(
    teams: Teams, caller: Caller, siren: str, claim_id: str, reason_for_others: str | None
) -> Company:
    """ApproveClaim: the space opens with the claimant as first admin; the other pending claims are rejected."""
    require_support(caller)
    claimant, claimants = await _claimant(teams, siren, claim_id)
    if claimant.status == ClaimStatus.REJECTED:
        raise Problem("this claim was rejected", status=409, code="claim-closed")
    now = teams.clock.now()
    admin, event = company_rules.founding_admin(
        siren,
        account_id=claimant.account_id,
        email=claimant.email,
        name=claimant.name,
        mobile=claimant.mobile,
        now=now,
    )
    audit = AuditRecord(
        company_id=siren,
        actor=caller.account_id,
        action="company_space_created",
        target=claimant.account_id,
        before=None,
        after={**(member_audit(admin) or {}), "claim_id": claim_id},
        at=now,
    )
    created = await teams.companies.create(
        company_rules.founded(siren, claimant.name, admin, now), events=[event], audit=[audit]
    )
    company = await teams.companies.get(siren)
    if company is None or (not created and company.created_by != claimant.account_id):
        raise Problem(f"the company space of {siren} already exists", status=409, code="company-space-exists")
    teams.written()
    # The space is the decision; the claims' statuses follow (a repeated approval finishes them).
    await teams.claims.review(siren, claim_id, ClaimStatus.APPROVED, by=caller.account_id, at=now, reason=None)
    for other in claimants:
        if other.claim_id != claim_id and other.status == ClaimStatus.PENDING:
            await teams.claims.review(
                siren,
                other.claim_id,
                ClaimStatus.REJECTED,
                by=caller.account_id,
                at=now,
                reason=reason_for_others or OTHERS_REJECTED,
            )
    return company


async def reject_claim(teams: Teams, caller: Caller, siren: str, claim_id: str, reason: str) -> Claimant:
    """RejectClaim: the claimant gets no space; the reason is shown to them."""
    require_support(caller)
    await _claimant(teams, siren, claim_id)
    now = teams.clock.now()
    if not await teams.claims.review(
        siren, claim_id, ClaimStatus.REJECTED, by=caller.account_id, at=now, reason=reason
    ):
        raise Problem("this claim is not pending any more", status=409, code="claim-closed")
    claimant, _ = await _claimant(teams, siren, claim_id)
    return claimant
