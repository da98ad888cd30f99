"""Payment schedules: a merchant creates one per order, its buyer reads it and changes its card,
the merchant cancels it. Each use case has the one shape: load through the ports, decide in the
domain (`domain/schedules.py`, `domain/cards.py`), save the schedule with its events in one write."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from billing.domain import schedules as rules
from billing.domain.cards import CardRule, card_change_refusals, new_schedule_card_refusals
from billing.domain.profiles import ProfileStatus
from billing.domain.schedules import ListedState, Order, Schedule, ScheduleError
from billing.handlers.common import (
    CardInput,
    card_refused,
    no_schedule,
    save_schedule,
    schedule_for,
    schedule_problem,
    tokenise,
)
from billing.handlers.events import schedule_created
from billing.ports import Billing, OrderHasSchedule
from chassis.auth import Caller
from chassis.errors import Conflict, Forbidden, Problem

# The field a creation's card refusal names (a change's name the card as a whole).
_NEW_CARD_FIELDS = {
    CardRule.EXPIRY: ("card.expiry_year", "expires before the last installment"),
    CardRule.BRAND: ("card.number", "only Visa or Mastercard"),
}


@dataclass(frozen=True)
class NewSchedule:
    """CreateSchedule: a merchant's order (named after the merchant: `merchant_name`) and its card."""

    order: Order
    card: CardInput


async def merchant_name(billing: Billing, caller: Caller) -> str:
    """The name in which `caller` creates schedules: only a merchant may, that is an
    onboarded creditor (its own login, or one of its API clients, role `merchant`)."""
    profile = await billing.profiles.get(caller.account_id)
    if profile is None or profile.status is not ProfileStatus.ACTIVE:
        raise Forbidden(
            "only a merchant creates payment schedules: an onboarded creditor "
            "(bank details, terms and signed mandate) or one of its API clients",
            code="not-a-merchant",
        )
    return profile.display_name


async def create_schedule(billing: Billing, command: NewSchedule, *, created_by: str) -> Schedule:
    """CreateSchedule: tokenise the card, plan the installments, emit ScheduleCreated.
    `created_by` is the merchant's account id: one schedule per order number of its."""
    order = command.order
    now = billing.clock.now()
    try:
        rules.check_purchase_date(order.purchase_date, today=now.date())
    except ScheduleError as error:
        raise schedule_problem(error) from error
    card = await tokenise(billing, command.card, today=now.date())
    try:
        schedule = rules.create_schedule(
            f"sch_{uuid.uuid4().hex}",
            order,
            card,
            created_by=created_by,
            now=now,
            interval_days=billing.settings.installment_interval_days,
        )
    except ScheduleError as error:
        raise schedule_problem(error) from error
    refusals = new_schedule_card_refusals(card, last_installment=schedule.last_installment_date())
    if refusals:
        first = refusals[0]
        field, message = _NEW_CARD_FIELDS[first.rule]
        raise Problem(first.message, status=422, code=first.rule.value, errors=[{"field": field, "message": message}])
    try:
        await billing.schedules.add(schedule, schedule_created(schedule))
    except OrderHasSchedule as error:
        raise Conflict(
            f"your order {order.order_number} already has a payment schedule", code="order-has-schedule"
        ) from error
    return schedule


async def my_schedules(billing: Billing, email: str | None, state: ListedState) -> list[Schedule]:
    """The schedules of orders bought with the caller's email, in progress or completed."""
    return rules.in_listed_state(await billing.schedules.of_buyer((email or "").lower()), state)


async def schedule_of(billing: Billing, schedule_id: str, *, email: str | None, account_id: str) -> Schedule:
    """A schedule as its buyer or creator sees it (404 to anyone else)."""
    schedule, _ = await schedule_for(billing, schedule_id, email=email, account_id=account_id)
    return schedule


async def change_card(
    billing: Billing, schedule_id: str, card_input: CardInput, *, email: str | None, account_id: str
) -> Schedule:
    """ChangeCard: accepted only if every card rule holds; each refusal names its rule."""
    schedule, version = await schedule_for(billing, schedule_id, email=email, account_id=account_id)
    now = billing.clock.now()
    card = await tokenise(billing, card_input, today=now.date())
    refusals = card_change_refusals(
        card,
        today=now.date(),
        next_debit=schedule.next_debit_date(),
        last_installment=schedule.last_installment_date(),
        schedule_unpaid=not schedule.may_change_card,
    )
    if refusals:
        raise card_refused(refusals)
    schedule.card = card
    await save_schedule(billing, schedule, version, now=now)
    return schedule


async def cancel(billing: Billing, schedule_id: str, amount_cents: int | None, *, account_id: str) -> Schedule:
    """CancelOrder (by the merchant who created the schedule): total or partial."""
    found = await billing.schedules.get(schedule_id)
    if found is None or found[0].created_by != account_id:
        raise no_schedule(schedule_id, suffix=" created by you")
    schedule, version = found
    now = billing.clock.now()
    try:
        updated = rules.cancel_order(schedule, amount_cents, now=now)
    except ScheduleError as error:
        raise schedule_problem(error) from error
    await save_schedule(billing, updated, version, now=now)
    return updated
