"""What the fee-collection handlers are given: their ports, wired in `app.py`, faked in unit tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from billing.domain.fees import SepaCreditor
from billing.ports import BatchFileWriter, BatchStore, FeeLedgerStore, OnboardingRepository, ProfileRepository
from chassis.clock import Clock


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
