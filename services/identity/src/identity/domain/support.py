"""Changes to identity data made by support (the user cannot make them).

Support may correct the person's identity and address; it can never set a
password, unlock an account or change the login email (the email is what
recovery trusts: letting staff change it would let them take an account over).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from contracts.events.common import PersonKind
from identity.domain.accounts import Account, AddressParts
from identity.domain.companies import siret_problem

NATURAL_FIELDS = frozenset({"civility", "last_name", "first_name"})
LEGAL_FIELDS = frozenset({"company_name", "legal_form", "siret"})
ADDRESS_FIELDS = frozenset({"line", "complement", "postal_code", "city"})
ADDRESS = "address"

# What support asks for one field: a text (None empties it, which the rules refuse) or, for the
# address, the parts to change. The request names only the fields to change.
ChangeValue = str | AddressParts | None
Changes = Mapping[str, ChangeValue]


@dataclass(frozen=True)
class FieldChange:
    """One field of an audit entry: its value before and after (stored as `from` and `to`)."""

    before: ChangeValue
    after: ChangeValue


@dataclass(frozen=True)
class AuditEntry:
    """One support change of an account, as its append-only trail keeps it."""

    entry_id: str
    at: datetime
    actor_id: str
    actor_email: str | None
    reason: str
    changes: Mapping[str, FieldChange]


def support_change_problems(person_kind: PersonKind, changes: Changes) -> dict[str, list[str]]:
    """Field -> problems for a change asked by support; empty when acceptable."""
    errors: dict[str, list[str]] = {}
    allowed = (NATURAL_FIELDS if person_kind is PersonKind.NATURAL else LEGAL_FIELDS) | {ADDRESS}
    for name in changes:
        if name not in allowed:
            errors.setdefault(name, []).append(f"cannot be changed on a {person_kind.value} person's account")
    for name in NATURAL_FIELDS | LEGAL_FIELDS:
        if name in changes and name in allowed and not changes[name]:
            errors.setdefault(name, []).append("cannot be emptied")
    if ADDRESS in changes:
        address = changes[ADDRESS]
        if not isinstance(address, Mapping) or not address:
            errors.setdefault(ADDRESS, []).append("name at least one address field to change")
        else:
            for part in ("line", "postal_code", "city"):
                if part in address and not address[part]:
                    errors.setdefault(f"address.{part}", []).append("cannot be emptied")
    siret = changes.get("siret")
    siret_wrong = siret_problem(siret if isinstance(siret, str) else None)
    if siret_wrong:
        errors.setdefault("siret", []).append(siret_wrong)
    if not changes:
        errors.setdefault("changes", []).append("name at least one field to change")
    return errors


def current_value(account: Account, name: str) -> ChangeValue:
    """The account's value of a field support may change."""
    if name == ADDRESS:
        return account.address
    value: object = getattr(account, name)  # one of NATURAL_FIELDS | LEGAL_FIELDS (checked before)
    return None if value is None else str(value)


def changed_fields(account: Account, changes: Changes) -> dict[str, FieldChange]:
    """What actually changes (the audit entry's changes); the address is merged part by part."""
    diff: dict[str, FieldChange] = {}
    for name, value in changes.items():
        before = current_value(account, name)
        if name == ADDRESS and isinstance(value, Mapping):
            merged = {**(account.address or {}), **value}
            if merged != account.address:
                diff[name] = FieldChange(before, merged)
        elif before != value:
            diff[name] = FieldChange(before, value)
    return diff


def text_after(account: Account, diff: Mapping[str, FieldChange], name: str) -> str | None:
    """A text field's value once the change is made."""
    value = diff[name].after if name in diff else current_value(account, name)
    return value if isinstance(value, str) else None


def display_name_after(account: Account, diff: Mapping[str, FieldChange]) -> str:
    if account.person_kind is PersonKind.LEGAL:
        return str(text_after(account, diff, "company_name"))
    return f"{text_after(account, diff, 'first_name')} {text_after(account, diff, 'last_name')}"
