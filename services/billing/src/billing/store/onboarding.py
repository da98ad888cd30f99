"""Onboarding state inside the profile document (field `onboarding`): the `OnboardingRepository`
port on MongoDB. (The companies' bank details: `store/companies.py`.)

IBANs and BICs are sealed at the field level (`chassis.crypto`, key ring
`BILLING_FIELD_ENCRYPTION_KEY`, associated data `billing.iban` / `billing.bic`):
the database never holds them in clear. Values written before encryption are
read as they are and sealed at their next write."""

from __future__ import annotations

from typing import Any

from billing.domain.bank import Address, BankDetails, Civility, Mandate, MandateStatus
from billing.domain.onboarding import Onboarding, TermsAcceptance
from billing.domain.profiles import status_after
from billing.ports import StaleProfile
from chassis.crypto import FieldCipher
from chassis.mongo import MongoDatabase
from chassis.outbox import Outbox
from contracts import Event

PROFILES = "profiles"


IBAN_FIELD = "billing.iban"
BIC_FIELD = "billing.bic"


def bank_details_to_doc(details: BankDetails, cipher: FieldCipher) -> dict[str, Any]:
    address = details.billing_address
    return {
        "iban": cipher.seal(details.iban, field=IBAN_FIELD),
        "bic": cipher.seal(details.bic, field=BIC_FIELD),
        "holder_name": details.holder_name,
        "holder_civility": str(details.holder_civility),
        "billing_address": (
            {"line": address.line, "postal_code": address.postal_code, "city": address.city, "country": address.country}
            if address
            else None
        ),
    }


def bank_details_from_doc(doc: dict[str, Any], cipher: FieldCipher) -> BankDetails:
    address = doc.get("billing_address")
    return BankDetails(
        iban=cipher.open_or_clear(doc["iban"], field=IBAN_FIELD),
        bic=cipher.open_or_clear(doc["bic"], field=BIC_FIELD),
        holder_name=doc["holder_name"],
        holder_civility=Civility(doc["holder_civility"]),
        billing_address=Address(**address) if address else None,
    )


def _mandate_to_doc(mandate: Mandate, cipher: FieldCipher) -> dict[str, Any]:
    return {
        "reference": mandate.reference,
        "creditor_identifier": mandate.creditor_identifier,
        "debtor_name": mandate.debtor_name,
        "iban": cipher.seal(mandate.iban, field=IBAN_FIELD),
        "bic": cipher.seal(mandate.bic, field=BIC_FIELD),
        "status": str(mandate.status),
        "scheme": mandate.scheme,
        "sequence": mandate.sequence,
        "signed_at": mandate.signed_at,
        "refused_at": mandate.refused_at,
        "revoked_at": mandate.revoked_at,
        "revoked_reason": mandate.revoked_reason,
    }


def _mandate_from_doc(doc: dict[str, Any], cipher: FieldCipher) -> Mandate:
    return Mandate(
        **{
            **doc,
            "status": MandateStatus(doc["status"]),
            "iban": cipher.open_or_clear(doc["iban"], field=IBAN_FIELD),
            "bic": cipher.open_or_clear(doc["bic"], field=BIC_FIELD),
        }
    )


def onboarding_to_doc(onboarding: Onboarding, cipher: FieldCipher) -> dict[str, Any]:
    return {
        "bank_details": bank_details_to_doc(onboarding.bank_details, cipher) if onboarding.bank_details else None,
        "terms": (
            {"version": onboarding.terms.version, "accepted_at": onboarding.terms.accepted_at}
            if onboarding.terms
            else None
        ),
        "mandate": _mandate_to_doc(onboarding.mandate, cipher) if onboarding.mandate else None,
        "mandates_issued": onboarding.mandates_issued,
    }


def onboarding_from_doc(doc: dict[str, Any] | None, cipher: FieldCipher) -> Onboarding:
    if not doc:
        return Onboarding()
    terms = doc.get("terms")
    return Onboarding(
        bank_details=bank_details_from_doc(doc["bank_details"], cipher) if doc.get("bank_details") else None,
        terms=TermsAcceptance(version=terms["version"], accepted_at=terms["accepted_at"]) if terms else None,
        mandate=_mandate_from_doc(doc["mandate"], cipher) if doc.get("mandate") else None,
        mandates_issued=int(doc.get("mandates_issued", 0)),
    )


class OnboardingStore:
    def __init__(self, db: MongoDatabase, outbox: Outbox, cipher: FieldCipher) -> None:
        self._profiles = db[PROFILES]
        self._outbox = outbox
        self._cipher = cipher

    async def get(self, account_id: str) -> tuple[Onboarding, int] | None:
        doc = await self._profiles.find_one({"_id": account_id}, {"onboarding": 1, "onboarding_version": 1})
        if doc is None:
            return None
        return onboarding_from_doc(doc.get("onboarding"), self._cipher), int(doc.get("onboarding_version", 0))

    async def save(self, account_id: str, onboarding: Onboarding, version: int, *events: Event) -> None:
        """Write if unchanged since `version`; the events ride in the same write."""
        update: dict[str, Any] = {
            "$set": {
                "onboarding": onboarding_to_doc(onboarding, self._cipher),
                "status": str(status_after(onboarding.step)),
            },
            "$inc": {"onboarding_version": 1},
        }
        if events:
            update = self._outbox.update(update, *events)
        condition: dict[str, Any] = {"_id": account_id}
        condition["onboarding_version"] = version if version else {"$in": [None, 0]}
        result = await self._profiles.update_one(condition, update)
        if result.matched_count != 1:
            raise StaleProfile(account_id)
        if events:
            self._outbox.notify()

    async def signed_mandate_holders(self) -> list[str]:
        """Account ids whose mandate is signed (the lapse job looks at each)."""
        cursor = self._profiles.find({"onboarding.mandate.status": str(MandateStatus.SIGNED)}, {"_id": 1})
        return [str(doc["_id"]) async for doc in cursor]
