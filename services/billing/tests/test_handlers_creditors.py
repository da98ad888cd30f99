"""Billing's creditor use cases on in-memory fakes of their ports: the profile opened from the
activation, onboarding (bank details, terms, mandate), a company's bank details under teams' right
with their audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from billing.domain.bank import Address, BankDetails, Civility, MandateStatus, mask_iban
from billing.domain.onboarding import Onboarding
from billing.domain.profiles import ProfileStatus
from billing.handlers import companies, mandates, onboarding, profiles
from billing.ports import Fees
from chassis.errors import Problem
from contracts import AccountActivated, PersonKind, Right
from contracts.events.billing import MandateRefused, MandateRevoked, MandateSigned
from services.billing.tests.fakes import FakeBatches, FakeBilling, FakeLedgers, fake_billing

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
SIREN = "732829320"
DETAILS = BankDetails(
    "FR1420041010050500013M02606", "PSSTFRPPXXX", "Jeanne Martin", Civility.MRS,
    Address("3 rue de la Paix", "75002", "Paris"),
)  # fmt: skip
OTHER = BankDetails("FR7630006000011234567890189", "AGRIFRPPXXX", "ACME SAS", Civility.MR)


def activated(account_id: str = "acc-1", kind: str = "member") -> AccountActivated:
    return AccountActivated(
        account_id=account_id,
        email=f"{account_id}@example.fr",
        person_kind=PersonKind.LEGAL,
        display_name="ACME SAS",
        siren=SIREN,
        account_kind=kind,
    )


async def opened(f: FakeBilling, account_id: str = "acc-1") -> str:
    assert await profiles.open_billing_profile(f.profiles, f.clock, activated(account_id), event_id="e-1")
    return account_id


def refusal(error: pytest.ExceptionInfo[Problem]) -> tuple[int, str | None]:
    return error.value.status, error.value.code


# --- the profile ------------------------------------------------------------------------------


async def test_an_activated_member_gets_one_profile_and_a_customer_none() -> None:
    f = fake_billing(NOW)
    account = await opened(f)
    assert not await profiles.open_billing_profile(f.profiles, f.clock, activated(), event_id="e-2")  # a replay
    assert not await profiles.open_billing_profile(f.profiles, f.clock, activated("cust", "customer"), event_id="e")
    profile, progress = await profiles.my_profile(f.profiles, f.onboardings, account)
    assert (profile.status, profile.opened_by_event, progress.step) == (
        ProfileStatus.AWAITING_ONBOARDING,
        "e-1",
        "bank_details",
    )
    with pytest.raises(Problem) as none:
        await profiles.my_profile(f.profiles, f.onboardings, "cust")
    assert refusal(none) == (404, "no-profile")


# --- onboarding -------------------------------------------------------------------------------


async def test_onboarding_goes_bank_details_then_terms_then_the_mandate() -> None:
    f = fake_billing(NOW)
    account = await opened(f)
    f.onboardings.docs[account] = (Onboarding(), 0)  # the profile as the store reads it
    with pytest.raises(Problem) as early:
        await onboarding.decide_mandate(f.billing, account, sign=True)
    assert refusal(early) == (409, "bank-details-missing")
    await onboarding.give_bank_details(f.billing, account, DETAILS)
    with pytest.raises(Problem) as no_terms:
        await onboarding.decide_mandate(f.billing, account, sign=True)
    assert refusal(no_terms) == (409, "terms-not-accepted")
    with pytest.raises(Problem) as old_terms:
        await onboarding.accept_terms(f.billing, account, "1999-01")
    assert refusal(old_terms) == (422, "terms-version")
    assert "GET /api/billing/terms" in old_terms.value.detail
    assert old_terms.value.errors is not None
    assert old_terms.value.errors[0]["field"] == "version"
    await onboarding.accept_terms(f.billing, account, f.billing.settings.terms_version)
    refused = await onboarding.decide_mandate(f.billing, account, sign=False)
    assert refused.mandate is not None
    assert refused.step == "mandate_refused"
    signed = await onboarding.decide_mandate(f.billing, account, sign=True)
    assert signed.mandate is not None
    assert (signed.mandate.status, signed.step) == (MandateStatus.SIGNED, "done")
    [refusal_event, signature] = [event for _, event in f.onboardings.events]
    assert isinstance(refusal_event, MandateRefused)
    assert isinstance(signature, MandateSigned)
    assert signature.iban_masked == mask_iban(DETAILS.iban)
    assert DETAILS.iban not in signature.model_dump_json()
    assert signature.holder_name == "Jeanne Martin"
    assert signature.holder_address is not None
    assert signature.holder_address.city == "Paris"
    with pytest.raises(Problem) as twice:
        await onboarding.decide_mandate(f.billing, account, sign=True)
    assert refusal(twice) == (409, "mandate-status")


async def test_new_bank_details_amend_the_signed_mandate_and_a_concurrent_change_is_busy() -> None:
    f = fake_billing(NOW)
    account = await opened(f)
    f.onboardings.docs[account] = (Onboarding(), 0)
    await onboarding.give_bank_details(f.billing, account, DETAILS)
    await onboarding.accept_terms(f.billing, account, f.billing.settings.terms_version)
    signed = await onboarding.decide_mandate(f.billing, account, sign=True)
    amended = await onboarding.give_bank_details(f.billing, account, OTHER)
    assert amended.mandate is not None
    assert signed.mandate is not None
    assert (amended.mandate.reference, amended.mandate.iban) == (signed.mandate.reference, OTHER.iban)
    f.onboardings.changed_after_read.add(account)  # a change lands between the read and the write
    with pytest.raises(Problem) as busy:
        await onboarding.give_bank_details(f.billing, account, DETAILS)
    assert refusal(busy) == (409, "profile-busy")


async def test_revoking_needs_a_profile_and_a_signed_mandate() -> None:
    f = fake_billing(NOW)
    fees = Fees(FakeLedgers(), FakeBatches(), f.onboardings, f.profiles, None, None, f.clock)  # type: ignore[arg-type]
    with pytest.raises(Problem) as none:
        await mandates.revoke(fees, "nobody")
    assert refusal(none) == (404, "no-profile")
    f.onboardings.docs["acc-1"] = (Onboarding(), 0)
    with pytest.raises(Problem) as unsigned:
        await mandates.revoke(fees, "acc-1")
    assert refusal(unsigned) == (409, "no-mandate")
    await onboarding.give_bank_details(f.billing, "acc-1", DETAILS)
    await onboarding.accept_terms(f.billing, "acc-1", f.billing.settings.terms_version)
    await onboarding.decide_mandate(f.billing, "acc-1", sign=True)
    f.clock.advance(days=3)
    revoked = await mandates.revoke(fees, "acc-1")
    assert revoked.mandate is not None
    assert revoked.mandate.revoked_at == NOW + timedelta(days=3)
    event = f.onboardings.events[-1][1]
    assert isinstance(event, MandateRevoked)
    assert event.reason == "revoked"


# --- a company's bank details -----------------------------------------------------------------


async def test_a_company_bank_details_change_needs_the_right_before_the_body_is_even_read() -> None:
    f = fake_billing(NOW)
    read: list[bool] = []

    def details() -> BankDetails:
        read.append(True)
        return DETAILS

    with pytest.raises(Problem) as forbidden:
        await companies.change_company_bank_details(f.billing, SIREN, details, account_id="member-1")
    assert refusal(forbidden) == (403, "missing-right")
    assert read == []
    assert f.companies.docs == {}
    with pytest.raises(Problem) as unreadable:
        await companies.company_bank_details(f.billing, SIREN, account_id="member-1")
    assert refusal(unreadable) == (403, "missing-right")


async def test_a_company_bank_details_change_is_written_with_its_audit_record() -> None:
    f = fake_billing(NOW)
    f.rights.grant(SIREN, "member-1", Right.CHANGE_BANK_DETAILS)
    f.rights.grant(SIREN, "member-2", Right.CHANGE_BANK_DETAILS)
    with pytest.raises(Problem) as none:
        await companies.company_bank_details(f.billing, SIREN, account_id="member-1")
    assert refusal(none) == (404, "no-company-bank-details")
    first = await companies.change_company_bank_details(f.billing, SIREN, lambda: DETAILS, account_id="member-1")
    f.clock.advance(hours=2)
    await companies.change_company_bank_details(f.billing, SIREN, lambda: OTHER, account_id="member-2")
    assert first.changed_by == "member-1"
    now = await companies.company_bank_details(f.billing, SIREN, account_id="member-1")
    assert (now.details, now.changed_by, now.changed_at) == (OTHER, "member-2", NOW + timedelta(hours=2))
    trail = await f.companies.history(SIREN)
    assert [(a.actor, a.previous_iban_last4, a.iban_last4) for a in trail] == [
        ("member-1", None, "2606"),
        ("member-2", "2606", "0189"),
    ]
    assert {a.action for a in trail} == {"company_bank_details_changed"}
    assert all(DETAILS.iban not in repr(a) for a in trail)
