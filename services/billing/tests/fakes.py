"""In-memory fakes of billing's ports (`billing.ports`), for handler unit tests (no broker, no database).

They keep the real adapters' promises that the handlers rely on: a schedule per merchant's order
number, a write refused when the schedule changed or is held by a debit, one holder per claimed
schedule, ledger or batch at a time, a charge once per idempotency key, a fee recorded once per
`fee_id`, a planning write refused when a fee was recorded since the read, a claim lost when
someone else took the document over. Every write keeps its events (and mails, audit records) so
a test reads what the change would have published."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from billing.adapters.payments import TEST_CARDS, brand_of, check_card
from billing.domain.cards import CardOnFile
from billing.domain.companies import BankDetailsAudit, CompanyBankDetails
from billing.domain.fees import CollectionStatus, Fee, FeeLedger, Mail, SepaBatch, record_fee
from billing.domain.onboarding import Onboarding
from billing.domain.profiles import BillingProfile
from billing.domain.schedules import RetryPolicy, Schedule, next_debit_at
from billing.handlers.debits import retry_policy
from billing.ports import (
    Billing,
    ChargeResult,
    HeldBatch,
    HeldLedger,
    HeldSchedule,
    OrderHasSchedule,
    SaveOutcome,
    StaleProfile,
    StaleSchedule,
)
from billing.settings import BillingSettings
from chassis.errors import Forbidden
from contracts import Event, Right
from tests.clock import SettableClock

_tokens = itertools.count(1)


@dataclass
class _Ledger:
    ledger: FeeLedger
    next_plan_at: datetime | None = None
    holder: int | None = None
    mails: list[Mail] = field(default_factory=list)


class FakeLedgers:
    def __init__(self) -> None:
        self.docs: dict[str, _Ledger] = {}

    async def record(self, fee: Fee, *, now: datetime) -> bool:
        doc = self.docs.setdefault(fee.creditor_id, _Ledger(FeeLedger(fee.creditor_id)))
        if doc.ledger.fee(fee.fee_id) is not None:
            return False
        doc.ledger = record_fee(doc.ledger, fee)
        doc.next_plan_at = now
        return True

    async def get(self, creditor_id: str) -> FeeLedger | None:
        doc = self.docs.get(creditor_id)
        return doc.ledger if doc else None

    def _claim(self, doc: _Ledger) -> HeldLedger:
        doc.holder = next(_tokens)
        return HeldLedger(doc.ledger, doc.holder, len(doc.ledger.fees))

    async def claim_to_plan(self, now: datetime) -> HeldLedger | None:
        for doc in self.docs.values():
            if doc.holder is None and doc.next_plan_at is not None and doc.next_plan_at <= now:
                return self._claim(doc)
        return None

    def _held(self, held: HeldLedger) -> _Ledger | None:
        doc = self.docs[held.ledger.creditor_id]
        return doc if doc.holder == held.token else None

    async def reload(self, held: HeldLedger) -> HeldLedger | None:
        doc = self._held(held)
        return HeldLedger(doc.ledger, held.token, len(doc.ledger.fees)) if doc else None

    async def save_planned(
        self, held: HeldLedger, ledger: FeeLedger, mails: Sequence[Mail], *, plan_again_at: datetime | None
    ) -> SaveOutcome:
        doc = self._held(held)
        if doc is None:
            return SaveOutcome.LOST
        if len(doc.ledger.fees) != held.fee_count:
            return SaveOutcome.FEES_CHANGED
        doc.ledger = replace(doc.ledger, collections=ledger.collections)
        doc.mails.extend(mails)
        doc.next_plan_at = plan_again_at
        doc.holder = None
        return SaveOutcome.SAVED

    async def release(self, held: HeldLedger, *, plan_again_at: datetime | None) -> None:
        doc = self._held(held)
        if doc is None:
            return
        if len(doc.ledger.fees) == held.fee_count:
            doc.next_plan_at = plan_again_at
        doc.holder = None

    async def claim_due(self, on: date) -> HeldLedger | None:
        for doc in self.docs.values():
            following = doc.ledger.next_collection_on
            if doc.holder is None and following is not None and following <= on:
                return self._claim(doc)
        return None

    async def save_batched(self, held: HeldLedger, ledger: FeeLedger, *, plan_again_at: datetime | None) -> bool:
        doc = self._held(held)
        if doc is None:
            return False
        doc.ledger = replace(doc.ledger, collections=ledger.collections)
        if plan_again_at is not None:
            doc.next_plan_at = plan_again_at
        doc.holder = None
        return True

    async def in_batch(self, batch_id: str) -> list[FeeLedger]:
        return [doc.ledger for doc in self.docs.values() if any(c.batch_id == batch_id for c in doc.ledger.collections)]

    async def earliest_scheduled(self) -> date | None:
        dates = [
            c.collection_on
            for doc in self.docs.values()
            for c in doc.ledger.collections
            if c.status is CollectionStatus.SCHEDULED
        ]
        return min(dates) if dates else None

    def mails(self) -> list[Mail]:
        return [mail for doc in self.docs.values() for mail in doc.mails]


class FakeBatches:
    def __init__(self) -> None:
        self.produced: dict[str, SepaBatch] = {}
        self.building: dict[str, int | None] = {}

    async def get(self, batch_id: str) -> SepaBatch | None:
        return self.produced.get(batch_id)

    async def latest(self) -> SepaBatch | None:
        return max(self.produced.values(), key=lambda b: b.collection_on, default=None)

    async def open(self, batch_id: str, on: date, *, now: datetime) -> HeldBatch | None:
        if batch_id in self.produced or self.building.get(batch_id) is not None:
            return None
        token = next(_tokens)
        self.building[batch_id] = token
        return HeldBatch(batch_id, token)

    async def save(self, held: HeldBatch, batch: SepaBatch) -> bool:
        if self.building.get(held.batch_id) != held.token:
            return False
        self.produced[held.batch_id] = batch
        del self.building[held.batch_id]
        return True

    async def release(self, held: HeldBatch) -> None:
        if self.building.get(held.batch_id) == held.token:
            self.building[held.batch_id] = None

    async def list(self, limit: int) -> list[SepaBatch]:
        return sorted(self.produced.values(), key=lambda b: b.collection_on, reverse=True)[:limit]


class FakeOnboardings:
    def __init__(self) -> None:
        self.docs: dict[str, tuple[Onboarding, int]] = {}
        self.events: list[tuple[str, Event]] = []
        # Accounts whose profile someone else changes right after the next read.
        self.changed_after_read: set[str] = set()

    async def get(self, account_id: str) -> tuple[Onboarding, int] | None:
        found = self.docs.get(account_id)
        if found is not None and account_id in self.changed_after_read:
            self.changed_after_read.discard(account_id)
            self.docs[account_id] = (found[0], found[1] + 1)
        return found

    async def save(self, account_id: str, onboarding: Onboarding, version: int, *events: Event) -> None:
        current = self.docs.get(account_id)
        if current is None or current[1] != version:
            raise StaleProfile(account_id)
        self.docs[account_id] = (onboarding, version + 1)
        self.events.extend((account_id, event) for event in events)

    async def signed_mandate_holders(self) -> list[str]:
        return [
            account_id
            for account_id, (onboarding, _) in self.docs.items()
            if onboarding.mandate is not None and onboarding.mandate.status.value == "signed"
        ]


class FakeProfiles:
    def __init__(self) -> None:
        self.docs: dict[str, BillingProfile] = {}

    async def get(self, account_id: str) -> BillingProfile | None:
        return self.docs.get(account_id)

    async def add_if_absent(self, profile: BillingProfile) -> bool:
        if profile.account_id in self.docs:
            return False
        self.docs[profile.account_id] = profile
        return True


@dataclass
class _Schedule:
    schedule: Schedule
    version: int
    next_debit_at: datetime | None
    holder: int | None = None


class FakeSchedules:
    """Schedules as the Mongo store keeps them: copies (a handler's change is not stored until
    saved), versioned, claimed one holder at a time for their due debit."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.docs: dict[str, _Schedule] = {}
        self.events: list[Event] = []
        self._policy = policy
        # Schedules whose claim lapses, and is taken by another instance, while their debit is charged.
        self.lapse_before_recording: set[str] = set()

    def _keep(self, doc: _Schedule, schedule: Schedule, events: Sequence[Event]) -> None:
        doc.schedule = copy.deepcopy(schedule)
        doc.version += 1
        doc.next_debit_at = next_debit_at(schedule, self._policy)
        self.events.extend(events)

    async def add(self, schedule: Schedule, *events: Event) -> None:
        order = schedule.order
        if any(
            d.schedule.created_by == schedule.created_by and d.schedule.order.order_number == order.order_number
            for d in self.docs.values()
        ):
            raise OrderHasSchedule(order.order_number)
        doc = _Schedule(schedule, 0, None)
        self._keep(doc, schedule, events)
        self.docs[schedule.schedule_id] = doc

    async def get(self, schedule_id: str) -> tuple[Schedule, int] | None:
        doc = self.docs.get(schedule_id)
        return (copy.deepcopy(doc.schedule), doc.version) if doc else None

    async def of_buyer(self, email: str) -> list[Schedule]:
        found = [copy.deepcopy(d.schedule) for d in self.docs.values() if d.schedule.order.buyer_email == email]
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    async def save(self, schedule: Schedule, version: int, *events: Event, now: datetime) -> None:
        doc = self.docs.get(schedule.schedule_id)
        if doc is None or doc.version != version or doc.holder is not None:
            raise StaleSchedule(schedule.schedule_id)
        self._keep(doc, schedule, events)

    async def claim_due(self, *, due_by: datetime, schedule_id: str | None = None) -> HeldSchedule | None:
        for doc in self.docs.values():
            if schedule_id is not None and doc.schedule.schedule_id != schedule_id:
                continue
            if doc.holder is None and doc.next_debit_at is not None and doc.next_debit_at <= due_by:
                doc.holder = next(_tokens)
                doc.version += 1
                return HeldSchedule(copy.deepcopy(doc.schedule), doc.holder)
        return None

    def _held(self, held: HeldSchedule) -> _Schedule:
        doc = self.docs[held.schedule.schedule_id]
        if doc.holder != held.token:
            raise StaleSchedule(held.schedule.schedule_id)
        return doc

    async def record_debit(self, held: HeldSchedule, schedule: Schedule, *events: Event) -> None:
        if schedule.schedule_id in self.lapse_before_recording:
            self.lapse_before_recording.discard(schedule.schedule_id)
            self.hold(schedule.schedule_id)
        doc = self._held(held)
        self._keep(doc, schedule, events)
        doc.holder = None

    async def release(self, held: HeldSchedule) -> None:
        doc = self._held(held)
        doc.next_debit_at = next_debit_at(held.schedule, self._policy)
        doc.holder = None

    async def next_takeover(self, *, due_by: datetime) -> datetime | None:
        return None  # no other instance holds anything here

    def hold(self, schedule_id: str) -> None:
        """Another instance claims the schedule (a debit under way there)."""
        self.docs[schedule_id].holder = next(_tokens)


