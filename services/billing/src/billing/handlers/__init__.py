"""Billing's command handlers: parse nothing, decide through `domain`, write
through `store` with the events in the same write.

`Billing` is built once at start (app lifespan) and shared by routes, bus
handlers and the debit scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from billing.domain import schedules as rules
from billing.domain.bank import BankDetails, mask_iban
from billing.domain.cards import CardOnFile, card_change_refusals, regularisation_card
from billing.domain.money import format_euros
from billing.domain.onboarding import (
    Onboarding,
    OnboardingError,
    accept_terms,
    decide_mandate,
    give_bank_details,
)
from billing.domain.profiles import ProfileStatus
from billing.domain.schedules import Debit, DebitKind, Order, RetryPolicy, Schedule, ScheduleError, ScheduleStatus
from billing.payments.provider import CardInvalid, PaymentProvider
from billing.settings import BillingSettings
from billing.store.onboarding import OnboardingStore, StaleProfile
from billing.store.profiles import ProfileStore
from billing.store.schedules import ScheduleStore, StaleSchedule
from chassis.auth import Caller
from chassis.clock import Clock
from chassis.errors import DEPENDENCY_ERRORS, Conflict, Forbidden, NotFound, Problem, dependency_of, invalid_field
from chassis.leases import Claim
from contracts import Event
from contracts.events.billing import (
    MandateRefused,
    MandateSigned,
    PaymentRejected,
    PaymentSucceeded,
    ScheduleCreated,
    ScheduleRegularised,
)
from contracts.events.common import PostalAddress

log = logging.getLogger("billing.handlers")
TAKEOVER_MARGIN_SECONDS = 0.2


class PaymentRejectedProblem(Problem):
    status = 402


def retry_policy(settings: BillingSettings) -> RetryPolicy:
    return RetryPolicy(tuple(timedelta(hours=h) for h in settings.debit_retry_delays_hours))


def schedule_problem(error: ScheduleError) -> Problem:
    errors = [{"field": error.field, "message": error.message}] if error.field else None
    status = 422 if error.field else 409
    return Problem(error.message, status=status, code=error.code, errors=errors)


@dataclass
class DebitRunReport:
    debited: int = 0
    succeeded: int = 0
    rejected: int = 0
    conflicts: int = 0
    payment_ids: list[str] = field(default_factory=list)


@dataclass
class Billing:
    settings: BillingSettings
    clock: Clock
    schedules: ScheduleStore
    onboarding: OnboardingStore
    profiles: ProfileStore
    provider: PaymentProvider
    policy: RetryPolicy

    # --- schedules -----------------------------------------------------------------

    async def _tokenise(self, number: str, expiry_month: int, expiry_year: int, *, today: date) -> CardOnFile:
        try:
            return await self.provider.tokenise(number, expiry_month, expiry_year, today=today)
        except CardInvalid as error:
            raise Problem(
                error.message,
                status=422,
                code="card-invalid",
                errors=[{"field": f"card.{error.field}", "message": error.message}],
            ) from error

    async def merchant_name(self, caller: Caller) -> str:
        """The name in which `caller` creates schedules: only a merchant may, that is an
        onboarded creditor (its own login, or one of its API clients, role `merchant`)."""
        profile = await self.profiles.get(caller.account_id)
        if profile is None or profile.status is not ProfileStatus.ACTIVE:
            raise Forbidden(
                "only a merchant creates payment schedules: an onboarded creditor "
                "(bank details, terms and signed mandate) or one of its API clients",
                code="not-a-merchant",
            )
        return profile.display_name

    async def create_schedule(
        self, order: Order, card_number: str, expiry_month: int, expiry_year: int, *, created_by: str
    ) -> Schedule:
        """CreateSchedule: tokenise the card, plan the installments, emit ScheduleCreated.
        `created_by` is the merchant's account id: one schedule per order number of its."""
        now = self.clock.now()
        try:
            rules.check_purchase_date(order.purchase_date, today=now.date())
        except ScheduleError as error:
            raise schedule_problem(error) from error
        card = await self._tokenise(card_number, expiry_month, expiry_year, today=now.date())
        schedule = rules.create_schedule(
            f"sch_{uuid.uuid4().hex}",
            order,
            card,
            created_by=created_by,
            now=now,
            interval_days=self.settings.installment_interval_days,
        )
        last = schedule.last_installment_date()
        if last is not None and card.valid_through < last:
            raise Problem(
                f"the card expires {card.expiry_month:02d}/{card.expiry_year}, before the last installment on {last}",
                status=422,
                code="expires-before-last-installment",
                errors=[{"field": "card.expiry_year", "message": "expires before the last installment"}],
            )
        if card.brand not in ("visa", "mastercard"):
            raise Problem(
                f"only Visa or Mastercard cards are accepted, not {card.brand}",
                status=422,
                code="brand-not-accepted",
                errors=[{"field": "card.number", "message": "only Visa or Mastercard"}],
            )
        created = ScheduleCreated(
            schedule_id=schedule.schedule_id,
            order_number=order.order_number,
            merchant=order.merchant,
            buyer_email=order.buyer_email,
            purchase_amount_cents=order.purchase_amount_cents,
            fees_cents=order.fees_cents,
            purchase_date=order.purchase_date,
            installments=order.installments,
            merchant_id=created_by,
            buyer_name=order.buyer_name,
            buyer_address=(
                PostalAddress(
                    line=address.line, postal_code=address.postal_code, city=address.city, country=address.country
                )
                if (address := order.buyer_address)
                else None
            ),
        )
        try:
            await self.schedules.add(schedule, created)
        except DuplicateKeyError as error:
            raise Conflict(
                f"your order {order.order_number} already has a payment schedule",
                code="order-has-schedule",
            ) from error
        return schedule

    async def schedule_for(self, schedule_id: str, *, email: str | None, account_id: str) -> tuple[Schedule, int]:
        """The schedule, if the caller is its buyer (by order email) or its creator."""
        found = await self.schedules.get(schedule_id)
        if found is None:
            raise NotFound(f"no payment schedule {schedule_id}", code="schedule-not-found")
        schedule, version = found
        if schedule.order.buyer_email != (email or "").lower() and schedule.created_by != account_id:
            # Never reveal others' schedules: the same answer as for none.
            raise NotFound(f"no payment schedule {schedule_id}", code="schedule-not-found")
        return schedule, version

    async def change_card(
        self, schedule_id: str, number: str, expiry_month: int, expiry_year: int, *, email: str | None, account_id: str
    ) -> Schedule:
        """ChangeCard: accepted only if every card rule holds; each refusal names its rule."""
        schedule, version = await self.schedule_for(schedule_id, email=email, account_id=account_id)
        now = self.clock.now()
        card = await self._tokenise(number, expiry_month, expiry_year, today=now.date())
        refusals = card_change_refusals(
            card,
            today=now.date(),
            next_debit=schedule.next_debit_date(),
            last_installment=schedule.last_installment_date(),
            schedule_unpaid=schedule.status is ScheduleStatus.UNPAID,
        )
        if refusals:
            raise Problem(
                "; ".join(r.message for r in refusals),
                status=422,
                code=refusals[0].rule.value,
                errors=[{"field": "card", "message": r.message, "rule": r.rule.value} for r in refusals],
            )
        schedule.card = card
        await self._save(schedule, version, now=now)
        return schedule

    async def cancel(self, schedule_id: str, amount_cents: int | None, *, account_id: str) -> Schedule:
        """CancelOrder (by the merchant who created the schedule): total or partial."""
        found = await self.schedules.get(schedule_id)
        if found is None or found[0].created_by != account_id:
            raise NotFound(f"no payment schedule {schedule_id} created by you", code="schedule-not-found")
        schedule, version = found
        now = self.clock.now()
        try:
            updated = rules.cancel_order(schedule, amount_cents, now=now)
        except ScheduleError as error:
            raise schedule_problem(error) from error
        await self._save(updated, version, now=now)
        return updated

    async def regularise(
        self, schedule_id: str, payments: int, card: tuple[str, int, int] | None, *, email: str | None, account_id: str
    ) -> Schedule:
        """Regularise: plan the payments, then take the first one at once."""
        schedule, version = await self.schedule_for(schedule_id, email=email, account_id=account_id)
        now = self.clock.now()
        try:
            updated = rules.start_regularisation(
                schedule, payments, now=now, interval_days=self.settings.installment_interval_days
            )
        except ScheduleError as error:
            raise schedule_problem(error) from error
        if card is not None and updated.regularisation is not None:
            # The card-on-file rules hold here too (domain.cards.regularisation_card): a card
            # breaking one pays this plan only, and the card on file stays.
            new_card = await self._tokenise(*card, today=now.date())
            use = regularisation_card(
                new_card,
                today=now.date(),
                plan_last_payment=updated.regularisation.payments[-1].due_date,
                next_debit=updated.next_debit_date(),
                last_installment=updated.last_installment_date(),
            )
            if use.refusals:
                raise Problem(
                    "; ".join(r.message for r in use.refusals),
                    status=422,
                    code=use.refusals[0].rule.value,
                    errors=[{"field": "card", "message": r.message, "rule": r.rule.value} for r in use.refusals],
                )
            if use.becomes_card_on_file:
                updated.card = new_card
            else:
                updated.regularisation.card = new_card
        await self._save(updated, version, now=now)
        await self.run_due_debits(as_of=now, schedule_id=schedule_id)
        after = await self.schedules.get(schedule_id)
        assert after is not None
        result = after[0]
        # A rejected first payment drops the plan (domain.schedules.record_debit): it is then the last past one.
        plan = result.regularisation or result.past_regularisations[-1]
        first = plan.payments[0]
        if first.status is not rules.InstallmentStatus.PAID:
            raise PaymentRejectedProblem(
                f"your payment of {format_euros(first.amount_cents)} EUR was rejected ({first.last_decline}): "
                f"please call our collections service on {self.settings.collections_phone}",
                code="payment-rejected",
            )
        return result

    async def _save(self, schedule: Schedule, version: int, *events: Event, now: datetime) -> None:
        try:
            await self.schedules.save(schedule, version, *events, now=now)
        except StaleSchedule as error:
            raise Conflict(
                "the schedule changed meanwhile (a debit may be under way): try again", code="schedule-busy"
            ) from error

    # --- debit runs ------------------------------------------------------------------

    async def run_due_debits(self, *, as_of: datetime | None = None, schedule_id: str | None = None) -> DebitRunReport:
        """Debit everything due by `as_of` (default now), with bounded concurrency, until nothing is left."""
        report = DebitRunReport()
        due_by = as_of or self.clock.now()

        async def worker() -> None:
            while True:
                claimed = await self.schedules.claim_due(due_by=due_by, schedule_id=schedule_id)
                if claimed is None:
                    return
                await self._debit(claimed[0], claimed[1], due_by, report)

        workers = 1 if schedule_id else self.settings.debit_run_concurrency
        await asyncio.gather(*(worker() for _ in range(workers)))
        return report

    async def _debit(self, schedule: Schedule, claim: Claim, due_by: datetime, report: DebitRunReport) -> None:
        debit = rules.due_debit(schedule, due_by, self.policy)
        if debit is None:
            await self.schedules.release(schedule, claim)
            return
        # Same key on a re-run after a crash: the provider answers the first result, never charges twice.
        result = await self.provider.charge(
            rules.paying_card(schedule, debit).token, debit.amount_cents, idempotency_key=debit.idempotency_key
        )
        now = self.clock.now()
        updated = rules.record_debit(
            schedule,
            debit,
            succeeded=result.succeeded,
            decline_reason=result.decline_reason,
            now=now,
            policy=self.policy,
        )
        events = self._debit_events(schedule, updated, debit, result.succeeded, result.decline_reason)
        try:
            await self.schedules.record_debit(claim, updated, *events)
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

    async def seconds_to_takeover(self, *, within: float) -> float:
        """Seconds until a due schedule held by another runner can be claimed, at most `within`."""
        now = self.clock.now()
        lapses = await self.schedules.next_takeover(due_by=now)
        if lapses is None:
            return within
        # A lease is free once `until < now`: come back just after.
        return min(within, max((lapses - now).total_seconds(), 0.0) + TAKEOVER_MARGIN_SECONDS)

    def _debit_events(
        self, before: Schedule, after: Schedule, debit: Debit, succeeded: bool, reason: str | None
    ) -> list[Event]:
        order = after.order
        installment = debit.number if debit.kind is DebitKind.INSTALLMENT else None
        events: list[Event] = []
        if succeeded:
            events.append(
                PaymentSucceeded(
                    payment_id=debit.idempotency_key,
                    schedule_id=after.schedule_id,
                    kind=debit.kind.value,
                    installment_number=installment,
                    regularisation_payment_number=debit.number if debit.kind is DebitKind.REGULARISATION else None,
                    payer_email=order.buyer_email,
                    merchant=order.merchant,
                    amount_cents=debit.amount_cents,
                    attempt=debit.attempt,
                    schedule_status=after.status.value,
                )
            )
        else:
            events.append(
                PaymentRejected(
                    payment_id=debit.idempotency_key,
                    schedule_id=after.schedule_id,
                    installment_number=installment,
                    payer_email=order.buyer_email,
                    merchant=order.merchant,
                    amount_cents=debit.amount_cents,
                    reason=reason or "declined",
                    attempt=debit.attempt,
                    **buyer_details(after),
                )
            )
        was_settled = before.regularisation is not None and before.regularisation.settled
        regularisation = after.regularisation
        if regularisation is not None and regularisation.settled and not was_settled:
            events.append(
                ScheduleRegularised(
                    schedule_id=after.schedule_id,
                    payer_email=order.buyer_email,
                    merchant=order.merchant,
                    regularised_cents=regularisation.amount_cents,
                    payments=len(regularisation.payments),
                    order_number=order.order_number,
                    merchant_id=after.created_by,
                )
            )
        return events

    # --- onboarding -------------------------------------------------------------------

    async def _onboarding(self, account_id: str) -> tuple[Onboarding, int]:
        found = await self.onboarding.get(account_id)
        if found is None:
            raise NotFound(
                "no billing profile for this account yet: it opens once the account is activated", code="no-profile"
            )
        return found

    async def _save_onboarding(self, account_id: str, onboarding: Onboarding, version: int, *events: Event) -> None:
        try:
            await self.onboarding.save(account_id, onboarding, version, *events)
        except StaleProfile as error:
            raise Conflict("the profile changed meanwhile: try again", code="profile-busy") from error

    async def give_bank_details(self, account_id: str, details: BankDetails) -> Onboarding:
        onboarding, version = await self._onboarding(account_id)
        updated = give_bank_details(onboarding, details, now=self.clock.now())
        await self._save_onboarding(account_id, updated, version)
        return updated

    async def accept_terms(self, account_id: str, terms_version: str) -> Onboarding:
        onboarding, version = await self._onboarding(account_id)
        try:
            updated = accept_terms(onboarding, terms_version, self.settings.terms_version, now=self.clock.now())
        except OnboardingError as error:
            where = "they are served at GET /api/billing/terms"  # billing.api.terms
            raise Problem(
                f"{error.message}; {where}",
                status=422,
                code=error.code,
                errors=[{"field": "version", "message": f"{error.message}; {where}"}],
            ) from error
        await self._save_onboarding(account_id, updated, version)
        return updated

    async def decide_mandate(self, account_id: str, *, sign: bool) -> Onboarding:
        onboarding, version = await self._onboarding(account_id)
        now = self.clock.now()
        try:
            updated = decide_mandate(
                onboarding,
                sign=sign,
                account_id=account_id,
                creditor_identifier=self.settings.sepa_creditor_identifier,
                now=now,
            )
        except OnboardingError as error:
            raise Problem(error.message, status=409, code=error.code) from error
        events: list[Event] = []
        mandate = updated.mandate
        if sign and mandate is not None:
            events.append(
                MandateSigned(
                    account_id=account_id,
                    mandate_reference=mandate.reference,
                    creditor_identifier=mandate.creditor_identifier,
                    iban_masked=mask_iban(mandate.iban),
                    bic=mandate.bic,
                    signed_at=now,
                    # Who signed, and where they are: recovery's letters name the creditor with them.
                    holder_name=updated.bank_details.holder_name if updated.bank_details else None,
                    holder_address=holder_address(updated.bank_details),
                )
            )
        elif not sign:
            # Recovery's local mandate view: no case can be filed until one is signed.
            events.append(MandateRefused(account_id=account_id, reason="refused by the creditor", refused_at=now))
        await self._save_onboarding(account_id, updated, version, *events)
        return updated

    # Revoking the mandate: handlers/mandates.py (it emits MandateRevoked).


