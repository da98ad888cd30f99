"""Claims of company spaces: the claimant's routes and support's review."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from chassis import clientaddress
from chassis.auth import CurrentCaller
from chassis.openapi import problems
from teams.api import problems as p
from teams.api.routes import Siren, TeamsDep, company_public
from teams.api.schemas import (
    ClaimantPublic,
    ClaimApproval,
    ClaimedCompany,
    ClaimPublic,
    ClaimRejection,
    ClaimsUnderReview,
    CompanyCreate,
    CompanyPublic,
    ExtractPublic,
)
from teams.domain.claims import Claimant
from teams.handlers import claims
from teams.handlers.common import field_problem

router = APIRouter()
ClaimId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Id of the claim.")]


def claim_public(claim: Claimant, siren: str) -> ClaimPublic:
    return ClaimPublic(
        claim_id=claim.claim_id,
        siren=siren,
        status=claim.status,
        submitted_at=claim.submitted_at,
        reviewed_at=claim.reviewed_at,
        reason=claim.reason,
    )


def claimant_public(claim: Claimant, siren: str) -> ClaimantPublic:
    return ClaimantPublic(
        **claim_public(claim, siren).model_dump(),
        account_id=claim.account_id,
        email=claim.email,
        name=claim.name,
        extract=ExtractPublic(media_type=claim.extract_media_type, size=claim.extract_size),
        submitted_from=claim.submitted_from or None,
        reviewed_by=claim.reviewed_by,
    )


def decoded(extract: str) -> bytes:
    try:
        return base64.b64decode(extract, validate=True)
    except (binascii.Error, ValueError) as error:
        raise field_problem("extract", "not base64") from error


@router.post(
    "/companies",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ClaimPublic,
    tags=["claims"],
    operation_id="create_company_space",
    responses=problems(*p.AUTH, p.NOT_THE_COMPANY, p.SPACE_EXISTS, p.UNDER_REVIEW, p.NOT_SYNCHRONISED, p.INVALID),
)
async def claim_company(body: CompanyCreate, caller: CurrentCaller, teams: TeamsDep, request: Request) -> ClaimPublic:
    """Claim the company space of the calling legal person with an extract; support reviews it (pending)."""
    address = clientaddress.of_request(request, teams.settings, teams.clock.now())
    claim = await claims.claim_company(teams, caller, body.siren, body.mobile, decoded(body.extract), address)
    return claim_public(claim, body.siren)


@router.get(
    "/companies/{siren}/claim",
    response_model=ClaimPublic,
    tags=["claims"],
    operation_id="my_company_claim",
    responses=problems(*p.AUTH, p.CLAIM_NOT_FOUND),
)
async def my_claim(siren: Siren, caller: CurrentCaller, teams: TeamsDep) -> ClaimPublic:
    """The caller's latest claim of this company space: pending, approved or rejected (with the reason)."""
    return claim_public(await claims.my_claim(teams, caller, siren), siren)


@router.get(
    "/claims",
    response_model=ClaimsUnderReview,
    tags=["claims"],
    operation_id="support_pending_claims",
    responses=problems(*p.AUTH, p.SUPPORT_ONLY),
)
async def pending(caller: CurrentCaller, teams: TeamsDep) -> ClaimsUnderReview:
    """Every SIREN with a pending claim, with every claimant (support only): conflicts show here."""
    found = await claims.pending_claims(teams, caller)
    return ClaimsUnderReview(
        companies=[
            ClaimedCompany(siren=siren, claimants=[claimant_public(c, siren) for c in claimants])
            for siren, claimants in found
        ]
    )


@router.get(
    "/claims/{siren}/{claim_id}/extract",
    tags=["claims"],
    operation_id="support_claim_extract",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}, "description": "The extract"},
        **problems(*p.AUTH, p.SUPPORT_ONLY, p.CLAIM_NOT_FOUND),
    },
)
async def extract(siren: Siren, claim_id: ClaimId, caller: CurrentCaller, teams: TeamsDep) -> Response:
    """The extract uploaded with a claim (support only)."""
    media_type, data = await claims.claim_extract(teams, caller, siren, claim_id)
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/claims/{siren}/{claim_id}/approval",
    response_model=CompanyPublic,
    tags=["claims"],
    operation_id="support_approve_claim",
    responses=problems(*p.AUTH, p.SUPPORT_ONLY, p.CLAIM_NOT_FOUND, p.CLAIM_CLOSED, p.SPACE_EXISTS),
)
async def approve(
    siren: Siren, claim_id: ClaimId, body: ClaimApproval, caller: CurrentCaller, teams: TeamsDep
) -> CompanyPublic:
    """Approve a claim (support only): the space opens with the claimant as first admin; other claims are rejected."""
    company = await claims.approve_claim(teams, caller, siren, claim_id, body.reason_for_others)
    return company_public(company, company.members[0])


@router.post(
    "/claims/{siren}/{claim_id}/rejection",
    response_model=ClaimPublic,
    tags=["claims"],
    operation_id="support_reject_claim",
    responses=problems(*p.AUTH, p.SUPPORT_ONLY, p.CLAIM_NOT_FOUND, p.CLAIM_CLOSED),
)
async def reject(
    siren: Siren, claim_id: ClaimId, body: ClaimRejection, caller: CurrentCaller, teams: TeamsDep
) -> ClaimPublic:
    """Reject a claim with a reason (support only); the claimant sees it."""
    return claim_public(await claims.reject_claim(teams, caller, siren, claim_id, body.reason), siren)
