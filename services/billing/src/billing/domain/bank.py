"""Bank details (IBAN, BIC) and the SEPA Core mandate (DOMAIN.md, billing [001]).

IBAN and BIC are checked by schwifty (a maintained library): checksum, the
country's length and format, and a BIC that belongs to the IBAN's bank.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)


class BankDetailsError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Civility(StrEnum):
    MR = "mr"
    MRS = "mrs"


@dataclass(frozen=True)
class Address:
    line: str
    postal_code: str
    city: str
    country: str = "FR"


@dataclass(frozen=True)
class BankDetails:
    iban: str  # electronic format, no spaces
    bic: str
    holder_name: str
    holder_civility: Civility
    billing_address: Address | None = None


def mask_iban(iban: str) -> str:
    """FR1420041010050500013M02606 -> "FR14 **** **** **** **** ***2 606": country, check digits, last 4."""
    compact = iban.replace(" ", "")
    hidden = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


def _scrub(error: Exception, iban: str) -> str:
    """The library's message without the account number it may quote (IBANs are never echoed)."""
    message = str(error)
    for form in {iban, iban.replace(" ", ""), iban.replace(" ", "").upper()}:
        if form:
            message = message.replace(form, mask_iban(form))
    return message


def validate_bank_account(iban: str, bic: str) -> tuple[str, str]:
    """The IBAN and BIC in canonical form, or a BankDetailsError naming the field."""
    try:
        parsed_iban = IBAN(iban)
    except InvalidChecksumDigits as error:
        raise BankDetailsError("iban", "the IBAN's check digits are wrong: a character was mistyped") from error
    except InvalidLength as error:
        raise BankDetailsError("iban", f"the IBAN does not have its country's length: {error}") from error
    except InvalidStructure as error:
        raise BankDetailsError("iban", f"the IBAN does not have its country's format: {_scrub(error, iban)}") from error
    except SchwiftyException as error:
        raise BankDetailsError("iban", f"invalid IBAN: {_scrub(error, iban)}") from error
    try:
        parsed_bic = BIC(bic)
    except SchwiftyException as error:
        raise BankDetailsError("bic", f"invalid BIC: {error}") from error
    if parsed_bic.country_code != parsed_iban.country_code:
        raise BankDetailsError(
            "bic",
            f"the BIC is of a bank in {parsed_bic.country_code}, the IBAN of an account in {parsed_iban.country_code}",
        )
    expected = parsed_iban.bic
    if expected is not None and str(expected)[:4] != str(parsed_bic)[:4]:
        raise BankDetailsError("bic", f"the BIC does not match the IBAN's bank (expected {expected})")
    return str(parsed_iban.compact), str(parsed_bic)


class MandateStatus(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    REFUSED = "refused"
    REVOKED = "revoked"


class MandateTransitionError(ValueError):
    pass


# Which decision is allowed from which status: a refused mandate may be signed
# later (when the creditor files a case); a revoked one is replaced by a new one.
_ALLOWED: dict[MandateStatus, frozenset[MandateStatus]] = {
    MandateStatus.PENDING: frozenset({MandateStatus.SIGNED, MandateStatus.REFUSED}),
    MandateStatus.REFUSED: frozenset({MandateStatus.SIGNED}),
    MandateStatus.SIGNED: frozenset({MandateStatus.REVOKED}),
    MandateStatus.REVOKED: frozenset(),
}


def check_mandate_transition(current: MandateStatus, target: MandateStatus) -> None:
    if target not in _ALLOWED[current]:
        raise MandateTransitionError(f"a {current} mandate cannot become {target}")


@dataclass(frozen=True)
class Mandate:
    """A SEPA Core, recurrent direct-debit mandate."""

    reference: str
    creditor_identifier: str
    debtor_name: str
    iban: str
    bic: str
    status: MandateStatus
    scheme: str = "CORE"
    sequence: str = "RCUR"  # recurrent; the first collection goes as FRST
    signed_at: datetime | None = None
    refused_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None  # revoked (by the creditor) | lapsed (36 months unused)


def mandate_reference(account_id: str, issued: int) -> str:
    """Unique per creditor and issue (SEPA: up to 35 characters, A-Z 0-9 and '-')."""
    core = "".join(ch for ch in account_id.upper() if ch.isalnum())[:24]
    return f"CD-{core}-{issued:03d}"


# --- SEPA collection rules for a creditor's fees (DOMAIN.md, billing) ----------------

PRENOTIFICATION_DAYS = 14
MANDATE_LAPSE_MONTHS = 36


def prenotification_due_by(collection: date, days: int = PRENOTIFICATION_DAYS) -> date:
    """The latest day the debtor must be told of a collection: 14 calendar days before,
    unless the mandate's terms say otherwise (`days`)."""
    if days < 0:
        raise ValueError("a pre-notification period cannot be negative")
    return collection - timedelta(days=days)


def sequence_type(collections_made: int) -> str:
    """FRST for the first collection under a mandate, RCUR for the next ones."""
    return "FRST" if collections_made == 0 else "RCUR"


def mandate_lapsed(last_used: date, today: date) -> bool:
    """A mandate unused for 36 months lapses (counted to the same day number, or the month's last day)."""
    year, month = divmod(last_used.month - 1 + MANDATE_LAPSE_MONTHS, 12)
    year += last_used.year
    month += 1
    day = min(last_used.day, monthrange(year, month)[1])
    return today >= date(year, month, day)
