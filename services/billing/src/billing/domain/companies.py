"""A company's bank details (its RIB), changed by the members holding teams' right
`change_bank_details`, with an audit trail of every change (DOMAIN.md, teams and billing).

The trail keeps who changed them, when, and the last 4 characters of the IBAN before and after:
enough to answer "who changed our RIB?" without holding a second copy of an IBAN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from billing.domain.bank import BankDetails

CHANGED = "company_bank_details_changed"


@dataclass(frozen=True)
class BankDetailsAudit:
    """One record of the audit trail: a change of the company's bank details."""

    siren: str
    actor: str  # the member's account id
    action: str
    at: datetime
    iban_last4: str
    previous_iban_last4: str | None  # None: the first bank details given


@dataclass(frozen=True)
class CompanyBankDetails:
    siren: str
    details: BankDetails
    changed_by: str
    changed_at: datetime


def change_bank_details(
    current: CompanyBankDetails | None, siren: str, details: BankDetails, *, by: str, now: datetime
) -> tuple[CompanyBankDetails, BankDetailsAudit]:
    """ChangeCompanyBankDetails (the right is checked before): the new details and their audit record."""
    changed = CompanyBankDetails(siren=siren, details=details, changed_by=by, changed_at=now)
    audit = BankDetailsAudit(
        siren=siren,
        actor=by,
        action=CHANGED,
        at=now,
        iban_last4=details.iban[-4:],
        previous_iban_last4=current.details.iban[-4:] if current else None,
    )
    return changed, audit
