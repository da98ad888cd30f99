"""Legacy-portal accounts: the import format and the legacy credentials.

Import file: JSON lines, one legacy account per line (see the README):
`legacy_id`, `login`, exactly one of `password_hash` (a PBKDF2-SHA256 hash in
the `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>` form, or an argon2
hash) or `migration_secret` (a one-time secret handed to the user by the legacy
operator; only its hash is kept), `company_name`, optional `siret`,
`contract_reference`, and `mailbox` (old messages, kept for export).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from chassis.text import forbidden_character
from contracts.events.common import PersonKind
from identity.domain.accounts import MEMBER, Account, AccountStatus, LegacyOrigin
from identity.domain.companies import siret_problem

PBKDF2_PREFIX = "pbkdf2_sha256$"
ARGON2_PREFIX = "$argon2"


class LegacyStatus(StrEnum):
    IMPORTED = "imported"  # not migrated yet: the legacy login leads to migration
    CONFIRMING = "confirming"  # new email given, waiting for its confirmation
    MIGRATED = "migrated"  # the new account is active: the legacy login is closed


@dataclass(frozen=True)
class MailboxMessage:
    received_at: datetime
    subject: str
    body: str
    sender: str | None = None


@dataclass(frozen=True)
class LegacyRecord:
    legacy_id: str
    login: str
    password_hash: str | None
    migration_secret: str | None
    company_name: str | None
    siret: str | None
    contract_reference: str | None
    mailbox: tuple[MailboxMessage, ...] = field(default=())


@dataclass(frozen=True)
class LegacyAccount:
    """An imported former-portal account, without its credentials."""

    legacy_id: str
    login: str
    status: LegacyStatus
    company_name: str | None
    siret: str | None
    contract_reference: str | None
    mailbox: tuple[MailboxMessage, ...] = ()
    account_id: str | None = None  # the new account, once the migration is under way

    def is_migrated(self) -> bool:
        return self.status is LegacyStatus.MIGRATED

    @property
    def display_name(self) -> str:
        """The new account's name: the company's, else the former login."""
        return self.company_name or self.login

    def messages_by_date(self) -> tuple[MailboxMessage, ...]:
        return tuple(sorted(self.mailbox, key=lambda message: message.received_at))


@dataclass(frozen=True)
class LegacyCredentials:
    """A legacy account with what checks its former password: a PBKDF2 or argon2 hash, or the hash
    of its one-time migration secret (for the legacy login's verify step only)."""

    account: LegacyAccount
    password_hash: str | None
    migration_secret_hash: str | None


def migrated_account(legacy: LegacyAccount, account_id: str, email: str, now: datetime) -> Account:
    """The new account of a legacy one, waiting for the confirmation of its email (its
    activation): a legal person, the former company and contract carried over."""
    return Account(
        account_id=account_id,
        email=email,
        account_kind=MEMBER,
        roles=(),
        status=AccountStatus.PENDING_ACTIVATION,
        person_kind=PersonKind.LEGAL,
        display_name=legacy.display_name,
        registered_at=now,
        company_name=legacy.company_name,
        siret=legacy.siret,
        legacy=LegacyOrigin(legacy.legacy_id, legacy.login, legacy.contract_reference),
    )


class LegacyLoginTaken(ValueError):
    """The import's login belongs to another legacy id."""


class LegacyRecordInvalid(ValueError):
    def __init__(self, line_number: int, errors: dict[str, str]) -> None:
        super().__init__(f"line {line_number}: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.line_number = line_number
        self.errors = errors


def _text(data: Mapping[str, object], key: str, errors: dict[str, str], *, required: bool) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[key] = "is required"
        return None
    if not isinstance(value, str):
        errors[key] = "must be a string"
        return None
    found = forbidden_character(value)
    if found is not None:  # free text, as at registration (chassis.text)
        errors[key] = f"holds a control or invisible formatting character (U+{ord(found[1]):04X})"
        return None
    return value.strip()


def parse_legacy_line(line: str, line_number: int) -> LegacyRecord:
    """One line of an import file, checked field by field."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise LegacyRecordInvalid(line_number, {"line": f"is not JSON: {error.msg}"}) from error
    if not isinstance(data, dict):
        raise LegacyRecordInvalid(line_number, {"line": "must be a JSON object"})
    errors: dict[str, str] = {}
    legacy_id = _text(data, "legacy_id", errors, required=True)
    login = _text(data, "login", errors, required=True)
    password_hash = _text(data, "password_hash", errors, required=False)
    secret = _text(data, "migration_secret", errors, required=False)
    if (password_hash is None) == (secret is None):
        errors["password_hash"] = "exactly one of password_hash or migration_secret is required"
    elif password_hash is not None and not password_hash.startswith((PBKDF2_PREFIX, ARGON2_PREFIX)):
        errors["password_hash"] = "must be a pbkdf2_sha256$... or an argon2 hash"
    elif secret is not None and len(secret) < 8:
        errors["migration_secret"] = "must be at least 8 characters"
    siret = _text(data, "siret", errors, required=False)
    siret_wrong = siret_problem(siret)
    if siret_wrong:
        errors["siret"] = siret_wrong
    messages: list[MailboxMessage] = []
    raw_mailbox = data.get("mailbox") or []
    if not isinstance(raw_mailbox, list):
        errors["mailbox"] = "must be a list of messages"
        raw_mailbox = []
    for index, raw in enumerate(raw_mailbox):
        try:
            received = datetime.fromisoformat(str(raw["received_at"]))
            if received.tzinfo is None:
                raise ValueError("no time zone")
            messages.append(
                MailboxMessage(
                    received_at=received,
                    subject=str(raw.get("subject", "")),
                    body=str(raw.get("body", "")),
                    sender=str(raw["from"]) if raw.get("from") else None,
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            errors[f"mailbox.{index}"] = f"needs received_at (ISO 8601 with a time zone), subject, body: {error}"
    company_name = _text(data, "company_name", errors, required=False)
    contract_reference = _text(data, "contract_reference", errors, required=False)
    if errors:
        raise LegacyRecordInvalid(line_number, errors)
    assert legacy_id is not None
    assert login is not None
    return LegacyRecord(
        legacy_id=legacy_id,
        login=login.lower(),
        password_hash=password_hash,
        migration_secret=secret,
        company_name=company_name,
        siret=siret,
        contract_reference=contract_reference,
        mailbox=tuple(messages),
    )


def pbkdf2_hash(password: str, salt: str, iterations: int) -> str:
    """The legacy portal's format, Django's `pbkdf2_sha256`."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"{PBKDF2_PREFIX}{iterations}${salt}${base64.b64encode(digest).decode()}"


def verify_pbkdf2(stored: str, password: str) -> bool:
    try:
        _, iterations, salt, _digest = stored.split("$", 3)
        expected = pbkdf2_hash(password, salt, int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(expected.encode(), stored.encode())