class FakeProvider:
    """The simulated provider's outcomes (`payments.provider.TEST_CARDS`) without its database:
    a charge once per idempotency key, the first answer repeated."""

    def __init__(self) -> None:
        self.charges: dict[str, ChargeResult] = {}
        self._declines: dict[str, str | None] = {}  # token -> its card's decline reason (the number is not kept)

    async def tokenise(self, number: str, expiry_month: int, expiry_year: int, *, today: date) -> CardOnFile:
        digits = check_card(number, expiry_month, expiry_year, today)
        token = f"tok_fake_{len(self._declines)}"
        self._declines[token] = TEST_CARDS.get(digits)
        return CardOnFile(token, brand_of(digits), digits[-4:], expiry_month, expiry_year)

    async def charge(self, token: str, amount_cents: int, *, idempotency_key: str) -> ChargeResult:
        if idempotency_key not in self.charges:
            decline = self._declines.get(token, "unknown_card")
            self.charges[idempotency_key] = ChargeResult(decline is None, decline, f"ch_fake_{len(self.charges)}")
        return self.charges[idempotency_key]


class FakeCompanies:
    def __init__(self) -> None:
        self.docs: dict[str, CompanyBankDetails] = {}
        self.audit: list[BankDetailsAudit] = []

    async def get(self, siren: str) -> CompanyBankDetails | None:
        return self.docs.get(siren)

    async def save(self, company: CompanyBankDetails, audit: BankDetailsAudit) -> None:
        self.docs[company.siren] = company
        self.audit.append(audit)

    async def history(self, siren: str) -> list[BankDetailsAudit]:
        return [a for a in self.audit if a.siren == siren]


