"""Commissaire de justice accounts: created by support, bound to one office of
recovery's directory, activated by a single-use invitation link that sets the
password. Pure rules; the account is a person (natural), never announced on
the bus (no billing onboarding, no teams), and its access token carries
`roles: ["commissaire"]` and the `office_id` claim recovery reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from contracts.events.common import PersonKind
from identity.domain.accounts import Account, AccountStatus, Civility
from identity.domain.links import MailedLink

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

    def account(self) -> Account:
        """The account it is: a natural person of kind `commissaire` with the role, bound to the office."""
        return Account(
            account_id=self.account_id,
            email=self.email,
            account_kind=COMMISSAIRE,
            roles=(COMMISSAIRE_ROLE,),
            status=self.status,
            person_kind=PersonKind.NATURAL,
            display_name=self.display_name,
            registered_at=self.created_at,
            activated_at=self.activated_at,
            civility=self.civility,
            first_name=self.first_name,
            last_name=self.last_name,
            office_id=self.office_id,
            created_by=self.created_by,
        )

    @classmethod
    def of(cls, account: Account) -> Commissaire:
        return cls(
            account_id=account.account_id,
            email=account.email,
            civility=account.civility,
            first_name=account.first_name or "",
            last_name=account.last_name or "",
            office_id=account.office_id or "",
            status=account.status,
            created_by=account.created_by or "",
            created_at=account.registered_at,
            activated_at=account.activated_at,
        )


# The invited account's latest activation link (a `chassis.tokens` token of purpose
# `commissaire-invitation`): when it was sent and until when it opens.
Invitation = MailedLink


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
