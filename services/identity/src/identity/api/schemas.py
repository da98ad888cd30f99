"""Request and response bodies of identity's routes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from chassis.text import SingleLine
from contracts import PersonKind
from identity.api.deps import JsonObject
from identity.domain import support
from identity.domain.accounts import Account, Address, Civility, Registration, registration_problems
from identity.domain.passwords import new_password_problems
from identity.domain.problems import field_errors
from identity.domain.support import ADDRESS, Changes, ChangeValue
from identity.handlers.legacy import LegacyMailboxExport

# A body as it was sent, that failed its schema: maybe incomplete or ill-typed (the `rule_errors`
# of `chassis.errors.ChecksRules` read only what they can of it).
RawBody = dict[str, Any]
# One refused field of a 422: {"field": ..., "message": ...}.
FieldError = dict[str, str]

# Free text refuses control characters (chassis.text.SingleLine): a 422 naming the field.
Name = Annotated[str, SingleLine(max_length=100)]
Complement = Annotated[str, SingleLine(min_length=0, max_length=100)]
# Digits and spaces only: the pattern itself refuses control characters.
Siret = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[\d ]{14,17}$")]


class AddressIn(BaseModel):
    line: Name = Field(description="Main address.")
    complement: Complement | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] = Field(description="5-digit French code.")
    city: Name


class PersonFields(BaseModel):
    """The identity fields of a natural person (civility, names) or a legal one (company): a
    registration gives them, support changes them. The bases set the fields' order (the OpenAPI's):
    `class Body(PersonFields, Head)` has Head's fields, then these, then its own."""

    civility: Civility | None = None
    last_name: Name | None = None
    first_name: Name | None = None
    company_name: Name | None = None
    legal_form: Name | None = None
    siret: Siret | None = None


class RegistrationHead(BaseModel):
    email: EmailStr
    password: str = Field(max_length=256)
    password_confirmation: str = Field(max_length=256)
    person_kind: Literal["natural", "legal"]


class AccountCreate(PersonFields, RegistrationHead):
    """RegisterAccount: a natural or a legal person."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "marie.durand@example.fr",
                    "password": "Correct-Horse-9",
                    "password_confirmation": "Correct-Horse-9",
                    "person_kind": "natural",
                    "civility": "mrs",
                    "last_name": "Durand",
                    "first_name": "Marie",
                    "address": {"line": "12 rue de la Paix", "postal_code": "75002", "city": "Paris"},
                },
                {
                    "email": "compta@acme.fr",
                    "password": "Correct-Horse-9",
                    "password_confirmation": "Correct-Horse-9",
                    "person_kind": "legal",
                    "company_name": "ACME",
                    "legal_form": "SAS",
                    "siret": "73282932000074",
                    "address": {"line": "1 avenue des Champs", "postal_code": "75008", "city": "Paris"},
                },
            ]
        }
    )

    address: AddressIn

    @classmethod
    def rule_errors(cls, body: RawBody) -> list[FieldError]:
        """The registration rules on a body that failed its schema (`chassis.errors.ChecksRules`):
        the password's, the person's required fields and the SIRET checksum, in the same 422."""
        kind = body.get("person_kind")
        if kind not in ("natural", "legal"):
            kind = None

        def text(name: str) -> str | None:
            value = body.get(name)
            return value if isinstance(value, str) else None

        civility = text("civility")
        form = Registration(
            email=(text("email") or "").lower(),
            password=text("password") or "",
            password_confirmation=text("password_confirmation") or "",
            person_kind=PersonKind(kind or "natural"),
            civility=Civility(civility) if civility in set(Civility) else None,
            last_name=text("last_name"),
            first_name=text("first_name"),
            company_name=text("company_name"),
            legal_form=text("legal_form"),
            siret=(text("siret") or "").replace(" ", "") or None,
            address=Address(line="", complement=None, postal_code="", city=""),
        )
        problems = registration_problems(form)
        if kind is None:  # the schema says what person_kind must be; no rule of a kind applies
            problems = {f: m for f, m in problems.items() if f in ("password", "password_confirmation")}
        return field_errors(problems)


class Accepted(BaseModel):
    message: str


class ActivationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE"}]}
    )

    token: str = Field(min_length=10, max_length=200)


class ActivationOut(BaseModel):
    status: Literal["active"]
    message: str


class Credentials(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "marie.durand@example.fr", "password": "Correct-Horse-9"}]}
    )

    email: EmailStr
    password: str = Field(max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class AccountPublic(BaseModel):
    account_id: str
    email: str
    person_kind: str
    display_name: str
    status: str
    account_kind: str = "member"
    roles: list[str] = []
    legacy_id: str | None = None

    @classmethod
    def of(cls, account: Account) -> AccountPublic:
        return cls(
            account_id=account.account_id,
            email=account.email,
            person_kind=account.person_kind,
            display_name=account.display_name,
            status=account.status,
            account_kind=account.account_kind,
            roles=list(account.roles),
            legacy_id=account.legacy_id,
        )


class LinkTokenIn(BaseModel):
    """The token of a mailed link, as the portal page read it from the link's fragment."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE"}]}
    )

    token: str = Field(min_length=10, max_length=200)


class EmailIn(BaseModel):
    """An email address, for requests whose answer never depends on it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "marie.durand@example.fr"}]})

    email: EmailStr


class NewPasswordIn(BaseModel):
    """A mailed link's token and the new password, entered twice."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "q8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE",
                    "password": "Correct-Horse-9",
                    "password_confirmation": "Correct-Horse-9",
                }
            ]
        }
    )

    token: str = Field(min_length=10, max_length=200)
    password: str = Field(max_length=256)
    password_confirmation: str = Field(max_length=256)

    @classmethod
    def rule_errors(cls, body: RawBody) -> list[FieldError]:
        """The password rules (but the one about the email, unknown before the token is read)
        on a body that failed its schema (`chassis.errors.ChecksRules`)."""
        return password_rule_errors(body, None)