class FakeRights:
    """Billing's rights view as teams' events would have fed it."""

    def __init__(self) -> None:
        self.granted: set[tuple[str, str, Right]] = set()

    def grant(self, company_id: str, member_id: str, right: Right) -> None:
        self.granted.add((company_id, member_id, right))

    async def require(self, company_id: str, member_id: str, right: Right) -> None:
        if (company_id, member_id, right) not in self.granted:
            raise Forbidden(f"you need the right '{right}' for company {company_id}", code="missing-right")


@dataclass
class FakeBilling:
    """Billing's ports on fakes, and the fakes themselves for a test to arrange and read."""

    billing: Billing
    clock: SettableClock
    schedules: FakeSchedules
    onboardings: FakeOnboardings
    profiles: FakeProfiles
    companies: FakeCompanies
    rights: FakeRights
    provider: FakeProvider


def fake_billing(now: datetime | None = None, **settings: object) -> FakeBilling:
    clock = SettableClock(now or datetime(2026, 12, 2, 9, tzinfo=UTC))
    config = BillingSettings(**settings)  # type: ignore[arg-type]
    policy = retry_policy(config)
    schedules, onboardings, profiles = FakeSchedules(policy), FakeOnboardings(), FakeProfiles()
    companies, rights, provider = FakeCompanies(), FakeRights(), FakeProvider()
    billing = Billing(config, clock, schedules, onboardings, profiles, companies, rights, provider, policy)
    return FakeBilling(billing, clock, schedules, onboardings, profiles, companies, rights, provider)
