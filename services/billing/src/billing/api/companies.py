"""A company's bank details, changed by its members who hold the right from teams."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path

from billing.api import problems as p
from billing.api.deps import BillingDep, RightsDep
from billing.api.schemas import BankDetailsIn, BankDetailsPublic, CompanyBankDetailsPublic
from billing.api.validation import parse_bank_details
from billing.domain.bank import BankDetails
from chassis.auth import CurrentCaller
from chassis.errors import NotFound
from chassis.openapi import problems
from contracts import Right

router = APIRouter(prefix="/companies", tags=["companies"])
Siren = Annotated[str, Path(pattern=r"^\d{9}$", description="The company's SIREN")]
ERRORS = (*p.AUTH, p.MISSING_RIGHT)


def _public(siren: str, details: BankDetails, by: str, at: datetime) -> CompanyBankDetailsPublic:
    public = BankDetailsPublic.of(details)
    return CompanyBankDetailsPublic(**public.model_dump(), siren=siren, changed_by=by, changed_at=at)


@router.put(
    "/{siren}/bank-details",
    operation_id="change_company_bank_details",
    response_model=CompanyBankDetailsPublic,
    responses=problems(*ERRORS, p.INVALID_IBAN, p.INVALID_BIC),
)
async def change_company_bank_details(
    siren: Siren, body: BankDetailsIn, caller: CurrentCaller, billing: BillingDep, rights: RightsDep
) -> CompanyBankDetailsPublic:
    """Change the company's bank details (RIB): needs the right change_bank_details from teams."""
    await rights.require(siren, caller.account_id, Right.CHANGE_BANK_DETAILS)
    details = parse_bank_details(body)
    now = billing.clock.now()
    await billing.onboarding.set_company_bank_details(siren, details, by=caller.account_id, now=now)
    return _public(siren, details, caller.account_id, now)


@router.get(
    "/{siren}/bank-details",
    operation_id="get_company_bank_details",
    response_model=CompanyBankDetailsPublic,
    responses=problems(*ERRORS, p.NO_BANK_DETAILS),
)
async def get_company_bank_details(
    siren: Siren, caller: CurrentCaller, billing: BillingDep, rights: RightsDep
) -> CompanyBankDetailsPublic:
    """The company's bank details, IBAN masked: for members holding the right change_bank_details."""
    await rights.require(siren, caller.account_id, Right.CHANGE_BANK_DETAILS)
    found = await billing.onboarding.company_bank_details(siren)
    if found is None:
        raise NotFound(f"no bank details for company {siren} yet", code=p.NO_BANK_DETAILS.code)
    return _public(siren, *found)
