"""Accounts: the `Account` entity, registration of natural and legal persons, and activation.

An `Account` never holds its password hash: only the login's verify step needs it, and it gets it
with the account (`AccountCredentials`, from `AccountStore.credentials`), so no response, event or
support view can carry it by mistake."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from contracts.events.common import PersonKind
from contracts.events.identity import AccountActivated, AccountKind, AccountMigrated, AccountRegistered
from identity.domain.companies import siren_of, siret_problem
from identity.domain.links import MailedLink
from identity.domain.passwords import new_password_problems
from identity.domain.problems import Refused
from identity.domain.tokens import hash_secret, new_secret

__all__ = ["MailedLink", "hash_secret", "new_secret", "siren_of"]


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


# An account's address as its parts (line, complement, postal_code, city). A registered account
# has all four; an account migrated without one gets the parts support names, one by one.
AddressParts = Mapping[str, str | None]


def address_parts(address: Address) -> dict[str, str | None]:
    return {
        "line": address.line,
        "complement": address.complement,
        "postal_code": address.postal_code,
        "city": address.city,
    }


@dataclass(frozen=True)
class LegacyOrigin:
    """The former-portal account an account was migrated from."""

    legacy_id: str
    login: str
    contract_reference: str | None = None


@dataclass(frozen=True)
class Account:
    """An account of any kind (member, customer, commissaire, staff), without its password hash."""

    account_id: str
    email: str
    account_kind: str
    roles: tuple[str, ...]
    status: AccountStatus
    person_kind: PersonKind
    display_name: str
    registered_at: datetime
    activated_at: datetime | None = None
    # A natural person's identity (also a commissaire's) ...
    civility: Civility | None = None
    last_name: str | None = None
    first_name: str | None = None
    # ... a legal person's.
    company_name: str | None = None
    legal_form: str | None = None
    siret: str | None = None
    address: AddressParts | None = None
    legacy: LegacyOrigin | None = None
    office_id: str | None = None  # a commissaire's office (its access token's claim)
    # A password reset's cut-off: refresh tokens issued until then are dead.
    sessions_revoked_before: datetime | None = None
    created_by: str | None = None  # the support agent who created it (commissaires)

    @property
    def legacy_id(self) -> str | None:
        return self.legacy.legacy_id if self.legacy else None

    def is_active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    def is_pending(self) -> bool:
        return self.status is AccountStatus.PENDING_ACTIVATION

    def is_creditor(self) -> bool:
        """An active member: the account that owns a creditor's contract (and its API clients)."""
        return self.is_active() and self.account_kind == MEMBER


@dataclass(frozen=True)
class AccountCredentials:
    """An account with its password hash, for the verify step of a login only (None: no password yet)."""

    account: Account
    password_hash: str | None


class AccountLink(StrEnum):
    """The single-use links mailed for an account (each a `MailedLink` in the field of its name),
    each only for an account in one status."""

    ACTIVATION = "activation"  # confirms the email of a pending account
    RECOVERY = "recovery"  # sets a new password of an active account

    @property
    def status(self) -> AccountStatus:
        return AccountStatus.PENDING_ACTIVATION if self is AccountLink.ACTIVATION else AccountStatus.ACTIVE


class Notice(StrEnum):
    """Mails that tell an account's owner about a request made with their email, each at most
    once per resend interval."""

    REGISTRATION_ATTEMPT = "registration_attempt"  # someone registered with the email
    FIRST_CONNECTION = "first_connection"  # someone asked a customer first connection with it


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


class RegistrationRefused(Refused):
    """A registration its rules refuse."""


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


def registered_account(account_id: str, form: Registration, now: datetime) -> Account:
    """The account a registration creates, waiting for its activation."""
    return Account(
        account_id=account_id,
        email=form.email,
        account_kind=MEMBER,
        roles=(),
        status=AccountStatus.PENDING_ACTIVATION,
        person_kind=form.person_kind,
        display_name=display_name(form),
        registered_at=now,
        civility=form.civility,
        last_name=form.last_name,
        first_name=form.first_name,
        company_name=form.company_name,
        legal_form=form.legal_form,
        siret=form.siret,
        address=address_parts(form.address),
    )


def registered_event(account_id: str, form: Registration) -> AccountRegistered:
    return AccountRegistered(
        account_id=account_id,
        email=form.email,
        person_kind=form.person_kind,
        display_name=display_name(form),
        siret=form.siret,
    )


def activation_events(account: Account) -> list[AccountActivated | AccountMigrated]:
    """What activating the account announces: AccountActivated, and for an account migrated from
    the former portal, AccountMigrated (the activation is the confirmation of its new email)."""
    events: list[AccountActivated | AccountMigrated] = [
        activated_event(
            account.account_id,
            account.email,
            account.person_kind,
            account.display_name,
            account.siret,
            CUSTOMER if account.account_kind == CUSTOMER else MEMBER,
        )
    ]
    if account.legacy is not None:
        events.append(
            AccountMigrated(
                account_id=account.account_id,
                legacy_id=account.legacy.legacy_id,
                email=account.email,
                contract_reference=account.legacy.contract_reference,
                company_name=account.company_name,
            )
        )
    return events


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