def holder_address(details: BankDetails | None) -> PostalAddress | None:
    """The account holder's billing address as events carry it, when the creditor gave one."""
    if details is None or details.billing_address is None:
        return None
    address = details.billing_address
    return PostalAddress(line=address.line, postal_code=address.postal_code, city=address.city, country=address.country)


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


def buyer_details(schedule: Schedule) -> dict[str, Any]:
    """The order's buyer as `PaymentRejected` carries it (optional fields within v1), so that
    recovery can open a case on the merchant's behalf against the buyer."""
    order = schedule.order
    address = order.buyer_address
    return {
        "order_number": order.order_number,
        "merchant_id": schedule.created_by,
        "buyer_name": order.buyer_name,
        "buyer_address": (
            PostalAddress(
                line=address.line, postal_code=address.postal_code, city=address.city, country=address.country
            )
            if address
            else None
        ),
    }


class DebitScheduler:
    """Runs the due debits every `debit_run_interval_seconds`, as long as the service runs.

    Durable by construction: what is due lives in Mongo (`next_debit_at`), a
    claim is a lease (`chassis.leases`) that lapses when its runner dies, and
    each debit's idempotency key makes a repeated provider call harmless; the
    scheduler itself keeps no state. When due work is held by another runner,
    it comes back as soon as that lease can lapse, not at its next pass: a dead
    runner's work is taken over within `debit_lease_seconds`."""

    def __init__(self, billing: Billing, interval_seconds: float) -> None:
        self._billing = billing
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """End `run` after the debit run in hand (the service runtime waits for it)."""
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            wait = self._interval
            try:
                report = await self._billing.run_due_debits()
                if report.debited:
                    log.info("debit run: %d debited (%d rejected)", report.debited, report.rejected)
                wait = await self._billing.seconds_to_takeover(within=self._interval)
            except asyncio.CancelledError:
                raise
            except DEPENDENCY_ERRORS as error:
                log.warning("debit run stopped, %s unreachable; next run in %.0fs", dependency_of(error), wait)
            except Exception:
                log.exception("debit run failed; next run in %.0fs", wait)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._stopping.wait()
