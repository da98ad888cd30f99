"""Commissaire de justice accounts: created by support, bound to one office of
recovery's directory, activated by a single-use invitation link that sets the
password. Pure rules; the account is a person (natural), never announced on
the bus (no billing onboarding, no teams), and its access token carries
`roles: ["commissaire"]` and the `office_id` claim recovery reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from identity.domain.accounts import AccountStatus, Civility

COMMISSAIRE = "commissaire"  # the account kind
COMMISSAIRE_ROLE = "commissaire"  # the role in the access token
OFFICE_CLAIM = "office_id"
# The office ids of recovery's directory (`sample-paris-1`, ...): a lower-case
# slug. Identity checks the form only; recovery owns the directory (ADR 0030).
OFFICE_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


@dataclass(frozen=True)
class Commissaire:
    account_id: str
    email: str
    civility: Civility | None
    first_name: str
    last_name: str
    office_id: str
    status: AccountStatus
    created_by: str
    created_at: datetime
    activated_at: datetime | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Invitation:
    """When the invited account's latest activation link was sent and until when it opens (the
    link itself is a `chassis.tokens` token of purpose `commissaire-invitation`)."""

    expires_at: datetime
    sent_at: datetime


def office_id_problem(office_id: str) -> str | None:
    if not OFFICE_ID.match(office_id):
        return (
            "must be an office id of the commissaires' directory: "
            "lower-case letters, digits and hyphens (e.g. sample-paris-1)"
        )
    return None


def token_claims(roles: list[str], office_id: str | None) -> dict[str, str]:
    """The extra access-token claims of an account: a commissaire's office."""
    if COMMISSAIRE_ROLE in roles and office_id:
        return {OFFICE_CLAIM: office_id}
    return {}
