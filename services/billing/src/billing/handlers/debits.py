"""The debit run: every installment and regularisation payment due is charged once, its outcome
and events written in one conditional update, by `POST /debit-runs` or the `DebitScheduler`.

One shape per debit: claim a due schedule through the port (a lease), decide the debit in the
domain (`domain/schedules.due_debit`), charge the provider under the debit's idempotency key,
record the outcome in the domain (`record_debit`) and save it with its events in one write.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from billing.domain import schedules as rules
from billing.domain.schedules import RetryPolicy
from billing.handlers.events import debit_events
from billing.ports import Billing, HeldSchedule, StaleSchedule
from billing.settings import BillingSettings
from chassis.errors import Forbidden, invalid_field
from chassis.periodic import Periodic

log = logging.getLogger("billing.handlers.debits")
TAKEOVER_MARGIN_SECONDS = 0.2


def retry_policy(settings: BillingSettings) -> RetryPolicy:
    return RetryPolicy(tuple(timedelta(hours=h) for h in settings.debit_retry_delays_hours))


@dataclass
class DebitRunReport:
    debited: int = 0
    succeeded: int = 0
    rejected: int = 0
    conflicts: int = 0
    payment_ids: list[str] = field(default_factory=list)


def require_operator(settings: BillingSettings, roles: tuple[str, ...]) -> None:
    """Running debits by hand: the operator role, in every environment."""
    if settings.operator_role not in roles:
        raise Forbidden(f"you need the role '{settings.operator_role}' to run debits by hand", code="missing-role")


def check_as_of(as_of: datetime | None, now: datetime, window: timedelta) -> None:
    """A debit run's `as_of` within `window` of now (either way)."""
    if as_of is not None and not now - window <= as_of <= now + window:
        raise invalid_field(
            "as_of",
            "too far from now",
            f"as_of must be between {(now - window).isoformat()} and {(now + window).isoformat()}",
        )


async def run_debits_by_hand(billing: Billing, roles: tuple[str, ...], as_of: datetime | None) -> DebitRunReport:
    """RunDueDebits (an operator, `POST /debit-runs`): the run the scheduler makes, at once."""
    require_operator(billing.settings, roles)
    check_as_of(as_of, billing.clock.now(), timedelta(days=billing.settings.debit_run_as_of_window_days))
    return await run_due_debits(billing, as_of=as_of)


async def run_due_debits(
    billing: Billing, *, as_of: datetime | None = None, schedule_id: str | None = None
) -> DebitRunReport:
    """Debit everything due by `as_of` (default now), with bounded concurrency, until nothing is left."""
    report = DebitRunReport()
    due_by = as_of or billing.clock.now()

    async def worker() -> None:
        while True:
            held = await billing.schedules.claim_due(due_by=due_by, schedule_id=schedule_id)
            if held is None:
                return
            await _debit(billing, held, due_by, report)

    workers = 1 if schedule_id else billing.settings.debit_run_concurrency
    await asyncio.gather(*(worker() for _ in range(workers)))
    return report


async def _debit(billing: Billing, held: HeldSchedule, due_by: datetime, report: DebitRunReport) -> None:
    schedule = held.schedule
    debit = rules.due_debit(schedule, due_by, billing.policy)
    if debit is None:
        await billing.schedules.release(held)
        return
    # Same key on a re-run after a crash: the provider answers the first result, never charges twice.
    result = await billing.provider.charge(
        rules.paying_card(schedule, debit).token, debit.amount_cents, idempotency_key=debit.idempotency_key
    )
    now = billing.clock.now()
    updated = rules.record_debit(
        schedule,
        debit,
        succeeded=result.succeeded,
        decline_reason=result.decline_reason,
        now=now,
        policy=billing.policy,
    )
    events = debit_events(schedule, updated, debit, result.succeeded, result.decline_reason)
    try:
        await billing.schedules.record_debit(held, updated, *events)
    except StaleSchedule:
        # The lease lapsed and another runner took it: it gets the same answer from the provider.
        report.conflicts += 1
        log.warning("lost the claim on %s while debiting %s", schedule.schedule_id, debit.idempotency_key)
        return
    report.debited += 1
    report.payment_ids.append(debit.idempotency_key)
    if result.succeeded:
        report.succeeded += 1
    else:
        report.rejected += 1


async def seconds_to_takeover(billing: Billing, *, within: float) -> float:
    """Seconds until a due schedule held by another runner can be claimed, at most `within`."""
    now = billing.clock.now()
    lapses = await billing.schedules.next_takeover(due_by=now)
    if lapses is None:
        return within
    # A lease is free once `until < now`: come back just after.
    return min(within, max((lapses - now).total_seconds(), 0.0) + TAKEOVER_MARGIN_SECONDS)


class DebitScheduler(Periodic):
    """Runs the due debits every `debit_run_interval_seconds`, as long as the service runs.

    Durable by construction: what is due lives in Mongo (`next_debit_at`), a
    claim is a lease (`chassis.leases`) that lapses when its runner dies, and
    each debit's idempotency key makes a repeated provider call harmless; the
    scheduler itself keeps no state. When due work is held by another runner,
    it comes back as soon as that lease can lapse, not at its next pass: a dead
    runner's work is taken over within `debit_lease_seconds`."""

    name = "debit run"

    def __init__(self, billing: Billing, interval_seconds: float) -> None:
        super().__init__(interval_seconds)
        self._billing = billing

    async def run_once(self) -> float:
        report = await run_due_debits(self._billing)
        if report.debited:
            log.info("debit run: %d debited (%d rejected)", report.debited, report.rejected)
        return await seconds_to_takeover(self._billing, within=self.interval)
