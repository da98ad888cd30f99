"""A creditor's billing profile: opened when the account is activated, then
completed at first login (bank details, terms, SEPA mandate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from contracts import AccountActivated, PersonKind


class ProfileStatus(StrEnum):
    # Opened from the activation event; waits for bank details and the mandate.
    AWAITING_ONBOARDING = "awaiting_onboarding"
    # Onboarded, but the creditor refused the mandate: it must be signed before filing a case.
    MANDATE_REFUSED = "mandate_refused"
    # Bank details, terms and a signed mandate: direct debit can run.
    ACTIVE = "active"


def status_after(step: str) -> ProfileStatus:
    """The profile's status from the onboarding step reached."""
    if step == "done":
        return ProfileStatus.ACTIVE
    if step == "mandate_refused":
        return ProfileStatus.MANDATE_REFUSED
    return ProfileStatus.AWAITING_ONBOARDING


@dataclass(frozen=True)
class BillingProfile:
    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str
    siren: str | None
    status: ProfileStatus
    opened_at: datetime
    opened_by_event: str


def is_creditor(activated: AccountActivated) -> bool:
    """Members (registered or migrated users) are creditors with a billing
    profile; customers, the payers of an order, only have schedules."""
    return activated.account_kind == "member"


def open_profile(activated: AccountActivated, *, event_id: str, now: datetime) -> BillingProfile:
    """OpenBillingProfile: the creditor's profile, from their activation."""
    return BillingProfile(
        account_id=activated.account_id,
        email=activated.email,
        person_kind=activated.person_kind,
        display_name=activated.display_name,
        siren=activated.siren,
        status=ProfileStatus.AWAITING_ONBOARDING,
        opened_at=now,
        opened_by_event=event_id,
    )
