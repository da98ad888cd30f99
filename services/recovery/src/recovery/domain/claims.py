"""A case's claim: who owes what, why, and whether the simplified procedure covers it.

The rules (DOMAIN.md, recovery [001]; CPCE L125-1 and R125-1):
- principal plus interest at most 5,000.00 EUR (`ceiling-exceeded`, R125-1);
- a contractual cause or a statutory obligation, nothing else (`cause-not-covered`, L125-1);
- the claim is due: every invoice is past its due date on the filing day (`invoice-not-due`);
- what a creditor expects of an invoice list: at least one invoice, numbers present and unique,
  amounts positive, issued on or before their due date and not after the filing day; interest not negative;
- the debtor: a natural or legal person, a legal person's SIREN valid (python-stdnum), a postal
  address in France (overseas departments included) whose department is derived from the
  postcode, an email, a phone optional.

`accept_claim` checks everything and reports every failed rule at once (`ClaimRefused`), each with a
code, the field it concerns, a French and an English message and the rule's source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum.fr import siren as stdnum_siren

from recovery.domain.text import has_control_characters

CEILING_CENTS = 500_000  # CPCE R125-1: 5,000 EUR, principal and interest.


class PersonKind(StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"


class ClaimCause(StrEnum):
    """L125-1 covers a claim with a contractual cause or resulting from a statutory obligation."""

    CONTRACT = "contract"
    STATUTORY_OBLIGATION = "statutory_obligation"


@dataclass(frozen=True)
class Violation:
    """One failed rule: `code` is stable (clients switch on it), the messages are for people."""

    code: str
    field: str
    message_fr: str
    message_en: str
    source: str = ""


class ClaimRefused(ValueError):
    """Every rule the claim fails, reported at once."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.message_en}" for v in violations))
        self.violations = tuple(violations)

    @property
    def codes(self) -> set[str]:
        return {v.code for v in self.violations}


# --- what arrives (raw, unchecked) -------------------------------------------


@dataclass(frozen=True)
class AddressInput:
    line1: str
    postcode: str
    city: str
    line2: str = ""


@dataclass(frozen=True)
class DebtorInput:
    kind: str
    name: str  # last name of a natural person, company name of a legal person
    address: AddressInput
    email: str
    first_name: str = ""
    siren: str = ""
    phone: str = ""
    trader: bool = False  # a trader (commerçant): decides the injunction's court


@dataclass(frozen=True)
class InvoiceInput:
    number: str
    issue_date: date
    due_date: date
    amount_cents: int


@dataclass(frozen=True)
class ClaimInput:
    debtor: DebtorInput
    cause: str
    invoices: tuple[InvoiceInput, ...]
    interest_cents: int = 0
    description: str = ""  # the origin of the claim in the creditor's words (R125-2 letter)
    # The creditor's postal address for the letters, when recovery's view of identity has none.
    creditor_address: AddressInput | None = None


# --- what is kept (checked) --------------------------------------------------


@dataclass(frozen=True)
class PostalAddress:
    line1: str
    postcode: str
    city: str
    department: str  # "01".."95", "2A", "2B", "971".."978"
    line2: str = ""


@dataclass(frozen=True)
class Debtor:
    kind: PersonKind
    name: str
    address: PostalAddress
    email: str
    first_name: str = ""
    siren: str = ""
    phone: str = ""
    trader: bool = False

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.name}".strip() if self.kind is PersonKind.NATURAL else self.name


@dataclass(frozen=True)
class Invoice:
    number: str
    issue_date: date
    due_date: date
    amount_cents: int


@dataclass(frozen=True)
class Claim:
    debtor: Debtor
    cause: ClaimCause
    invoices: tuple[Invoice, ...]
    interest_cents: int = 0
    description: str = ""
    creditor_address: PostalAddress | None = None  # as filed (the letters show the creditor's address)

    @property
    def principal_cents(self) -> int:
        return sum(invoice.amount_cents for invoice in self.invoices)

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.interest_cents


# --- the rules ---------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# French numbers, national (0X XX XX XX XX) or international (+33 / +262 / ...), spaces, dots, dashes allowed.
_PHONE = re.compile(r"^(\+\d{2,3}|0)\d{9}$")
_POSTCODE = re.compile(r"^\d{5}$")
# Overseas departments by the first three digits of the postcode. Saint-Pierre-et-Miquelon (975) and
# Saint-Barthélemy and Saint-Martin (postcodes 97133 and 97150, INSEE codes 977 and 978) are overseas
# collectivities where the civil enforcement code applies; they are accepted (see jurisdiction.py).
OVERSEAS = frozenset({"971", "972", "973", "974", "975", "976"})
COLLECTIVITY_POSTCODES = {"97133": "977", "97150": "978"}


