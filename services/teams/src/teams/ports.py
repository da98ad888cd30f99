"""The ports of teams: what its handlers need from the world, as Protocols.

The adapters (`teams.store`, `teams.adapters.sms`) implement them on MongoDB and the SMS sink;
`services/teams/tests/fakes.py` implements them in memory for handler unit tests.
Every store method that changes something takes the events and audit records of that change
and writes them in the same atomic write, or not at all (it answers False when a concurrent
change won: the handler decides again on fresh state).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chassis.clock import Clock
from chassis.mail import Mail
from chassis.tokens import LinkTokens
from contracts import Event
from teams.domain.accounts import KnownAccount
from teams.domain.audit import AuditRecord
from teams.domain.claims import Claimant, ClaimStatus
from teams.domain.companies import Company, Member
from teams.domain.invitations import CodeState, Invitation, Revocation, Sending
from teams.settings import TeamsSettings


class SmsNotSent(Exception):
    """The SMS could not be handed to the provider."""


class SmsSender(Protocol):
    async def send(self, to: str, text: str, now: datetime) -> None:
        """Send `text` to the E.164 number `to`; raise SmsNotSent on failure."""
        ...


class AccountDirectory(Protocol):
    """Teams' view of identity's activated accounts."""

    async def get(self, account_id: str) -> KnownAccount | None: ...


class CompanyStore(Protocol):
    async def create(self, company: Company, *, events: Sequence[Event], audit: Sequence[AuditRecord]) -> bool:
        """Insert a new space (`companies.founded`); False if it exists already."""
        ...

    async def get(self, siren: str) -> Company | None: ...

    async def of_account(self, account_id: str) -> list[Company]:
        """Every space where the account is or was a member, by SIREN."""
        ...

    async def put_member(
        self, company: Company, member: Member, *, events: Sequence[Event], audit: Sequence[AuditRecord]
    ) -> bool:
        """Replace (or append) one member if the company is still at `company.version`."""
        ...


class ClaimStore(Protocol):
    async def submit(self, siren: str, claimant: Claimant, extract: bytes) -> list[Claimant]:
        """Record a claimant with its extract; the SIREN's claimants after it, in order."""
        ...

    async def of_siren(self, siren: str) -> list[Claimant]: ...

    async def with_pending(self) -> list[tuple[str, list[Claimant]]]:
        """Every SIREN with at least one pending claim, with all its claimants."""
        ...

    async def extract(self, claim_id: str) -> tuple[str, bytes] | None:
        """The extract's media type and bytes."""
        ...

    async def review(
        self, siren: str, claim_id: str, status: ClaimStatus, *, by: str, at: datetime, reason: str | None
    ) -> bool:
        """Close one pending claim as approved or rejected; False if it is not pending (any more)."""
        ...


class InvitationStore(Protocol):
    async def add(self, invitation: Invitation, audit: Sequence[AuditRecord]) -> None: ...

    async def get(self, company_id: str, invitation_id: str) -> Invitation | None: ...

    async def by_id(self, invitation_id: str) -> Invitation | None:
        """The invitation a mailed link (a `chassis.tokens` token) opens."""
        ...

    async def of_company(self, company_id: str) -> list[Invitation]:
        """Newest first."""
        ...

    async def add_audit(self, invitation_id: str, audit: Sequence[AuditRecord]) -> None: ...

    async def reserve_check(self, invitation_id: str, digest: str, max_checks: int) -> bool:
        """Spend one check of the current code; False if none is left (or the code changed)."""
        ...

    async def replace_code(
        self, invitation_id: str, previous_digest: str, code: CodeState, audit: Sequence[AuditRecord]
    ) -> bool: ...

    async def mark_sent(
        self, sending: Sending, *, events: Sequence[Event], mails: Sequence[Mail], audit: Sequence[AuditRecord]
    ) -> bool:
        """The `Sending` transition, once, with its mail and event in the same write."""
        ...

    async def mark_accepted(
        self, invitation_id: str, *, account_id: str, now: datetime, audit: Sequence[AuditRecord]
    ) -> bool:
        """sent -> accepted, once and only before expiry: the link consumed."""
        ...

    async def mark_revoked(self, revocation: Revocation, audit: Sequence[AuditRecord]) -> bool:
        """The `Revocation`, once; False if the invitation changed since it was seen."""
        ...


class AuditTrail(Protocol):
    async def of_company(self, company_id: str, limit: int = 200) -> list[AuditRecord]:
        """Newest first."""
        ...


@dataclass
class Teams:
    """Everything teams' handlers use, wired once by the app (real adapters) or by a test (fakes).

    `written` wakes the relays after a write, so events, mail and audit records go out at once.
    """

    settings: TeamsSettings
    clock: Clock
    accounts: AccountDirectory
    companies: CompanyStore
    claims: ClaimStore
    invitations: InvitationStore
    audit: AuditTrail
    sms: SmsSender
    written: Callable[[], None]
    # The invitations' mailed links (purpose `teams.domain.invitations.LINK_PURPOSE`).
    tokens: LinkTokens


__all__ = [
    "AccountDirectory",
    "AuditTrail",
    "ClaimStore",
    "CompanyStore",
    "InvitationStore",
    "SmsNotSent",
    "SmsSender",
    "Teams",
]
