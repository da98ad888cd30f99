"""The ports of billing's fee collection: what its handlers (`handlers/fees.py`, `handlers/sepa_batches.py`,
`handlers/mandates.py`) need from the world, as Protocols.

The adapters implement them for real (`store/fees.py`, `store/onboarding.py`, `store/profiles.py`,
`adapters/pain008.py`); `services/billing/tests/fakes.py` implements them in memory for handler
unit tests. (The schedules' handlers still use their stores directly: issue #10 moves them later.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from billing.domain.fees import BatchLine, Fee, FeeLedger, Mail, SepaBatch
from billing.domain.onboarding import Onboarding
from billing.domain.profiles import BillingProfile
from contracts import Event


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
