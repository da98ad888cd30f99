"""A creditor's onboarding at first login: bank details, terms of use, then the SEPA mandate.
Each use case: load the onboarding through its port, decide in the domain (`domain/onboarding.py`),
save it with its events (`MandateSigned`, `MandateRefused`) in one write over the version read.
(Revoking or lapsing the mandate: `handlers/mandates.py`.)"""

from __future__ import annotations

from billing.domain import onboarding as rules
from billing.domain.bank import BankDetails
from billing.domain.onboarding import Onboarding, OnboardingError
from billing.handlers.common import load_onboarding, save_onboarding
from billing.handlers.events import mandate_decided
from billing.ports import Billing
from chassis.errors import Problem

TERMS_SERVED_AT = "they are served at GET /api/billing/terms"  # billing.api.terms


async def give_bank_details(billing: Billing, account_id: str, details: BankDetails) -> Onboarding:
    """GiveBankDetails: a pending or signed mandate follows the new account (same reference)."""
    onboarding, version = await load_onboarding(billing.onboarding, account_id)
    updated = rules.give_bank_details(onboarding, details, now=billing.clock.now())
    await save_onboarding(billing.onboarding, account_id, updated, version)
    return updated


async def accept_terms(billing: Billing, account_id: str, terms_version: str) -> Onboarding:
    """AcceptTerms: only the version in force (its time is kept)."""
    onboarding, version = await load_onboarding(billing.onboarding, account_id)
    try:
        updated = rules.accept_terms(onboarding, terms_version, billing.settings.terms_version, now=billing.clock.now())
    except OnboardingError as error:
        detail = f"{error.message}; {TERMS_SERVED_AT}"
        raise Problem(detail, status=422, code=error.code, errors=[{"field": "version", "message": detail}]) from error
    await save_onboarding(billing.onboarding, account_id, updated, version)
    return updated


async def decide_mandate(billing: Billing, account_id: str, *, sign: bool) -> Onboarding:
    """SignMandate / RefuseMandate: needs the bank details and the accepted terms."""
    onboarding, version = await load_onboarding(billing.onboarding, account_id)
    now = billing.clock.now()
    try:
        updated = rules.decide_mandate(
            onboarding,
            sign=sign,
            account_id=account_id,
            creditor_identifier=billing.settings.sepa_creditor_identifier,
            now=now,
        )
    except OnboardingError as error:
        raise Problem(error.message, status=409, code=error.code) from error
    events = mandate_decided(account_id, updated, sign=sign, now=now)
    await save_onboarding(billing.onboarding, account_id, updated, version, *events)
    return updated
