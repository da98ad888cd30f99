"""Accounts: registration of natural and legal persons, and activation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.events.common import PersonKind
from contracts.events.identity import AccountActivated, AccountKind, AccountRegistered
from identity.domain.companies import siren_of, siret_problem
from identity.domain.passwords import new_password_problems
from identity.domain.tokens import hash_secret, new_secret

__all__ = ["hash_secret", "new_secret", "siren_of"]


class AccountStatus(StrEnum):
    PENDING_ACTIVATION = "pending_activation"
    ACTIVE = "active"
    # Created by support without a password (commissaires): the invitation
    # link sets the password and activates; nothing else applies to it.
    INVITED = "invited"


MEMBER: AccountKind = "member"
CUSTOMER: AccountKind = "customer"
# Staff accounts (operators) are made by `identity.admin`, never announced on the bus.
STAFF = "staff"
# Roles carried in the access token's `roles` claim.
SUPPORT_ROLE = "support"
CUSTOMER_ROLE = "customer"
OPERATOR_ROLE = "operator"


class Civility(StrEnum):
    MR = "mr"
    MRS = "mrs"


@dataclass(frozen=True)
class Address:
    line: str
    complement: str | None
    postal_code: str
    city: str


@dataclass(frozen=True)
class Registration:
    """RegisterAccount, as submitted."""

    email: str
    password: str
    password_confirmation: str
    person_kind: PersonKind
    civility: Civility | None
    last_name: str | None
    first_name: str | None
    company_name: str | None
    legal_form: str | None
    siret: str | None
    address: Address


class RegistrationRefused(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


def registration_problems(form: Registration) -> dict[str, list[str]]:
    """Field -> problems; empty when the registration can be accepted."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, messages in new_password_problems(form.password, form.password_confirmation, form.email).items():
        for message in messages:
            add(field, message)
    if form.person_kind is PersonKind.NATURAL:
        for field in ("civility", "last_name", "first_name"):
            if not getattr(form, field):
                add(field, "is required for a natural person")
    else:
        for field in ("company_name", "legal_form", "siret"):
            if not getattr(form, field):
                add(field, "is required for a legal person")
        problem = siret_problem(form.siret)
        if problem:
            add("siret", problem)
    return errors


def display_name(form: Registration) -> str:
    if form.person_kind is PersonKind.LEGAL:
        return str(form.company_name)
    return f"{form.first_name} {form.last_name}"


def activation_expiry(now: datetime, ttl_hours: int) -> datetime:
    return now + timedelta(hours=ttl_hours)


def registered_event(account_id: str, form: Registration) -> AccountRegistered:
    return AccountRegistered(
        account_id=account_id,
        email=form.email,
        person_kind=form.person_kind,
        display_name=display_name(form),
        siret=form.siret,
    )


def activated_event(
    account_id: str,
    email: str,
    person_kind: PersonKind,
    name: str,
    siret: str | None,
    account_kind: AccountKind = MEMBER,
) -> AccountActivated:
    return AccountActivated(
        account_id=account_id,
        email=email,
        person_kind=person_kind,
        display_name=name,
        siren=siren_of(siret),
        account_kind=account_kind,
    )
