"""The end of a creditor's SEPA mandate: revoked by the creditor, or lapsed after 36 months unused.

Either way the mandate cannot be collected under any more (its scheduled collections are cancelled
at the next batch and their fees wait for a new signature), and `MandateRevoked` tells recovery,
which refuses new cases until another mandate is signed.
"""

from __future__ import annotations

import logging

from billing.domain.bank import MandateStatus
from billing.domain.fees import has_lapsed
from billing.domain.onboarding import Onboarding, OnboardingError, revoke_mandate
from billing.handlers.common import load_onboarding, save_onboarding
from billing.handlers.events import mandate_revoked
from billing.ports import Fees, StaleProfile
from chassis.errors import Problem

log = logging.getLogger("billing.handlers.mandates")


async def revoke(fees: Fees, account_id: str) -> Onboarding:
    """RevokeMandate (the creditor, from their billing profile): emits `MandateRevoked` reason `revoked`."""
    onboarding, version = await load_onboarding(fees.onboardings, account_id)
    try:
        updated = revoke_mandate(onboarding, now=fees.clock.now(), reason="revoked")
    except OnboardingError as error:
        raise Problem(error.message, status=409, code=error.code) from error
    await save_onboarding(fees.onboardings, account_id, updated, version, mandate_revoked(account_id, updated))
    return updated


async def lapse_mandate(fees: Fees, account_id: str) -> bool:
    """LapseMandate: a signed mandate unused for 36 months (its last collection, or its signature)
    ends with `MandateRevoked` reason `lapsed`; a new signature is needed. False if it has not
    lapsed, or changed meanwhile (another instance lapsed it, or the creditor acted)."""
    found = await fees.onboardings.get(account_id)
    if found is None:
        return False
    onboarding, version = found
    mandate = onboarding.mandate
    now = fees.clock.now()
    if mandate is None or mandate.status is not MandateStatus.SIGNED:
        return False
    if not has_lapsed(await fees.ledgers.get(account_id), mandate, now.date()):
        return False
    updated = revoke_mandate(onboarding, now=now, reason="lapsed")
    try:
        await fees.onboardings.save(account_id, updated, version, mandate_revoked(account_id, updated))
    except StaleProfile:
        return False
    log.info("mandate %s of %s lapsed (unused for 36 months)", mandate.reference, account_id)
    return True


async def lapse_unused_mandates(fees: Fees) -> int:
    """The periodic pass: every signed mandate that has lapsed ends. The write is conditional on the
    profile's version, so two instances never both lapse one (the second writes nothing)."""
    lapsed = 0
    for account_id in await fees.onboardings.signed_mandate_holders():
        if await lapse_mandate(fees, account_id):
            lapsed += 1
    return lapsed
