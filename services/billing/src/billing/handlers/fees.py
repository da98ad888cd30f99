"""Recovery's fees: record them (from `FeeIncurred`), plan them into pre-notified collections.

Every use case here has the one shape: take a command, load through a port, decide in the domain
(`domain/fees.py`, `domain/bank.py`), save with what it causes (mails, events) in one write.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from billing.domain.fees import Fee, FeeError, has_lapsed, plan_collection, prenotification
from billing.handlers.mandates import lapse_mandate, lapse_unused_mandates
from billing.ports import FeeLedgerStore, Fees, HeldLedger, SaveOutcome
from chassis.clock import Clock
from chassis.periodic import Periodic
from contracts.events.recovery import FeeIncurred

log = logging.getLogger("billing.handlers.fees")
RELOADS = 5  # fees recorded while planning: decide again, at most this often per pass


def fee_of(event: FeeIncurred) -> Fee:
    return Fee(
        fee_id=event.fee_id,
        case_id=event.case_id,
        creditor_id=event.creditor_id,
        step=event.step,
        amount_cents=event.amount_cents,
        incurred_at=event.incurred_at,
        company_id=event.company_id,
    )


async def record_fee(ledgers: FeeLedgerStore, clock: Clock, event: FeeIncurred) -> bool:
    """RecordFee: the fee goes in its creditor's ledger once, however often it is delivered.
    Planning follows (the scheduler, or the next batch). Needs the ledgers only: the consumer
    runs before the rest is wired."""
    recorded = await ledgers.record(fee_of(event), now=clock.now())
    if not recorded:
        log.info("fee %s recorded already", event.fee_id)
    return recorded


@dataclass
class PlanReport:
    planned: int = 0
    waiting: int = 0  # no signed mandate (or it lapsed): the fees wait for a new one
    lost: int = 0


async def plan_collections(fees: Fees) -> PlanReport:
    """PlanCollections: each creditor's pending fees become one collection under their signed
    mandate, dated `notice_days` ahead, its pre-notification mailed in the same write."""
    report = PlanReport()
    now = fees.clock.now()
    latest = await fees.batches.latest()
    not_before = latest.collection_on + timedelta(days=1) if latest else None
    while (held := await fees.ledgers.claim_to_plan(now)) is not None:
        await _plan_one(fees, held, now, not_before, report)
    return report


async def _plan_one(fees: Fees, held: HeldLedger, now: datetime, not_before: date | None, report: PlanReport) -> None:
    creditor_id = held.ledger.creditor_id
    found = await fees.onboardings.get(creditor_id)
    mandate = found[0].mandate if found else None
    profile = await fees.profiles.get(creditor_id)
    if mandate is not None and has_lapsed(held.ledger, mandate, now.date()):
        await lapse_mandate(fees, creditor_id)
        mandate = None
    if mandate is None or profile is None:
        await fees.ledgers.release(held, plan_again_at=now + fees.replan_after)
        report.waiting += 1
        return
    for _ in range(RELOADS):
        try:
            planned = plan_collection(
                held.ledger,
                mandate,
                collection_id=f"COL-{uuid.uuid4().hex[:16].upper()}",
                now=now,
                notice_days=fees.notice_days,
                not_before=not_before,
            )
        except FeeError as error:
            log.info("fees of %s wait: %s", creditor_id, error.message)
            await fees.ledgers.release(held, plan_again_at=now + fees.replan_after)
            report.waiting += 1
            return
        if planned is None:
            await fees.ledgers.release(held, plan_again_at=None)
            return
        ledger, collection = planned
        mail = prenotification(
            collection, ledger.fees, to=profile.email, debtor_name=mandate.debtor_name, creditor=fees.creditor
        )
        outcome = await fees.ledgers.save_planned(held, ledger, [mail], plan_again_at=None)
        if outcome is SaveOutcome.SAVED:
            report.planned += 1
            return
        if outcome is SaveOutcome.LOST:
            report.lost += 1
            return
        reloaded = await fees.ledgers.reload(held)
        if reloaded is None:
            report.lost += 1
            return
        held = reloaded
    await fees.ledgers.release(held, plan_again_at=now)


class FeeCollectionScheduler(Periodic):
    """Every `interval_seconds`: plans the pending fees into pre-notified collections and lapses the
    mandates unused for 36 months. Durable by construction: what is to plan lives in Mongo
    (`next_plan_at`), each ledger is claimed through a lease (`chassis.leases`), a mandate's lapse
    is a write conditional on its profile's version; the loop keeps no state."""

    name = "fee collection pass"

    def __init__(self, fees: Fees, interval_seconds: float) -> None:
        super().__init__(interval_seconds)
        self._fees = fees

    async def run_once(self) -> None:
        report = await plan_collections(self._fees)
        lapsed = await lapse_unused_mandates(self._fees)
        if report.planned or lapsed:
            log.info("fee collections: %d planned, %d mandates lapsed", report.planned, lapsed)