def password_rule_errors(body: RawBody, email: str | None) -> list[FieldError]:
    """The new-password rules on a raw body (`chassis.errors.ChecksRules`)."""
    password, confirmation = body.get("password"), body.get("password_confirmation")
    if not isinstance(password, str) or not isinstance(confirmation, str):
        return []
    return field_errors(new_password_problems(password, confirmation, email))


class LinkStatus(BaseModel):
    status: Literal["valid"]
    message: str
    submit_to: str = Field(description="Where to POST the token with the new password.")


class SessionOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_token: str = Field(description="Opaque, single use: each refresh returns the next one.")
    refresh_expires_in: int


class RefreshIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "b2cN0f4Q..."}]})

    refresh_token: str = Field(min_length=10, max_length=200)


class RevokedOut(BaseModel):
    revoked: int


class CustomerAccessOut(BaseModel):
    account_id: str
    message: str


class LegacyCredentials(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"login": "dupont.sa", "password": "ancien-mot-de-passe"}]}
    )

    login: Annotated[str, SingleLine(max_length=200), StringConstraints(to_lower=True)]
    password: str = Field(min_length=1, max_length=256)


class MigrationTicketOut(BaseModel):
    migration_token: str
    expires_in: int
    company_name: str | None
    next: str = Field(description="Where to POST the new email and password.")


class MigrationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "migration_token": "Zt1xq8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE",
                    "email": "compta@dupont.fr",
                    "password": "Correct-Horse-9",
                    "password_confirmation": "Correct-Horse-9",
                }
            ]
        }
    )

    migration_token: str = Field(min_length=10, max_length=200)
    email: EmailStr
    password: str = Field(max_length=256)
    password_confirmation: str = Field(max_length=256)

    @classmethod
    def rule_errors(cls, body: RawBody) -> list[FieldError]:
        """The new password's rules on a body that failed its schema (`chassis.errors.ChecksRules`)."""
        email = body.get("email")
        return password_rule_errors(body, email.lower() if isinstance(email, str) else None)


class TicketIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"migration_token": "Zt1xq8V3b0nJ6m7m3b0B3y3h2r8lKQ2c1mJrZk3pM1hY8aE"}]}
    )

    migration_token: str = Field(min_length=10, max_length=200)


class MailboxMessageOut(BaseModel):
    received_at: datetime
    subject: str
    body: str
    sender: str | None = None


class MailboxExport(BaseModel):
    legacy_id: str
    login: str
    messages: list[MailboxMessageOut]

    @classmethod
    def of(cls, export: LegacyMailboxExport) -> MailboxExport:
        messages = [MailboxMessageOut(**asdict(message)) for message in export.messages]
        return cls(legacy_id=export.legacy_id, login=export.login, messages=messages)


class AddressChange(BaseModel):
    line: Name | None = None
    complement: Complement | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] | None = None
    city: Name | None = None


class SupportChangeHead(BaseModel):
    reason: Annotated[str, SingleLine(min_length=3, max_length=500)]


class SupportChangeIn(PersonFields, SupportChangeHead):
    """ChangeIdentityData: only the fields to change, and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "Kbis received: company renamed", "company_name": "ACME Group"},
                {
                    "reason": "Move confirmed by phone",
                    "address": {"line": "3 rue Neuve", "postal_code": "69001", "city": "Lyon"},
                },
            ]
        },
    )

    address: AddressChange | None = None

    def changes(self) -> Changes:
        """The fields the request names (and only those), as support asks them."""
        named = self.model_fields_set - {"reason"}
        changes: dict[str, ChangeValue] = {name: getattr(self, name) for name in named - {ADDRESS}}
        if self.siret:
            changes["siret"] = self.siret.replace(" ", "")
        if ADDRESS in named:
            address = self.address
            changes[ADDRESS] = None if address is None else {k: getattr(address, k) for k in address.model_fields_set}
        return changes


class AccountDetails(BaseModel):
    """An account as support sees it (never its password hash)."""

    account_id: str
    email: str
    account_kind: str
    status: str
    roles: list[str]
    person_kind: str
    display_name: str
    civility: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    company_name: str | None = None
    legal_form: str | None = None
    siret: str | None = None
    address: dict[str, str | None] | None = None
    legacy_id: str | None = None

    @classmethod
    def of(cls, account: Account) -> AccountDetails:
        return cls(
            **AccountPublic.of(account).model_dump(exclude={"legacy_id"}),
            civility=account.civility,
            last_name=account.last_name,
            first_name=account.first_name,
            company_name=account.company_name,
            legal_form=account.legal_form,
            siret=account.siret,
            address=dict(account.address) if account.address is not None else None,
            legacy_id=account.legacy_id,
        )


class AuditEntry(BaseModel):
    id: str
    at: datetime
    actor_id: str
    actor_email: str | None
    reason: str
    # field -> {"from": before, "to": after}: a text, or the address's parts.
    changes: dict[str, JsonObject]

    @classmethod
    def of(cls, entry: support.AuditEntry) -> AuditEntry:
        return cls(
            id=entry.entry_id,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_email=entry.actor_email,
            reason=entry.reason,
            changes={name: {"from": c.before, "to": c.after} for name, c in entry.changes.items()},
        )


class LegacyImportReport(BaseModel):
    imported: int = Field(description="Accounts written (new, or refreshed while not migrated).")
    skipped_migrated: int = Field(description="Lines left alone: their account is already migrated.")
    errors: list[str] = Field(description="Refused lines, with the reason; the others were imported.")
