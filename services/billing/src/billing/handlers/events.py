"""Billing's integration events (`libs/contracts`) built from its domain objects, in one place:
the handlers decide, these say what the decision tells the other services."""

from __future__ import annotations

from datetime import datetime

from billing.domain.bank import Address, BankDetails, mask_iban
from billing.domain.onboarding import Onboarding
from billing.domain.schedules import Debit, DebitKind, Schedule
from contracts import Event
from contracts.events.billing import (
    MandateRefused,
    MandateRevoked,
    MandateSigned,
    PaymentRejected,
    PaymentSucceeded,
    ScheduleCreated,
    ScheduleRegularised,
)
from contracts.events.common import PostalAddress


def postal_address(address: Address | None) -> PostalAddress | None:
    if address is None:
        return None
    return PostalAddress(line=address.line, postal_code=address.postal_code, city=address.city, country=address.country)


def holder_address(details: BankDetails | None) -> PostalAddress | None:
    """The account holder's billing address as events carry it, when the creditor gave one."""
    return postal_address(details.billing_address) if details else None


def schedule_created(schedule: Schedule) -> ScheduleCreated:
    order = schedule.order
    return ScheduleCreated(
        schedule_id=schedule.schedule_id,
        order_number=order.order_number,
        merchant=order.merchant,
        buyer_email=order.buyer_email,
        purchase_amount_cents=order.purchase_amount_cents,
        fees_cents=order.fees_cents,
        purchase_date=order.purchase_date,
        installments=order.installments,
        merchant_id=schedule.created_by,
        buyer_name=order.buyer_name,
        buyer_address=postal_address(order.buyer_address),
    )


def payment_rejected(schedule: Schedule, debit: Debit, reason: str | None) -> PaymentRejected:
    """Carries the order's buyer (optional fields within v1), so that recovery can open a case
    on the merchant's behalf against the buyer."""
    order = schedule.order
    return PaymentRejected(
        payment_id=debit.idempotency_key,
        schedule_id=schedule.schedule_id,
        installment_number=debit.number if debit.kind is DebitKind.INSTALLMENT else None,
        payer_email=order.buyer_email,
        merchant=order.merchant,
        amount_cents=debit.amount_cents,
        reason=reason or "declined",
        attempt=debit.attempt,
        order_number=order.order_number,
        merchant_id=schedule.created_by,
        buyer_name=order.buyer_name,
        buyer_address=postal_address(order.buyer_address),
    )


def debit_events(before: Schedule, after: Schedule, debit: Debit, succeeded: bool, reason: str | None) -> list[Event]:
    """What a debit's outcome tells: its success or rejection, and the settlement of a
    regularisation (once: only when the plan goes from unsettled to settled)."""
    order = after.order
    events: list[Event] = []
    if succeeded:
        events.append(
            PaymentSucceeded(
                payment_id=debit.idempotency_key,
                schedule_id=after.schedule_id,
                kind=debit.kind.value,
                installment_number=debit.number if debit.kind is DebitKind.INSTALLMENT else None,
                regularisation_payment_number=debit.number if debit.kind is DebitKind.REGULARISATION else None,
                payer_email=order.buyer_email,
                merchant=order.merchant,
                amount_cents=debit.amount_cents,
                attempt=debit.attempt,
                schedule_status=after.status.value,
            )
        )
    else:
        events.append(payment_rejected(after, debit, reason))
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


def mandate_decided(account_id: str, onboarding: Onboarding, *, sign: bool, now: datetime) -> list[Event]:
    """`MandateSigned` (who signed, and where they are: recovery's letters name the creditor with
    them) or `MandateRefused` (recovery's local mandate view: no case until one is signed)."""
    mandate = onboarding.mandate
    if sign and mandate is not None:
        details = onboarding.bank_details
        return [
            MandateSigned(
                account_id=account_id,
                mandate_reference=mandate.reference,
                creditor_identifier=mandate.creditor_identifier,
                iban_masked=mask_iban(mandate.iban),
                bic=mandate.bic,
                signed_at=now,
                holder_name=details.holder_name if details else None,
                holder_address=holder_address(details),
            )
        ]
    if not sign:
        return [MandateRefused(account_id=account_id, reason="refused by the creditor", refused_at=now)]
    return []


def mandate_revoked(account_id: str, onboarding: Onboarding) -> MandateRevoked:
    """The mandate ended: revoked by the creditor, or lapsed (unused for 36 months)."""
    mandate = onboarding.mandate
    assert mandate is not None
    assert mandate.revoked_at is not None
    reason = "lapsed" if mandate.revoked_reason == "lapsed" else "revoked"
    return MandateRevoked(
        account_id=account_id, mandate_reference=mandate.reference, reason=reason, revoked_at=mandate.revoked_at
    )
