"""Regularise: the customer pays what is unpaid at once or in 2 or 3 monthly payments; the first
is taken at once, through the debit run's own path (`handlers/debits.py`)."""

from __future__ import annotations

from billing.domain import schedules as rules
from billing.domain.cards import regularisation_card
from billing.domain.money import format_euros
from billing.domain.schedules import Schedule, ScheduleError
from billing.handlers.common import (
    CardInput,
    PaymentRejectedProblem,
    card_refused,
    save_schedule,
    schedule_for,
    schedule_problem,
    tokenise,
)
from billing.handlers.debits import run_due_debits
from billing.ports import Billing


async def regularise(
    billing: Billing,
    schedule_id: str,
    payments: int,
    card: CardInput | None,
    *,
    email: str | None,
    account_id: str,
) -> Schedule:
    """Regularise: plan the payments, then take the first one at once (402 with the collections
    phone number if it is rejected; the plan is then dropped and may be started again)."""
    schedule, version = await schedule_for(billing, schedule_id, email=email, account_id=account_id)
    now = billing.clock.now()
    try:
        updated = rules.start_regularisation(
            schedule, payments, now=now, interval_days=billing.settings.installment_interval_days
        )
    except ScheduleError as error:
        raise schedule_problem(error) from error
    if card is not None and updated.regularisation is not None:
        # The card-on-file rules hold here too (domain.cards.regularisation_card): a card
        # breaking one pays this plan only, and the card on file stays.
        new_card = await tokenise(billing, card, today=now.date())
        use = regularisation_card(
            new_card,
            today=now.date(),
            plan_last_payment=updated.regularisation.payments[-1].due_date,
            next_debit=updated.next_debit_date(),
            last_installment=updated.last_installment_date(),
        )
        if use.refusals:
            raise card_refused(use.refusals)
        if use.becomes_card_on_file:
            updated.card = new_card
        else:
            updated.regularisation.card = new_card
    await save_schedule(billing, updated, version, now=now)
    await run_due_debits(billing, as_of=now, schedule_id=schedule_id)
    after = await billing.schedules.get(schedule_id)
    assert after is not None
    result = after[0]
    # A rejected first payment drops the plan (domain.schedules.record_debit): it is then the last past one.
    plan = result.regularisation or result.past_regularisations[-1]
    first = plan.payments[0]
    if first.status is not rules.InstallmentStatus.PAID:
        raise PaymentRejectedProblem(
            f"your payment of {format_euros(first.amount_cents)} EUR was rejected ({first.last_decline}): "
            f"please call our collections service on {billing.settings.collections_phone}",
            code="payment-rejected",
        )
    return result
