"""A company's bank details, changed by its members who hold the right from teams."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from billing.api import problems as p
from billing.api.deps import BillingDep
from billing.api.schemas import BankDetailsIn, BankDetailsPublic, CompanyBankDetailsPublic
from billing.api.validation import parse_bank_details
from billing.domain.companies import CompanyBankDetails
from billing.handlers import companies
from chassis.auth import CurrentCaller
from chassis.openapi import problems

router = APIRouter(prefix="/companies", tags=["companies"])
Siren = Annotated[str, Path(pattern=r"^\d{9}$", description="The company's SIREN")]
ERRORS = (*p.AUTH, p.MISSING_RIGHT)


def _public(company: CompanyBankDetails) -> CompanyBankDetailsPublic:
    public = BankDetailsPublic.of(company.details)
    return CompanyBankDetailsPublic(
        **public.model_dump(), siren=company.siren, changed_by=company.changed_by, changed_at=company.changed_at
    )


@router.put(
    "/{siren}/bank-details",
    operation_id="change_company_bank_details",
    response_model=CompanyBankDetailsPublic,
    responses=problems(*ERRORS, p.INVALID_IBAN, p.INVALID_BIC),
)
async def change_company_bank_details(
    siren: Siren, body: BankDetailsIn, caller: CurrentCaller, billing: BillingDep
) -> CompanyBankDetailsPublic:
    """Change the company's bank details (RIB): needs the right change_bank_details from teams."""
    return _public(
        await companies.change_company_bank_details(
            billing, siren, lambda: parse_bank_details(body), account_id=caller.account_id
        )
    )


@router.get(
    "/{siren}/bank-details",
    operation_id="get_company_bank_details",
    response_model=CompanyBankDetailsPublic,
    responses=problems(*ERRORS, p.NO_BANK_DETAILS),
)
async def get_company_bank_details(
    siren: Siren, caller: CurrentCaller, billing: BillingDep
) -> CompanyBankDetailsPublic:
    """The company's bank details, IBAN masked: for members holding the right change_bank_details."""
    return _public(await companies.company_bank_details(billing, siren, account_id=caller.account_id))
