"""Changes to identity data made by support (the user cannot make them).

Support may correct the person's identity and address; it can never set a
password, unlock an account or change the login email (the email is what
recovery trusts: letting staff change it would let them take an account over).
"""

from __future__ import annotations

from typing import Any

from contracts.events.common import PersonKind
from identity.domain.companies import siret_problem

NATURAL_FIELDS = frozenset({"civility", "last_name", "first_name"})
LEGAL_FIELDS = frozenset({"company_name", "legal_form", "siret"})
ADDRESS_FIELDS = frozenset({"line", "complement", "postal_code", "city"})


def support_change_problems(person_kind: PersonKind, changes: dict[str, Any]) -> dict[str, list[str]]:
    """Field -> problems for a change asked by support; empty when acceptable."""
    errors: dict[str, list[str]] = {}
    allowed = (NATURAL_FIELDS if person_kind is PersonKind.NATURAL else LEGAL_FIELDS) | {"address"}
    for name in changes:
        if name not in allowed:
            errors.setdefault(name, []).append(f"cannot be changed on a {person_kind.value} person's account")
    for name in NATURAL_FIELDS | LEGAL_FIELDS:
        if name in changes and name in allowed and not changes[name]:
            errors.setdefault(name, []).append("cannot be emptied")
    if "address" in changes:
        address = changes["address"]
        if not isinstance(address, dict) or not address:
            errors.setdefault("address", []).append("name at least one address field to change")
        else:
            for part in ("line", "postal_code", "city"):
                if part in address and not address[part]:
                    errors.setdefault(f"address.{part}", []).append("cannot be emptied")
    siret_wrong = siret_problem(changes.get("siret"))
    if siret_wrong:
        errors.setdefault("siret", []).append(siret_wrong)
    if not changes:
        errors.setdefault("changes", []).append("name at least one field to change")
    return errors


def changed_fields(account: dict[str, Any], changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """field -> {"from", "to"} for what actually changes (the audit entry)."""
    diff: dict[str, dict[str, Any]] = {}
    for name, value in changes.items():
        if name == "address":
            merged = {**(account.get("address") or {}), **value}
            if merged != account.get("address"):
                diff[name] = {"from": account.get("address"), "to": merged}
        elif account.get(name) != value:
            diff[name] = {"from": account.get(name), "to": value}
    return diff


def display_name_after(person_kind: PersonKind, account: dict[str, Any], diff: dict[str, dict[str, Any]]) -> str:
    def value(name: str) -> Any:
        return diff[name]["to"] if name in diff else account.get(name)

    if person_kind is PersonKind.LEGAL:
        return str(value("company_name"))
    return f"{value('first_name')} {value('last_name')}"