class AddressOutsideFrance(ValueError):
    pass


def department_of(postcode: str) -> str:
    """The department of a French postcode: the first two digits, Corsica split into 2A (200xx-201xx)
    and 2B (202xx-206xx), overseas by three digits (971-976; 977 and 978 for Saint-Barthélemy and
    Saint-Martin, whose postcodes start with 971). Raises for a postcode outside the
    departments (98xxx: Monaco and the Pacific collectivities; 00xxx, 96xxx, 977xx-979xx)."""
    if not _POSTCODE.match(postcode):
        raise ValueError("a French postcode has 5 digits")
    head = postcode[:2]
    if head == "20":
        return "2A" if postcode[2] in "01" else "2B"
    if head == "97":
        if postcode in COLLECTIVITY_POSTCODES:
            return COLLECTIVITY_POSTCODES[postcode]
        if postcode[:3] in OVERSEAS:
            return postcode[:3]
        raise AddressOutsideFrance(postcode)
    if head in {"00", "96", "98", "99"}:
        raise AddressOutsideFrance(postcode)
    return head


def _text(violations: list[Violation], name: str, value: str, *, required: bool, max_length: int = 200) -> str:
    value = value.strip()
    if required and not value:
        violations.append(Violation("required", name, "Champ obligatoire.", "This field is required."))
    elif has_control_characters(value):
        violations.append(
            Violation(
                "control-characters",
                name,
                "Caractères de contrôle interdits.",
                "Control characters are not allowed.",
            )
        )
    elif len(value) > max_length:
        violations.append(
            Violation(
                "too-long",
                name,
                f"{max_length} caractères au plus.",
                f"At most {max_length} characters.",
            )
        )
    return value


def _address(violations: list[Violation], raw: AddressInput, at: str = "debtor.address") -> PostalAddress:
    line1 = _text(violations, f"{at}.line1", raw.line1, required=True)
    line2 = _text(violations, f"{at}.line2", raw.line2, required=False)
    city = _text(violations, f"{at}.city", raw.city, required=True, max_length=100)
    postcode = raw.postcode.strip()
    department = ""
    try:
        department = department_of(postcode)
    except AddressOutsideFrance:
        violations.append(
            Violation(
                "address-outside-france",
                f"{at}.postcode",
                "Le débiteur doit être domicilié en France (départements d'outre-mer compris).",
                "The debtor must live in France (overseas departments included).",
                "CPCE R125-1",
            )
        )
    except ValueError:
        violations.append(
            Violation(
                "postcode-invalid",
                f"{at}.postcode",
                "Un code postal français a 5 chiffres.",
                "A French postcode has 5 digits.",
            )
        )
    return PostalAddress(line1=line1, line2=line2, postcode=postcode, city=city, department=department)


def _debtor(violations: list[Violation], raw: DebtorInput) -> Debtor:
    try:
        kind = PersonKind(raw.kind)
    except ValueError:
        violations.append(
            Violation(
                "debtor-kind-invalid",
                "debtor.kind",
                "Le débiteur est une personne physique ou morale.",
                "The debtor is a natural or a legal person.",
            )
        )
        kind = PersonKind.NATURAL
    name = _text(violations, "debtor.name", raw.name, required=True)
    first_name = _text(violations, "debtor.first_name", raw.first_name, required=False)
    siren = re.sub(r"[\s.]", "", raw.siren)
    if kind is PersonKind.LEGAL and not siren:
        violations.append(
            Violation(
                "siren-required",
                "debtor.siren",
                "Le SIREN d'une personne morale est obligatoire.",
                "A legal person's SIREN is required.",
            )
        )
    elif siren and not stdnum_siren.is_valid(siren):
        violations.append(
            Violation(
                "siren-invalid",
                "debtor.siren",
                "SIREN invalide (9 chiffres, clé de Luhn).",
                "Invalid SIREN (9 digits, Luhn check).",
            )
        )
    email = raw.email.strip()
    if not _EMAIL.match(email) or has_control_characters(email) or len(email) > 254:
        violations.append(
            Violation("email-invalid", "debtor.email", "Adresse email invalide.", "Invalid email address.")
        )
    phone = re.sub(r"[\s.\-]", "", raw.phone)
    if phone and not _PHONE.match(phone):
        violations.append(
            Violation("phone-invalid", "debtor.phone", "Numéro de téléphone invalide.", "Invalid phone number.")
        )
    return Debtor(
        kind=kind,
        name=name,
        first_name=first_name,
        address=_address(violations, raw.address),
        email=email,
        siren=siren,
        phone=phone,
        trader=raw.trader,
    )


