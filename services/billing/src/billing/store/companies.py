"""The companies' bank details (collection `company_bank_details`, `_id` = SIREN): the
`CompanyBankDetailsStore` port on MongoDB. IBAN and BIC sealed at rest as in the onboarding
(`store/onboarding.py`); each change appends its audit record to the document's `history` in the
same update (who, when, the IBAN's last 4 before and after: never a second copy of an IBAN)."""

from __future__ import annotations

from typing import Any

from billing.domain.companies import CHANGED, BankDetailsAudit, CompanyBankDetails
from billing.store.onboarding import bank_details_from_doc, bank_details_to_doc
from chassis.crypto import FieldCipher
from chassis.mongo import MongoDatabase

COMPANY_BANK_DETAILS = "company_bank_details"


def audit_entry(audit: BankDetailsAudit) -> dict[str, Any]:
    return {
        "action": audit.action,
        "changed_by": audit.actor,
        "changed_at": audit.at,
        "iban_last4": audit.iban_last4,
        "previous_iban_last4": audit.previous_iban_last4,
    }


def audit_of(siren: str, doc: dict[str, Any]) -> BankDetailsAudit:
    """A history entry (those written before the audit record carry neither action nor previous)."""
    return BankDetailsAudit(
        siren=siren,
        actor=str(doc["changed_by"]),
        action=str(doc.get("action", CHANGED)),
        at=doc["changed_at"],
        iban_last4=str(doc["iban_last4"]),
        previous_iban_last4=doc.get("previous_iban_last4"),
    )


class CompanyBankDetailsMongo:
    def __init__(self, db: MongoDatabase, cipher: FieldCipher) -> None:
        self._companies = db[COMPANY_BANK_DETAILS]
        self._cipher = cipher

    async def get(self, siren: str) -> CompanyBankDetails | None:
        doc = await self._companies.find_one({"_id": siren}, {"history": 0})
        if doc is None:
            return None
        return CompanyBankDetails(
            siren=siren,
            details=bank_details_from_doc(doc, self._cipher),
            changed_by=str(doc["changed_by"]),
            changed_at=doc["changed_at"],
        )

    async def save(self, company: CompanyBankDetails, audit: BankDetailsAudit) -> None:
        await self._companies.update_one(
            {"_id": company.siren},
            {
                "$set": {
                    **bank_details_to_doc(company.details, self._cipher),
                    "changed_by": company.changed_by,
                    "changed_at": company.changed_at,
                },
                "$push": {"history": audit_entry(audit)},
            },
            upsert=True,
        )

    async def history(self, siren: str) -> list[BankDetailsAudit]:
        """The audit trail of the company's bank details, oldest first."""
        doc = await self._companies.find_one({"_id": siren}, {"history": 1})
        return [audit_of(siren, entry) for entry in (doc or {}).get("history", [])]
