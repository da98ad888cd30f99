"""In-memory adapters implementing teams' ports, for handler unit tests (no broker, no database).

They keep the adapters' contract where the handlers rely on it: conditional writes answer False
when the state they leave has changed, and every write keeps its events, mails and audit records
so a test can read what the change would have published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chassis.mail import Mail
from chassis.tokens import InMemoryTokens
from contracts import Event
from contracts.events.common import PersonKind
from teams.domain.accounts import KnownAccount
from teams.domain.audit import AuditRecord
from teams.domain.claims import Claimant, ClaimStatus
from teams.domain.companies import Company, Member
from teams.domain.invitations import CodeState, Invitation, InvitationStatus, Revocation, Sending, awaits_code
from teams.ports import Teams
from teams.settings import TeamsSettings
from tests.clock import SettableClock


@dataclass
class Written:
    """What the fake stores wrote, as the outbox, the courier and the audit relay would carry it."""

    events: list[Event] = field(default_factory=list)
    mails: list[Mail] = field(default_factory=list)
    audit: list[AuditRecord] = field(default_factory=list)

    def keep(self, events: Sequence[Event] = (), mails: Sequence[Mail] = (), audit: Sequence[AuditRecord] = ()) -> None:
        self.events.extend(events)
        self.mails.extend(mails)
        self.audit.extend(audit)


class FakeAccounts:
    def __init__(self) -> None:
        self.known: dict[str, KnownAccount] = {}

    def add(self, account_id: str, email: str, *, siren: str | None = None, name: str = "ACME") -> KnownAccount:
        kind = PersonKind.LEGAL if siren else PersonKind.NATURAL
        account = KnownAccount(account_id, email, str(kind), name, siren)
        self.known[account_id] = account
        return account

    async def get(self, account_id: str) -> KnownAccount | None:
        return self.known.get(account_id)


class FakeCompanies:
    def __init__(self, written: Written) -> None:
        self.companies: dict[str, Company] = {}
        self._written = written

    async def create(self, company: Company, *, events: Sequence[Event], audit: Sequence[AuditRecord]) -> bool:
        if company.siren in self.companies:
            return False
        self.companies[company.siren] = company
        self._written.keep(events, audit=audit)
        return True

    async def get(self, siren: str) -> Company | None:
        return self.companies.get(siren)

    async def of_account(self, account_id: str) -> list[Company]:
        return sorted(
            (c for c in self.companies.values() if any(m.account_id == account_id for m in c.members)),
            key=lambda c: c.siren,
        )

    async def put_member(
        self, company: Company, member: Member, *, events: Sequence[Event], audit: Sequence[AuditRecord]
    ) -> bool:
        stored = self.companies.get(company.siren)
        if stored is None or stored.version != company.version:
            return False
        others = tuple(m for m in stored.members if m.account_id != member.account_id)
        if len(others) == len(stored.members):
            members = (*stored.members, member)
        else:
            members = tuple(member if m.account_id == member.account_id else m for m in stored.members)
        self.companies[company.siren] = replace(stored, version=stored.version + 1, members=members)
        self._written.keep(events, audit=audit)
        return True


class FakeClaims:
    def __init__(self) -> None:
        self.claimants: dict[str, list[Claimant]] = {}
        self.extracts: dict[str, tuple[str, bytes]] = {}

    async def submit(self, siren: str, claimant: Claimant, extract: bytes) -> list[Claimant]:
        self.extracts[claimant.claim_id] = (claimant.extract_media_type, extract)
        self.claimants.setdefault(siren, []).append(claimant)
        return list(self.claimants[siren])

    async def of_siren(self, siren: str) -> list[Claimant]:
        return list(self.claimants.get(siren, []))

    async def with_pending(self) -> list[tuple[str, list[Claimant]]]:
        return [
            (siren, list(found))
            for siren, found in sorted(self.claimants.items())
            if any(c.status == ClaimStatus.PENDING for c in found)
        ]

    async def extract(self, claim_id: str) -> tuple[str, bytes] | None:
        return self.extracts.get(claim_id)

    async def review(
        self, siren: str, claim_id: str, status: ClaimStatus, *, by: str, at: datetime, reason: str | None
    ) -> bool:
        found = self.claimants.get(siren, [])
        for index, claimant in enumerate(found):
            if claimant.claim_id == claim_id and claimant.status == ClaimStatus.PENDING:
                found[index] = claimant.reviewed(status, by=by, at=at, reason=reason)
                return True
        return False


class FakeInvitations:
    def __init__(self, written: Written) -> None:
        self.invitations: dict[str, Invitation] = {}
        self._written = written

    async def add(self, invitation: Invitation, audit: Sequence[AuditRecord]) -> None:
        self.invitations[invitation.invitation_id] = invitation
        self._written.keep(audit=audit)

    async def get(self, company_id: str, invitation_id: str) -> Invitation | None:
        found = self.invitations.get(invitation_id)
        return found if found is not None and found.company_id == company_id else None

    async def by_id(self, invitation_id: str) -> Invitation | None:
        return self.invitations.get(invitation_id)

    async def of_company(self, company_id: str) -> list[Invitation]:
        mine = [i for i in self.invitations.values() if i.company_id == company_id]
        return sorted(mine, key=lambda i: i.created_at, reverse=True)

    async def add_audit(self, invitation_id: str, audit: Sequence[AuditRecord]) -> None:
        self._written.keep(audit=audit)

    def _pending_with(self, invitation_id: str, digest: str) -> Invitation | None:
        found = self.invitations.get(invitation_id)
        return found if found is not None and awaits_code(found, digest) else None

    async def reserve_check(self, invitation_id: str, digest: str, max_checks: int) -> bool:
        found = self._pending_with(invitation_id, digest)
        if found is None or found.code is None or found.code.checks >= max_checks:
            return False
        self.invitations[invitation_id] = replace(found, code=replace(found.code, checks=found.code.checks + 1))
        return True

    async def replace_code(
        self, invitation_id: str, previous_digest: str, code: CodeState, audit: Sequence[AuditRecord]
    ) -> bool:
        found = self._pending_with(invitation_id, previous_digest)
        if found is None:
            return False
        self.invitations[invitation_id] = replace(found, code=code)
        self._written.keep(audit=audit)
        return True

    async def mark_sent(
        self, sending: Sending, *, events: Sequence[Event], mails: Sequence[Mail], audit: Sequence[AuditRecord]
    ) -> bool:
        found = self.invitations.get(sending.invitation_id)
        sent = sending.applied_to(found) if found is not None else None
        if sent is None:
            return False
        self.invitations[sending.invitation_id] = sent
        self._written.keep(events, mails, audit)
        return True

    async def mark_accepted(
        self, invitation_id: str, *, account_id: str, now: datetime, audit: Sequence[AuditRecord]
    ) -> bool:
        found = self.invitations.get(invitation_id)
        if found is None or found.status != InvitationStatus.SENT or found.expires_at <= now:
            return False
        self.invitations[invitation_id] = replace(found, status=InvitationStatus.ACCEPTED, accepted_by=account_id)
        self._written.keep(audit=audit)
        return True

    async def mark_revoked(self, revocation: Revocation, audit: Sequence[AuditRecord]) -> bool:
        found = self.invitations.get(revocation.invitation_id)
        revoked = revocation.applied_to(found) if found is not None else None
        if revoked is None:
            return False
        self.invitations[revocation.invitation_id] = revoked
        self._written.keep(audit=audit)
        return True


class FakeAudit:
    def __init__(self, written: Written) -> None:
        self._written = written

    async def of_company(self, company_id: str, limit: int = 200) -> list[AuditRecord]:
        mine = [r for r in reversed(self._written.audit) if r.company_id == company_id]  # newest written first
        return sorted(mine, key=lambda r: r.at, reverse=True)[:limit]


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failing = False

    async def send(self, to: str, text: str, now: datetime) -> None:
        from teams.ports import SmsNotSent

        if self.failing:
            raise SmsNotSent("the SMS gateway is down")
        self.sent.append((to, text))


@dataclass
class FakeTeams:
    """The ports wired with fakes, and handles on them for the test to look at."""

    teams: Teams
    clock: SettableClock
    written: Written
    accounts: FakeAccounts
    companies: FakeCompanies
    claims: FakeClaims
    invitations: FakeInvitations
    sms: FakeSms


def fake_teams(at: datetime, **settings: Any) -> FakeTeams:
    clock = SettableClock(at)
    written = Written()
    accounts, companies, claims = FakeAccounts(), FakeCompanies(written), FakeClaims()
    invitations, sms = FakeInvitations(written), FakeSms()
    values: dict[str, Any] = {"environment": "test", "public_base_url": "http://portal.test", **settings}
    teams = Teams(
        settings=TeamsSettings(**values),
        clock=clock,
        accounts=accounts,
        companies=companies,
        claims=claims,
        invitations=invitations,
        audit=FakeAudit(written),
        sms=sms,
        written=lambda: None,
        tokens=InMemoryTokens(clock),
    )
    return FakeTeams(teams, clock, written, accounts, companies, claims, invitations, sms)
