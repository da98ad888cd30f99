"""The ports of billing: what its handlers need from the world, as Protocols.

The adapters implement them for real: `store/schedules.py`, `store/onboarding.py`,
`store/profiles.py`, `store/companies.py`, `store/fees.py` (MongoDB, each write carrying its
events through the outbox, or its mails through the chassis' durable courier: the SMTP courier
itself is the chassis' relay, started in `app.py`, so no handler talks to SMTP), the payment
provider (`adapters/payments.py`), the pain.008 writer (`adapters/pain008.py`), the rights view
(`chassis.rights.RightsView`) and the clock (`chassis.clock.Clock`). `services/billing/tests/fakes.py`
implements every one in memory for handler unit tests.

Stores take and return domain objects (`billing.domain`), never documents. A conditional write
that lost a race raises the port's `Stale...` error (or answers False / a `SaveOutcome`): the
handler answers 409 or decides again on fresh state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from billing.domain.cards import CardOnFile
from billing.domain.companies import BankDetailsAudit, CompanyBankDetails
from billing.domain.fees import BatchLine, Fee, FeeLedger, Mail, SepaBatch, SepaCreditor
from billing.domain.onboarding import Onboarding
from billing.domain.profiles import BillingProfile
from billing.domain.schedules import RetryPolicy, Schedule
from billing.settings import BillingSettings
from chassis.clock import Clock
from contracts import Event, Right

# --- payment schedules and their debits --------------------------------------------------


class StaleSchedule(Exception):
    """The schedule changed since it was read (or the claim was lost): read it again."""


class OrderHasSchedule(Exception):
    """The merchant's order number has a schedule already."""


@dataclass(frozen=True)
class HeldSchedule:
    """A schedule claimed by this instance for its due debit (a lease, `chassis.leases`):
    `token` is the store's claim, handed back to record the outcome or release it."""

    schedule: Schedule
    token: object


class ScheduleRepository(Protocol):
    async def add(self, schedule: Schedule, *events: Event) -> None:
        """Insert with its events; `OrderHasSchedule` when the merchant's order has one already."""
        ...

    async def get(self, schedule_id: str) -> tuple[Schedule, int] | None:
        """The schedule and its version."""
        ...

    async def of_buyer(self, email: str) -> list[Schedule]:
        """The schedules of orders bought with this email, newest first."""
        ...

    async def save(self, schedule: Schedule, version: int, *events: Event, now: datetime) -> None:
        """Write if unchanged since `version` and no debit is under way, else `StaleSchedule`."""
        ...

    async def claim_due(self, *, due_by: datetime, schedule_id: str | None = None) -> HeldSchedule | None:
        """Reserve one schedule with a debit due by `due_by` to this instance, under a lease."""
        ...

    async def record_debit(self, held: HeldSchedule, schedule: Schedule, *events: Event) -> None:
        """Write a debit's outcome with its events and give the claim back; `StaleSchedule` if it was lost."""
        ...

    async def release(self, held: HeldSchedule) -> None:
        """Give a claim back with nothing debited."""
        ...

    async def next_takeover(self, *, due_by: datetime) -> datetime | None:
        """When the first due schedule claimed by another instance can be taken over, if any."""
        ...


class CardInvalid(ValueError):
    """The provider refuses the card's number or expiry (`field` names which)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    decline_reason: str | None
    provider_reference: str


class PaymentProvider(Protocol):
    """The card processor (PSP): keeps the card, charges its token."""

    async def tokenise(self, number: str, expiry_month: int, expiry_year: int, *, today: date) -> CardOnFile:
        """The card as the provider keeps it; raises `CardInvalid`."""
        ...

    async def charge(self, token: str, amount_cents: int, *, idempotency_key: str) -> ChargeResult:
        """Charges once per key, whatever the number of calls."""
        ...


# --- creditors: profile, onboarding, companies -------------------------------------------


class StaleProfile(Exception):
    """The profile changed since its onboarding was read."""


class OnboardingRepository(Protocol):
    """The creditor's onboarding (bank details, terms, mandate) inside the profile (`store/onboarding.py`)."""

    async def get(self, account_id: str) -> tuple[Onboarding, int] | None: ...

    async def save(self, account_id: str, onboarding: Onboarding, version: int, *events: Event) -> None:
        """Write if unchanged since `version` (else `StaleProfile`), the events in the same write."""
        ...

    async def signed_mandate_holders(self) -> list[str]:
        """Account ids whose mandate is signed (the lapse job looks at them)."""
        ...


class ProfileRepository(Protocol):
    async def get(self, account_id: str) -> BillingProfile | None: ...

    async def add_if_absent(self, profile: BillingProfile) -> bool:
        """Insert keyed by account id; False (nothing written) if it exists."""
        ...


class CompanyBankDetailsStore(Protocol):
    async def get(self, siren: str) -> CompanyBankDetails | None: ...

    async def save(self, company: CompanyBankDetails, audit: BankDetailsAudit) -> None:
        """Write the company's bank details and append the audit record, in one write."""
        ...

    async def history(self, siren: str) -> list[BankDetailsAudit]:
        """The audit trail of the company's bank details, oldest first."""
        ...


