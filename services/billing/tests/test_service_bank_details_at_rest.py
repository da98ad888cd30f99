"""IBANs and BICs at rest (real Mongo server): the raw documents hold them only
sealed (`chassis.crypto`), every read opens them, and answers stay masked."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from billing.domain.bank import BankDetails, Civility
from billing.domain.companies import change_bank_details
from billing.handlers import onboarding
from billing.ports import Billing
from billing.settings import BillingSettings
from billing.store.onboarding import IBAN_FIELD
from chassis.crypto import DecryptionFailed, FieldCipher, new_key_entry
from devstack.stack import Stack
from services.billing.tests.service_app import billing_app

pytestmark = pytest.mark.infra
IBAN, BIC = "FR1420041010050500013M02606", "PSSTFRPPXXX"
KEY = new_key_entry("b1")
START = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
async def billing(stack: Stack) -> AsyncIterator[tuple[Billing, Any]]:
    async with billing_app(stack, "billing_k", START, field_encryption_key=KEY) as service:
        yield service.billing, service.db


def clear_values_in(document: Any) -> list[str]:
    """The IBAN (or a run of its digits) or the BIC, where a raw document holds them in clear.
    (The MandateSigned event waiting in `_outbox` names the bank by its BIC, by contract:
    a BIC is the bank's public identifier; the IBAN travels masked.)"""
    stored = {key: value for key, value in document.items() if key != "_outbox"}
    found = [value for value in (IBAN, IBAN[4:12]) if value in repr(document)]
    return found + ([BIC] if BIC in repr(stored) else [])


async def test_ibans_and_bics_are_sealed_in_the_database(billing: tuple[Billing, Any]) -> None:
    service, db = billing
    account = f"acc-{uuid.uuid4().hex[:8]}"
    await db["profiles"].insert_one(
        {"_id": account, "email": "c@example.fr", "person_kind": "legal", "display_name": "ACME"}
        | {"siren": "732829320", "status": "awaiting_onboarding", "opened_at": datetime.now(UTC)}
    )
    details = BankDetails(IBAN, BIC, "Jeanne Martin", Civility.MRS)
    await onboarding.give_bank_details(service, account, details)
    await onboarding.accept_terms(service, account, service.settings.terms_version)
    signed = await onboarding.decide_mandate(service, account, sign=True)
    assert signed.mandate is not None
    assert signed.mandate.iban == IBAN  # read back opened
    await service.companies.save(*change_bank_details(None, "732829320", details, by=account, now=START))

    profile = await db["profiles"].find_one({"_id": account})
    company = await db["company_bank_details"].find_one({"_id": "732829320"})
    assert clear_values_in(profile) == []
    assert clear_values_in(company) == []
    sealed = profile["onboarding"]["bank_details"]["iban"]
    assert sealed.startswith("enc:v1:b1:")
    assert profile["onboarding"]["mandate"]["iban"].startswith("enc:v1:b1:")
    # Only the key ring opens it, and only as the field it was sealed for.
    assert FieldCipher.from_setting(KEY).open(sealed, field=IBAN_FIELD) == IBAN
    with pytest.raises(DecryptionFailed):
        FieldCipher.from_setting(new_key_entry("b1")).open(sealed, field=IBAN_FIELD)
    with pytest.raises(DecryptionFailed):
        FieldCipher.from_setting(KEY).open(sealed, field="billing.bic")
    found = await service.companies.get("732829320")
    assert found is not None
    assert found.details.iban == IBAN
    # The audit trail keeps the last 4 characters only.
    [audit] = await service.companies.history("732829320")
    assert (audit.actor, audit.iban_last4, audit.previous_iban_last4) == (account, "2606", None)


async def test_an_iban_stored_in_clear_earlier_is_read_and_sealed_at_its_next_write(
    billing: tuple[Billing, Any],
) -> None:
    service, db = billing
    await db["company_bank_details"].insert_one(
        {"_id": "552100554", "iban": IBAN, "bic": BIC, "holder_name": "Paul", "holder_civility": "mr"}
        | {"billing_address": None, "changed_by": "old", "changed_at": datetime.now(UTC)}
    )
    found = await service.companies.get("552100554")
    assert found is not None
    assert found.details.iban == IBAN
    await service.companies.save(*change_bank_details(found, "552100554", found.details, by="new", now=START))
    assert clear_values_in(await db["company_bank_details"].find_one({"_id": "552100554"})) == []
    [audit] = await service.companies.history("552100554")
    assert (audit.actor, audit.previous_iban_last4) == ("new", "2606")


def test_production_refuses_a_missing_or_malformed_key() -> None:
    with pytest.raises(ValueError, match="BILLING_FIELD_ENCRYPTION_KEY"):
        BillingSettings(environment="production")
    with pytest.raises(ValueError, match="32 bytes"):
        BillingSettings(environment="production", field_encryption_key="k1:c2hvcnQ=")
    BillingSettings(environment="production", field_encryption_key=KEY)
