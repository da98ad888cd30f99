"""Creditor onboarding: the profile, bank details, terms of use, SEPA mandate."""

from __future__ import annotations

from fastapi import APIRouter

from billing.api import problems as p
from billing.api.deps import BillingDep, FeesDep
from billing.api.schemas import (
    BankDetailsIn,
    MandateDecisionIn,
    OnboardingPublic,
    ProfilePublic,
    TermsIn,
    TermsInForce,
)
from billing.api.validation import parse_bank_details
from billing.handlers import mandates, onboarding, profiles
from chassis.auth import CurrentCaller
from chassis.openapi import problems

router = APIRouter(prefix="/profiles", tags=["profiles"])
ERRORS = (*p.AUTH, p.NO_PROFILE)


@router.get("/me", operation_id="get_my_billing_profile", response_model=ProfilePublic, responses=problems(*ERRORS))
async def get_my_profile(caller: CurrentCaller, billing: BillingDep) -> ProfilePublic:
    """The caller's billing profile, opened when their account was activated, with onboarding progress."""
    profile, progress = await profiles.my_profile(billing.profiles, billing.onboarding, caller.account_id)
    return ProfilePublic(
        account_id=profile.account_id,
        email=profile.email,
        person_kind=profile.person_kind,
        display_name=profile.display_name,
        siren=profile.siren,
        status=profile.status,
        opened_at=profile.opened_at,
        onboarding=OnboardingPublic.of(progress),
        terms_in_force=TermsInForce(
            version=billing.settings.terms_version,
            effective_date=billing.settings.terms_effective_date,
            read_at="GET /api/billing/terms",
        ),
    )


@router.put(
    "/me/bank-details",
    operation_id="give_my_bank_details",
    response_model=OnboardingPublic,
    responses=problems(*ERRORS, p.PROFILE_BUSY, p.INVALID_IBAN, p.INVALID_BIC),
)
async def give_bank_details(body: BankDetailsIn, caller: CurrentCaller, billing: BillingDep) -> OnboardingPublic:
    """Give or change the account debited (IBAN, BIC, holder); the IBAN is masked in the answer."""
    return OnboardingPublic.of(await onboarding.give_bank_details(billing, caller.account_id, parse_bank_details(body)))


@router.put(
    "/me/terms-acceptance",
    operation_id="accept_terms_of_use",
    response_model=OnboardingPublic,
    responses=problems(*ERRORS, p.PROFILE_BUSY, p.TERMS_VERSION),
)
async def accept_terms(body: TermsIn, caller: CurrentCaller, billing: BillingDep) -> OnboardingPublic:
    """Accept the terms of use in force (version and time are kept)."""
    return OnboardingPublic.of(await onboarding.accept_terms(billing, caller.account_id, body.version))


@router.post(
    "/me/mandate",
    operation_id="decide_sepa_mandate",
    response_model=OnboardingPublic,
    responses=problems(*ERRORS, p.PROFILE_BUSY, p.BANK_DETAILS_MISSING, p.TERMS_NOT_ACCEPTED, p.MANDATE_STATUS),
)
async def decide_mandate(body: MandateDecisionIn, caller: CurrentCaller, billing: BillingDep) -> OnboardingPublic:
    """Sign or refuse the SEPA Core direct-debit mandate (a refused one can be signed later)."""
    return OnboardingPublic.of(
        await onboarding.decide_mandate(billing, caller.account_id, sign=body.decision == "sign")
    )


@router.post(
    "/me/mandate/revocation",
    operation_id="revoke_sepa_mandate",
    response_model=OnboardingPublic,
    responses=problems(*ERRORS, p.PROFILE_BUSY, p.NO_MANDATE, p.MANDATE_STATUS),
)
async def revoke_mandate(caller: CurrentCaller, fees: FeesDep) -> OnboardingPublic:
    """Revoke the signed mandate (emits `MandateRevoked`, reason `revoked`): nothing more is collected
    under it, scheduled collections are cancelled and their fees wait for a new signature."""
    return OnboardingPublic.of(await mandates.revoke(fees, caller.account_id))
