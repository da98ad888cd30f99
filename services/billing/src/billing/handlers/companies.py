"""A company's bank details, changed and read by its members holding teams' right
`change_bank_details` (billing's local rights view, fed by teams' events: no call to teams).
A change is written with its audit record (who, when, the IBAN's last 4 before and after) in one write."""

from __future__ import annotations

import logging
from collections.abc import Callable

from billing.domain import companies as rules
from billing.domain.bank import BankDetails
from billing.domain.companies import CompanyBankDetails
from billing.ports import Billing
from chassis.errors import NotFound
from contracts import Right

log = logging.getLogger("billing.handlers.companies")


async def change_company_bank_details(
    billing: Billing, siren: str, details_of: Callable[[], BankDetails], *, account_id: str
) -> CompanyBankDetails:
    """ChangeCompanyBankDetails: 403 `missing-right` without the right for that SIREN. The body is
    parsed (`details_of`, 422 on a bad IBAN or BIC) once the right is checked: a caller without it
    learns nothing from the answer."""
    await billing.rights.require(siren, account_id, Right.CHANGE_BANK_DETAILS)
    details = details_of()
    current = await billing.companies.get(siren)
    changed, audit = rules.change_bank_details(current, siren, details, by=account_id, now=billing.clock.now())
    await billing.companies.save(changed, audit)
    log.info("bank details of company %s changed by %s (IBAN ...%s)", siren, account_id, audit.iban_last4)
    return changed


async def company_bank_details(billing: Billing, siren: str, *, account_id: str) -> CompanyBankDetails:
    """The company's bank details: reading them needs the same right as changing them."""
    await billing.rights.require(siren, account_id, Right.CHANGE_BANK_DETAILS)
    found = await billing.companies.get(siren)
    if found is None:
        raise NotFound(f"no bank details for company {siren} yet", code="no-company-bank-details")
    return found
