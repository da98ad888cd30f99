"""Events owned by identity."""

from __future__ import annotations

from pydantic import Field

from contracts.base import Event, event_type
from contracts.events.common import PersonKind


@event_type(owner="identity", version=1, subject="account_id")
class AccountRegistered(Event):
    """An account was created; it is not active until its email is confirmed."""

    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str = Field(description="Full name of a natural person, company name of a legal one.")
    siret: str | None = Field(default=None, pattern=r"^\d{14}$")


@event_type(owner="identity", version=1, subject="account_id")
class AccountActivated(Event):
    """The account's email was confirmed: the account is usable from now on."""

    account_id: str
    email: str
    person_kind: PersonKind
    display_name: str
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")
