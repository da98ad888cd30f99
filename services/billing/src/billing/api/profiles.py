"""Creditor onboarding: the profile, bank details, terms of use, SEPA mandate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from billing.api.deps import BillingDep
from billing.api.schemas import BankDetailsIn, MandateDecisionIn, OnboardingPublic, ProfilePublic, TermsIn
from billing.api.sepa import FeesDep
from billing.api.validation import parse_bank_details
from billing.handlers import mandates
from billing.store.profiles import ProfileStore
from chassis.auth import CurrentCaller
from chassis.errors import NotFound
from chassis.service import RuntimeDep

router = APIRouter(prefix="/profiles", tags=["profiles"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid token"},
    404: {"description": "No profile yet"},
}


@router.get("/me", operation_id="get_my_billing_profile", response_model=ProfilePublic, responses=ERRORS)
async def get_my_profile(caller: CurrentCaller, runtime: RuntimeDep, billing: BillingDep) -> ProfilePublic:
    """The caller's billing profile, opened when their account was activated, with onboarding progress."""
    store = ProfileStore(runtime.db)
    profile = await store.get(caller.account_id)
    if profile is None:
        raise NotFound("no billing profile for this account yet: it opens once the account is activated")
    return ProfilePublic(
        account_id=profile.account_id,
        email=profile.email,
        person_kind=profile.person_kind,
        display_name=profile.display_name,
        siren=profile.siren,
        status=profile.status,
        opened_at=profile.opened_at,
        onboarding=OnboardingPublic.of(
            billing.onboarding.of_document(await store.onboarding_document(caller.account_id))
        ),
    )


@router.put(
    "/me/bank-details",
    operation_id="give_my_bank_details",
    response_model=OnboardingPublic,
    responses={**ERRORS, 422: {"description": "Bad IBAN or BIC (the field errors say which)"}},
)
async def give_bank_details(body: BankDetailsIn, caller: CurrentCaller, billing: BillingDep) -> OnboardingPublic:
    """Give or change the account debited (IBAN, BIC, holder); the IBAN is masked in the answer."""
    return OnboardingPublic.of(await billing.give_bank_details(caller.account_id, parse_bank_details(body)))


@router.put(
    "/me/terms-acceptance",
    operation_id="accept_terms_of_use",
    response_model=OnboardingPublic,
    responses={**ERRORS, 422: {"description": "Not the version in force"}},
)
async def accept_terms(body: TermsIn, caller: CurrentCaller, billing: BillingDep) -> OnboardingPublic:
    """Accept the terms of use in force (version and time are kept)."""
    return OnboardingPublic.of(await billing.accept_terms(caller.account_id, body.version))


@router.post(
    "/me/mandate",
    operation_id="decide_sepa_mandate",
    response_model=OnboardingPublic,
    responses={**ERRORS, 409: {"description": "Bank details or terms missing, or the mandate cannot go that way"}},
)
async def decide_mandate(body: MandateDecisionIn, caller: CurrentCaller, billing: BillingDep) -> OnboardingPublic:
    """Sign or refuse the SEPA Core direct-debit mandate (a refused one can be signed later)."""
    return OnboardingPublic.of(await billing.decide_mandate(caller.account_id, sign=body.decision == "sign"))


@router.post(
    "/me/mandate/revocation",
    operation_id="revoke_sepa_mandate",
    response_model=OnboardingPublic,
    responses={**ERRORS, 409: {"description": "No signed mandate"}},
)
async def revoke_mandate(caller: CurrentCaller, fees: FeesDep) -> OnboardingPublic:
    """Revoke the signed mandate (emits `MandateRevoked`, reason `revoked`): nothing more is collected
    under it, scheduled collections are cancelled and their fees wait for a new signature."""
    return OnboardingPublic.of(await mandates.revoke(fees, caller.account_id))