class RightsReader(Protocol):
    """Billing's local view of teams' rights (`chassis.rights.RightsView`, fed by teams' events)."""

    async def require(self, company_id: str, member_id: str, right: Right) -> None:
        """Raise 403 `missing-right` unless the member holds `right` for the company."""
        ...


@dataclass
class Billing:
    """What billing's schedule, debit, onboarding and company handlers use: wired once by the app
    (real adapters) or by a test (fakes)."""

    settings: BillingSettings
    clock: Clock
    schedules: ScheduleRepository
    onboarding: OnboardingRepository
    profiles: ProfileRepository
    companies: CompanyBankDetailsStore
    rights: RightsReader
    provider: PaymentProvider
    policy: RetryPolicy


# --- recovery's fees, collected by SEPA Core direct debit ---------------------------------


@dataclass(frozen=True)
class HeldLedger:
    """A fee ledger claimed by this instance (a lease, `chassis.leases`): `token` is the store's
    claim, `fee_count` how many fees the ledger held when it was read."""

    ledger: FeeLedger
    token: object
    fee_count: int


class SaveOutcome(StrEnum):
    SAVED = "saved"
    FEES_CHANGED = "fees-changed"  # a fee was recorded meanwhile: reload (the claim still holds) and decide again
    LOST = "lost"  # the lease lapsed and another instance took the ledger: nothing was written


class FeeLedgerStore(Protocol):
    """One ledger per creditor: its fees (appended by the consumer) and its collections (written
    by the lease holder only), with the pre-notification mails in the same write."""

    async def record(self, fee: Fee, *, now: datetime) -> bool:
        """Add the fee to its creditor's ledger (created if absent) and mark the ledger to plan;
        False (nothing written) if that `fee_id` is recorded already."""
        ...

    async def get(self, creditor_id: str) -> FeeLedger | None: ...

    async def claim_to_plan(self, now: datetime) -> HeldLedger | None:
        """Claim one ledger with fees to plan (its planning time has come), or None."""
        ...

    async def reload(self, held: HeldLedger) -> HeldLedger | None:
        """The held ledger as stored now (same claim), or None if the claim was lost."""
        ...

    async def save_planned(
        self, held: HeldLedger, ledger: FeeLedger, mails: Sequence[Mail], *, plan_again_at: datetime | None
    ) -> SaveOutcome:
        """Write the ledger's collections and queue `mails` (one write), unless a fee was recorded
        since `held` was read; release the claim. `plan_again_at`: when to look at it again."""
        ...

    async def release(self, held: HeldLedger, *, plan_again_at: datetime | None) -> None: ...

    async def claim_due(self, on: date) -> HeldLedger | None:
        """Claim one ledger with a scheduled collection due by `on`, or None."""
        ...

    async def save_batched(self, held: HeldLedger, ledger: FeeLedger, *, plan_again_at: datetime | None) -> bool:
        """Write the collections (batched or cancelled) and release the claim; False if the claim was lost."""
        ...

    async def in_batch(self, batch_id: str) -> list[FeeLedger]:
        """The ledgers with a collection in that batch."""
        ...

    async def earliest_scheduled(self) -> date | None:
        """The earliest date of a collection not yet in a batch."""
        ...


@dataclass(frozen=True)
class HeldBatch:
    batch_id: str
    token: object


class BatchStore(Protocol):
    """The SEPA batch files produced, one per collection date, sealed at rest (they hold IBANs)."""

    async def get(self, batch_id: str) -> SepaBatch | None:
        """A produced batch, or None (also while it is being produced)."""
        ...

    async def latest(self) -> SepaBatch | None:
        """The produced batch with the latest collection date."""
        ...

    async def open(self, batch_id: str, on: date, *, now: datetime) -> HeldBatch | None:
        """Create (if absent) and claim the batch being produced; None if another instance holds it
        or it is produced already."""
        ...

    async def save(self, held: HeldBatch, batch: SepaBatch) -> bool:
        """Store the produced batch and release the claim; False if the claim was lost."""
        ...

    async def release(self, held: HeldBatch) -> None: ...

    async def list(self, limit: int) -> list[SepaBatch]:
        """Produced batches, latest collection date first."""
        ...


class BatchFileWriter(Protocol):
    """Writes the bank's file (pain.008) of a batch."""

    schema: str

    def render(self, lines: Sequence[BatchLine], *, batch_id: str, on: date, created_at: datetime) -> bytes: ...


@dataclass
class Fees:
    """What the fee-collection handlers are given (wired in `app.py`, faked in unit tests)."""

    ledgers: FeeLedgerStore
    batches: BatchStore
    onboardings: OnboardingRepository
    profiles: ProfileRepository
    writer: BatchFileWriter
    creditor: SepaCreditor
    clock: Clock
    notice_days: int = 14
    # A ledger whose fees cannot be planned yet (no signed mandate) is looked at again after this.
    replan_after: timedelta = field(default=timedelta(hours=1))
    # Who may produce, list and download the batch files (`BILLING_SEPA_BATCH_ROLES`).
    batch_roles: tuple[str, ...] = ("support", "operator")
