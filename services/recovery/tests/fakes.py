"""In-memory fakes of recovery's ports, for handler unit tests only (service tests use the real adapters).

Each implements the same Protocol as its real adapter (`recovery.ports`), with the same promises:
the store writes a case and its events together and refuses a save over a stale version, a due case
is claimed by one caller at a time, documents are immutable, a letter posted twice is posted once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from contracts import Right
from recovery.domain.cases import OPEN, Case
from recovery.domain.events import DomainEvent
from recovery.domain.jurisdiction import Office
from recovery.domain.saga import Saga, SagaState
from recovery.ports import (
    CaseExists,
    CaseNotFound,
    DebtorLink,
    KnownCreditor,
    LetterRequest,
    Mail,
    PostalItem,
    PostalReceipt,
    StaleCase,
    StoredDocument,
)
from tests.clock import SettableClock


class FakeCaseStore:
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.events: list[DomainEvent] = []  # the outbox, in write order
        self.claimed: set[str] = set()
        self.mails: list[Mail] = []  # the courier, in write order
        self.retry_at: dict[str, datetime] = {}  # failed transitions, not claimed again before

    async def get(self, case_id: str) -> Case:
        try:
            return self.cases[case_id]
        except KeyError:
            raise CaseNotFound(case_id) from None

    async def add(self, case: Case, events: Sequence[DomainEvent], mails: Sequence[Mail] = ()) -> None:
        if case.case_id in self.cases:
            raise CaseExists(case.case_id)
        self.cases[case.case_id] = case
        self.events.extend(events)
        self.mails.extend(mails)

    async def save(
        self, case: Case, events: Sequence[DomainEvent], *, expected_version: int, mails: Sequence[Mail] = ()
    ) -> None:
        stored = await self.get(case.case_id)
        if stored.version != expected_version:
            raise StaleCase(case.case_id)
        self.cases[case.case_id] = case
        self.events.extend(events)
        self.mails.extend(mails)
        self.claimed.discard(case.case_id)
        self.retry_at.pop(case.case_id, None)

    async def open_cases_by_office(self, office_ids: Collection[str]) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for case in self.cases.values():
            if case.phase in OPEN and case.office_id is not None and case.office_id in office_ids:
                counts[case.office_id] = counts.get(case.office_id, 0) + 1
        return counts

    async def claim_due(self, now: datetime, case_id: str | None = None) -> Case | None:
        due = sorted(
            (
                c
                for c in self.cases.values()
                if c.is_due(now)
                and c.case_id not in self.claimed
                and case_id in (None, c.case_id)
                and now >= self.retry_at.get(c.case_id, now)
            ),
            key=lambda c: (c.due_at, c.case_id),
        )
        if not due:
            return None
        self.claimed.add(due[0].case_id)
        return due[0]

    async def release(self, case_id: str, retry_at: datetime | None = None) -> None:
        self.claimed.discard(case_id)
        if retry_at is not None:
            self.retry_at[case_id] = retry_at

    def events_of(self, case_id: str) -> list[DomainEvent]:
        return [e for e in self.events if e.case_id == case_id]


class FakeDirectory:
    def __init__(self, offices: Sequence[Office]) -> None:
        self.offices = {o.office_id: o for o in offices}

    async def offices_in(self, court_of_appeal: str) -> Sequence[Office]:
        return [o for o in self.offices.values() if o.court_of_appeal == court_of_appeal]

    async def get(self, office_id: str) -> Office | None:
        return self.offices.get(office_id)


class FakeDocumentStore:
    def __init__(self) -> None:
        self.documents: dict[str, tuple[StoredDocument, bytes]] = {}

    async def put(self, content: bytes, *, media_type: str, name: str) -> StoredDocument:
        digest = hashlib.sha256(content).hexdigest()
        stored = StoredDocument(f"doc-{len(self.documents) + 1}", digest, len(content), media_type, name)
        self.documents[stored.document_id] = (stored, bytes(content))
        return stored

    async def get(self, document_id: str) -> bytes:
        return self.documents[document_id][1]


class FakePostalPort:
    def __init__(self, clock: SettableClock) -> None:
        self.clock = clock
        self.sent: dict[str, tuple[PostalItem, PostalReceipt]] = {}

    async def send(self, item: PostalItem) -> PostalReceipt:
        if item.letter_id in self.sent:
            return self.sent[item.letter_id][1]
        tracking = f"RR{len(self.sent) + 1:09d}FR" if item.kind == "registered" else None
        receipt = PostalReceipt(item.letter_id, self.clock.now(), tracking)
        self.sent[item.letter_id] = (item, receipt)
        return receipt


class FakeLetterRenderer:
    """A 'PDF' that says what it was asked to show (kind, case, creditor, debtor, balance, link)."""

    def __init__(self) -> None:
        self.rendered: list[LetterRequest] = []

    def render(self, request: LetterRequest) -> bytes:
        self.rendered.append(request)
        claim = request.case.claim
        lines = [
            request.kind.value,
            request.case.case_id,
            request.creditor.name,
            claim.debtor.display_name,
            str(request.case.balance_cents),
            request.office.commissaire,
            request.debtor_link,
            request.court,
        ]
        return b"%PDF-1.7\n" + "\n".join(lines).encode() + b"\n%%EOF\n"


class FakeMandates:
    def __init__(self, *signed: str) -> None:
        self.signed_by = set(signed)

    async def signed(self, account_id: str) -> bool:
        return account_id in self.signed_by


class FakeCreditors:
    def __init__(
        self, details: Mapping[str, KnownCreditor] | None = None, *, anyone: KnownCreditor | None = None
    ) -> None:
        self.known = dict(details or {})
        self.anyone = anyone  # what any other account is known as, if anything

    async def details(self, account_id: str) -> KnownCreditor | None:
        return self.known.get(account_id, self.anyone)


class SignedIn:
    """`MandateView` over a `has_signed_mandate` check (the API's fake), so both entrypoint and
    handler see one set of mandates."""

    def __init__(self, check: Any) -> None:
        self.check = check

    async def signed(self, account_id: str) -> bool:
        result: bool = await self.check.has_signed_mandate(account_id)
        return result


class FakeRights:
    def __init__(self) -> None:
        self.granted: set[tuple[str, str, Right]] = set()

    async def may(self, company_id: str, member_id: str, right: Right) -> bool:
        return (company_id, member_id, right) in self.granted


class FakeDebtorLinks:
    def __init__(self, clock: SettableClock) -> None:
        self.clock = clock
        self.links: dict[str, tuple[str, datetime, bool]] = {}  # token -> case, expiry, used

    async def issue(self, case_id: str, *, expires_at: datetime) -> DebtorLink:
        token = f"tok-{len(self.links) + 1}"
        self.links[token] = (case_id, expires_at, False)
        return DebtorLink(token, f"https://creditdesk.test/debtor/{token}")

    async def case_of(self, token: str) -> str | None:
        case_id, expires_at, used = self.links.get(token, ("", self.clock.now(), True))
        return None if used or self.clock.now() >= expires_at else case_id

    async def use(self, token: str) -> str | None:
        case_id = await self.case_of(token)
        if case_id is not None:
            self.links[token] = (case_id, self.links[token][1], True)
        return case_id


class FakeSagaStore:
    def __init__(self) -> None:
        self.sagas: dict[str, Saga] = {}
        self.mails: list[Mail] = []
        self.claimed: set[str] = set()

    async def get(self, schedule_id: str) -> Saga | None:
        return self.sagas.get(schedule_id)

    async def put(self, saga: Saga, *, expected_version: int, mails: Sequence[Mail] = ()) -> None:
        stored = self.sagas.get(saga.schedule_id)
        if (stored.version if stored else 0) != expected_version:
            raise StaleCase(saga.schedule_id)
        self.sagas[saga.schedule_id] = saga
        self.mails.extend(mails)
        self.claimed.discard(saga.schedule_id)

    async def claim_due(self, now: datetime) -> Saga | None:
        due = sorted(
            (
                s
                for s in self.sagas.values()
                if s.due_at is not None and s.due_at <= now and s.schedule_id not in self.claimed
            ),
            key=lambda s: (s.due_at, s.schedule_id),
        )
        if not due:
            return None
        self.claimed.add(due[0].schedule_id)
        return due[0]

    async def release(self, schedule_id: str) -> None:
        self.claimed.discard(schedule_id)

    async def awaiting_mandate(self, merchant_id: str) -> Sequence[Saga]:
        return [
            s for s in self.sagas.values() if s.merchant_id == merchant_id and s.state is SagaState.AWAITING_MANDATE
        ]
