"""Turns request bodies into domain values, with field errors as problems."""

from __future__ import annotations

from billing.api.schemas import BankDetailsIn
from billing.domain.bank import Address, BankDetails, BankDetailsError, validate_bank_account
from chassis.errors import Problem


def parse_bank_details(body: BankDetailsIn) -> BankDetails:
    try:
        iban, bic = validate_bank_account(body.iban, body.bic)
    except BankDetailsError as error:
        raise Problem(
            error.message,
            status=422,
            code=f"invalid-{error.field}",
            errors=[{"field": error.field, "message": error.message}],
        ) from error
    address = body.billing_address
    return BankDetails(
        iban=iban,
        bic=bic,
        holder_name=body.holder_name.strip(),
        holder_civility=body.holder_civility,
        billing_address=Address(address.line, address.postal_code, address.city, address.country) if address else None,
    )
