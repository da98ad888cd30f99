"""Creditor onboarding at first login (DOMAIN.md, billing [001]): bank details,
terms of use, then the SEPA mandate. Pure rules over the profile's state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from billing.domain.bank import (
    BankDetails,
    Mandate,
    MandateStatus,
    check_mandate_transition,
    mandate_reference,
)


class OnboardingError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class TermsAcceptance:
    version: str
    accepted_at: datetime


@dataclass(frozen=True)
class Onboarding:
    bank_details: BankDetails | None = None
    terms: TermsAcceptance | None = None
    mandate: Mandate | None = None
    mandates_issued: int = 0

    @property
    def step(self) -> str:
        """What the creditor has to do next."""
        if self.bank_details is None:
            return "bank_details"
        if self.terms is None:
            return "terms"
        if self.mandate is None or self.mandate.status in (MandateStatus.PENDING, MandateStatus.REVOKED):
            return "mandate"
        if self.mandate.status is MandateStatus.REFUSED:
            return "mandate_refused"
        return "done"


def give_bank_details(onboarding: Onboarding, details: BankDetails, *, now: datetime) -> Onboarding:
    """A signed mandate follows the account: SEPA allows amending the debtor's account."""
    mandate = onboarding.mandate
    if mandate is not None and mandate.status in (MandateStatus.SIGNED, MandateStatus.PENDING):
        mandate = replace(mandate, iban=details.iban, bic=details.bic, debtor_name=details.holder_name)
    return replace(onboarding, bank_details=details, mandate=mandate)


def accept_terms(onboarding: Onboarding, version: str, current_version: str, *, now: datetime) -> Onboarding:
    if version != current_version:
        raise OnboardingError(
            f"the terms in force are version {current_version}, not {version}: read and accept those",
            code="terms-version",
        )
    return replace(onboarding, terms=TermsAcceptance(version=version, accepted_at=now))


def decide_mandate(
    onboarding: Onboarding, *, sign: bool, account_id: str, creditor_identifier: str, now: datetime
) -> Onboarding:
    """SignMandate / RefuseMandate. Both need the bank details and the accepted terms."""
    if onboarding.bank_details is None:
        raise OnboardingError("give your bank details (IBAN, BIC) before the mandate", code="bank-details-missing")
    if onboarding.terms is None:
        raise OnboardingError("accept the terms of use before the mandate", code="terms-not-accepted")
    target = MandateStatus.SIGNED if sign else MandateStatus.REFUSED
    mandate = onboarding.mandate
    issued = onboarding.mandates_issued
    if mandate is None or mandate.status is MandateStatus.REVOKED:
        issued += 1
        details = onboarding.bank_details
        mandate = Mandate(
            reference=mandate_reference(account_id, issued),
            creditor_identifier=creditor_identifier,
            debtor_name=details.holder_name,
            iban=details.iban,
            bic=details.bic,
            status=MandateStatus.PENDING,
        )
    try:
        check_mandate_transition(mandate.status, target)
    except ValueError as error:
        raise OnboardingError(str(error), code="mandate-status") from error
    if sign:
        mandate = replace(mandate, status=target, signed_at=now)
    else:
        mandate = replace(mandate, status=target, refused_at=now)
    return replace(onboarding, mandate=mandate, mandates_issued=issued)


def revoke_mandate(onboarding: Onboarding, *, now: datetime, reason: str = "revoked") -> Onboarding:
    """The signed mandate ends: revoked by the creditor, or lapsed (unused for 36 months)."""
    if onboarding.mandate is None:
        raise OnboardingError("there is no mandate to revoke", code="no-mandate")
    try:
        check_mandate_transition(onboarding.mandate.status, MandateStatus.REVOKED)
    except ValueError as error:
        raise OnboardingError(str(error), code="mandate-status") from error
    return replace(
        onboarding,
        mandate=replace(onboarding.mandate, status=MandateStatus.REVOKED, revoked_at=now, revoked_reason=reason),
    )
