"""Events owned by identity."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.base import Event, event_type
from contracts.events.common import PersonKind

# "member": a platform user who registered (or migrated from the legacy portal);
# "customer": a buy-now-pay-later payer who created access from an order email.
AccountKind = Literal["member", "customer"]


@event_type(owner="identity", version=1, subject="account_id")
class AccountRegistered(Event):
    """An account was created; it is not active until its email is confirmed."""

    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str = Field(description="Full name of a natural person, company name of a legal one.")
    siret: str | None = Field(default=None, pattern=r"^\d{14}$")
    account_kind: AccountKind = Field(
        default="member", description="member (registered or migrated user) or customer (payer of an order)."
    )


@event_type(owner="identity", version=1, subject="account_id")
class AccountActivated(Event):
    """The account's email was confirmed: the account is usable from now on."""

    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")
    account_kind: AccountKind = Field(
        default="member", description="member (registered or migrated user) or customer (payer of an order)."
    )


@event_type(owner="identity", version=1, subject="account_id")
class PasswordReset(Event):
    """The account's password was replaced through the recovery link; every
    session (refresh token) of the account was revoked with it."""

    account_id: str
    email: str


@event_type(owner="identity", version=1, subject="account_id")
class AccountMigrated(Event):
    """A legacy-portal user confirmed the email of their new account: whatever
    was attached to the legacy id (contract, pricing, portfolios, monitoring)
    now belongs to this account."""

    account_id: str
    legacy_id: str = Field(min_length=1, description="The user's id on the legacy portal.")
    email: str
    contract_reference: str | None = Field(default=None, description="The legacy contract, kept unchanged.")
    company_name: str | None = None


@event_type(owner="identity", version=1, subject="account_id")
class AccountDetailsChanged(Event):
    """Support changed an account's identity data (audited in identity):
    consumers that copied the name, SIRET or address refresh them."""

    account_id: str
    display_name: str
    changed_fields: list[str] = Field(description="Names of the fields that changed, e.g. company_name, address.")
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")


# Why sessions were revoked: a logout (one session), a logout everywhere, a
# password reset, or a refresh token presented twice (its session).
RevocationReason = Literal["logout", "logout-everywhere", "password-reset", "refresh-token-reused"]


@event_type(owner="identity", version=1, subject="account_id")
class SessionsRevoked(Event):
    """Sessions of an account were closed: every service and the gateway refuse
    the access tokens of those sessions from now on, although they have not
    expired. Relevant for one access-token lifetime after `revoked_at` only."""

    account_id: str
    session_ids: list[str] = Field(
        default_factory=list, description="The `sid` claims of the closed sessions (access tokens carry it)."
    )
    issued_before: AwareDatetime | None = Field(
        default=None,
        description="When set, every access token of the account whose `iat` is before this instant"
        " (compared in whole seconds) is refused too, whatever its session.",
    )
    revoked_at: AwareDatetime
    reason: RevocationReason
