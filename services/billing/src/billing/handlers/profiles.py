"""The creditor's billing profile: opened from identity's `AccountActivated`, read by its creditor."""

from __future__ import annotations

import logging

from billing.domain.onboarding import Onboarding
from billing.domain.profiles import BillingProfile, is_creditor, open_profile
from billing.handlers.common import no_profile
from billing.ports import OnboardingRepository, ProfileRepository
from chassis.clock import Clock
from contracts import AccountActivated

log = logging.getLogger("billing.handlers.profiles")


async def open_billing_profile(
    profiles: ProfileRepository, clock: Clock, event: AccountActivated, *, event_id: str
) -> bool:
    """OpenBillingProfile: a member's activation opens their profile, once (a replay is a no-op).
    Needs the profiles only: the consumer runs before the rest is wired."""
    if not is_creditor(event):
        return False
    opened = await profiles.add_if_absent(open_profile(event, event_id=event_id, now=clock.now()))
    if not opened:
        log.info("billing profile of %s already open", event.account_id)
    return opened


async def my_profile(
    profiles: ProfileRepository, onboardings: OnboardingRepository, account_id: str
) -> tuple[BillingProfile, Onboarding]:
    """The caller's profile and its onboarding (404 `no-profile` before the account is activated)."""
    profile = await profiles.get(account_id)
    if profile is None:
        raise no_profile()
    found = await onboardings.get(account_id)
    return profile, found[0] if found else Onboarding()
