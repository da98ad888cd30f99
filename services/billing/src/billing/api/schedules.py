"""Payment schedules: creation from an order, customer self-care (list, detail,
card, change card, regularise) and the merchant's cancellation."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, status

from billing.api import problems as p
from billing.api.deps import BillingDep
from billing.api.schemas import (
    CancellationIn,
    CardChange,
    CardPublic,
    RegularisationIn,
    ScheduleCreate,
    SchedulePublic,
    ScheduleSummary,
    detail,
    summary,
)
from billing.domain.bank import Address
from billing.domain.schedules import ListedState, Order
from billing.handlers import regularisation, schedules
from billing.handlers.common import CardInput
from chassis.auth import CurrentCaller
from chassis.openapi import problems

router = APIRouter(prefix="/schedules", tags=["schedules"])
FOUND = (*p.AUTH, p.SCHEDULE_NOT_FOUND)


@router.post(
    "",
    operation_id="create_payment_schedule",
    status_code=status.HTTP_201_CREATED,
    response_model=SchedulePublic,
    responses=problems(
        *p.AUTH,
        p.NOT_A_MERCHANT,
        p.ORDER_HAS_SCHEDULE,
        p.PURCHASE_DATE,
        p.INSTALLMENTS,
        p.AMOUNT,
        p.CARD_INVALID,
        p.BRAND,
        p.EXPIRY,
    ),
)
async def create_schedule(body: ScheduleCreate, caller: CurrentCaller, billing: BillingDep) -> SchedulePublic:
    """Create one of the caller's orders' payment schedule on a card (the card number goes to the
    provider, never stored). Only a merchant may: an onboarded creditor, or its API client."""
    address = body.buyer_address
    order = Order(
        order_number=body.order_number,
        merchant=await schedules.merchant_name(billing, caller),
        buyer_email=str(body.buyer_email).lower(),
        purchase_amount_cents=body.purchase_amount_cents,
        fees_cents=body.fees_cents,
        purchase_date=body.purchase_date,
        installments=body.installments,
        buyer_name=body.buyer_name,
        buyer_address=Address(address.line, address.postal_code, address.city, address.country),
    )
    card = CardInput(body.card.number, body.card.expiry_month, body.card.expiry_year)
    command = schedules.NewSchedule(order, card)
    return detail(await schedules.create_schedule(billing, command, created_by=caller.account_id))


@router.get(
    "/mine", operation_id="list_my_schedules", response_model=list[ScheduleSummary], responses=problems(*p.AUTH)
)
async def list_my_schedules(
    caller: CurrentCaller,
    billing: BillingDep,
    state: Literal["in_progress", "completed", "all"] = Query(
        default="all", description="in_progress: anything still owed; completed: nothing left to pay"
    ),
) -> list[ScheduleSummary]:
    """The schedules of orders bought with the caller's email, in progress or completed."""
    return [summary(s) for s in await schedules.my_schedules(billing, caller.email, ListedState(state))]


@router.get("/{schedule_id}", operation_id="get_schedule", response_model=SchedulePublic, responses=problems(*FOUND))
async def get_schedule(schedule_id: str, caller: CurrentCaller, billing: BillingDep) -> SchedulePublic:
    """A schedule with its installments, statuses, card and regularisation."""
    return detail(await schedules.schedule_of(billing, schedule_id, email=caller.email, account_id=caller.account_id))


@router.get(
    "/{schedule_id}/card", operation_id="get_schedule_card", response_model=CardPublic, responses=problems(*FOUND)
)
async def get_card(schedule_id: str, caller: CurrentCaller, billing: BillingDep) -> CardPublic:
    """The card on file: brand, last 4 digits and expiry only."""
    schedule = await schedules.schedule_of(billing, schedule_id, email=caller.email, account_id=caller.account_id)
    return CardPublic.of(schedule.card)


@router.put(
    "/{schedule_id}/card",
    operation_id="change_schedule_card",
    response_model=CardPublic,
    responses=problems(*FOUND, p.SCHEDULE_BUSY, p.CARD_INVALID, p.BRAND, p.EXPIRY, p.NOTICE, p.UNPAID),
)
async def change_card(schedule_id: str, body: CardChange, caller: CurrentCaller, billing: BillingDep) -> CardPublic:
    """Change the card: Visa/Mastercard, valid past the last installment, 7 days before the next debit, not unpaid."""
    card = CardInput(body.number, body.expiry_month, body.expiry_year)
    schedule = await schedules.change_card(billing, schedule_id, card, email=caller.email, account_id=caller.account_id)
    return CardPublic.of(schedule.card)


@router.post(
    "/{schedule_id}/regularisation",
    operation_id="regularise_schedule",
    response_model=SchedulePublic,
    responses=problems(
        *FOUND,
        p.PAYMENT_REJECTED,
        p.NOTHING_UNPAID,
        p.UNDER_WAY,
        p.SCHEDULE_BUSY,
        p.PAYMENTS,
        p.CARD_INVALID,
        p.BRAND,
        p.EXPIRY,
    ),
)
async def regularise(
    schedule_id: str, body: RegularisationIn, caller: CurrentCaller, billing: BillingDep
) -> SchedulePublic:
    """Regularise the unpaid amount at once or in 2 or 3 monthly payments; the first is taken now."""
    card = CardInput(body.card.number, body.card.expiry_month, body.card.expiry_year) if body.card else None
    schedule = await regularisation.regularise(
        billing, schedule_id, body.payments, card, email=caller.email, account_id=caller.account_id
    )
    return detail(schedule)


@router.post(
    "/{schedule_id}/cancellation",
    operation_id="cancel_order",
    response_model=SchedulePublic,
    responses=problems(*FOUND, p.NOTHING_PENDING, p.CANCEL_AMOUNT, p.SCHEDULE_BUSY, p.AMOUNT),
)
async def cancel(schedule_id: str, body: CancellationIn, caller: CurrentCaller, billing: BillingDep) -> SchedulePublic:
    """Cancel the order in part (an amount) or in full: the remaining installments are recomputed."""
    return detail(await schedules.cancel(billing, schedule_id, body.amount_cents, account_id=caller.account_id))