def _invoices(violations: list[Violation], raws: tuple[InvoiceInput, ...], filed_on: date) -> tuple[Invoice, ...]:
    if not raws:
        violations.append(
            Violation(
                "invoice-required",
                "invoices",
                "Au moins une facture prouve la créance.",
                "At least one invoice proves the claim.",
            )
        )
    seen: set[str] = set()
    invoices = []
    for i, raw in enumerate(raws):
        where = f"invoices[{i}]"
        number = _text(violations, f"{where}.number", raw.number, required=True, max_length=50)
        if number and number in seen:
            violations.append(
                Violation(
                    "invoice-number-duplicate",
                    f"{where}.number",
                    f"La facture {number} figure deux fois.",
                    f"Invoice {number} is listed twice.",
                )
            )
        seen.add(number)
        if raw.amount_cents <= 0:
            violations.append(
                Violation(
                    "amount-not-positive",
                    f"{where}.amount_cents",
                    "Le montant d'une facture est positif.",
                    "An invoice's amount is positive.",
                )
            )
        if raw.issue_date > raw.due_date:
            violations.append(
                Violation(
                    "invoice-issued-after-due",
                    f"{where}.issue_date",
                    "Une facture est émise au plus tard à son échéance.",
                    "An invoice is issued on or before its due date.",
                )
            )
        if raw.issue_date > filed_on:
            violations.append(
                Violation(
                    "invoice-issued-in-future",
                    f"{where}.issue_date",
                    "Une facture ne peut être datée après le jour du dépôt.",
                    "An invoice cannot be dated after the filing day.",
                )
            )
        if raw.due_date >= filed_on:
            violations.append(
                Violation(
                    "invoice-not-due",
                    f"{where}.due_date",
                    f"La facture {number} n'est pas échue : la créance doit être exigible.",
                    f"Invoice {number} is not past its due date: the claim must be due.",
                    "CPCE L125-1",
                )
            )
        invoices.append(Invoice(number, raw.issue_date, raw.due_date, raw.amount_cents))
    return tuple(invoices)


def _euros(cents: int, *, french: bool) -> str:
    """5,000.01 in English, 5 000,01 in French (a narrow no-break space groups the thousands)."""
    english = f"{cents // 100:,}.{cents % 100:02d}"
    return english.replace(",", "\u202f").replace(".", ",") if french else english


def accept_claim(raw: ClaimInput, filed_on: date) -> Claim:
    """The checked claim, or `ClaimRefused` with every failed rule. `filed_on` is the filing day."""
    violations: list[Violation] = []
    debtor = _debtor(violations, raw.debtor)
    try:
        cause = ClaimCause(raw.cause)
    except ValueError:
        violations.append(
            Violation(
                "cause-not-covered",
                "cause",
                "La procédure simplifiée ne couvre qu'une créance de cause contractuelle ou résultant d'une "
                "obligation de caractère statutaire.",
                "The simplified procedure covers only a claim with a contractual cause or resulting from a "
                "statutory obligation.",
                "CPCE L125-1",
            )
        )
        cause = ClaimCause.CONTRACT
    invoices = _invoices(violations, raw.invoices, filed_on)
    if raw.interest_cents < 0:
        violations.append(
            Violation(
                "interest-negative",
                "interest_cents",
                "Les intérêts ne sont pas négatifs.",
                "Interest is not negative.",
            )
        )
    description = _text(violations, "description", raw.description, required=False, max_length=2000)
    creditor_address = (
        _address(violations, raw.creditor_address, "creditor_address") if raw.creditor_address is not None else None
    )
    claim = Claim(debtor, cause, invoices, raw.interest_cents, description, creditor_address)
    if claim.total_cents > CEILING_CENTS:
        violations.append(
            Violation(
                "ceiling-exceeded",
                "invoices",
                f"Principal et intérêts ({_euros(claim.total_cents, french=True)} EUR) dépassent le plafond "
                "de 5\u202f000,00 EUR de la procédure simplifiée.",
                f"Principal plus interest ({_euros(claim.total_cents, french=False)} EUR) exceed the "
                "5,000.00 EUR ceiling of the simplified procedure.",
                "CPCE R125-1",
            )
        )
    if violations:
        raise ClaimRefused(violations)
    return claim


__all__ = [
    "CEILING_CENTS",
    "AddressInput",
    "AddressOutsideFrance",
    "Claim",
    "ClaimCause",
    "ClaimInput",
    "ClaimRefused",
    "Debtor",
    "DebtorInput",
    "Invoice",
    "InvoiceInput",
    "PersonKind",
    "PostalAddress",
    "Violation",
    "accept_claim",
    "department_of",
]
