"""Recovery's subscriptions: each handler applies one event to a local view (or the saga), idempotently
(a view keeps the newest event per account; the inbox skips a redelivered one)."""

from __future__ import annotations

from chassis.consumer import EventConsumer
from chassis.rights import RightsView, subscribe_rights_view
from contracts import Envelope
from contracts.events.billing import (
    MandateRefused,
    MandateRevoked,
    MandateSigned,
    PaymentRejected,
    PaymentSucceeded,
    ScheduleCreated,
    ScheduleRegularised,
)
from contracts.events.common import PostalAddress as ContractAddress
from contracts.events.identity import AccountActivated, AccountDetailsChanged, AccountRegistered
from recovery.bus.views import REFUSED, REVOKED, SIGNED, CreditorView, MandateView, postal_address
from recovery.domain.saga import BuyerAddress
from recovery.handlers import saga
from recovery.ports import RecoveryPorts


def subscribe_views(
    consumer: EventConsumer,
    *,
    rights: RightsView,
    mandates: MandateView,
    creditors: CreditorView,
    ports: RecoveryPorts | None = None,
) -> None:
    subscribe_rights_view(consumer, rights)

    @consumer.on(MandateSigned)
    async def mandate_signed(event: MandateSigned, envelope: Envelope) -> None:
        """The creditor may file cases from now on."""
        await mandates.record(event.account_id, SIGNED, envelope.occurred_at, event.mandate_reference)
        address = postal_address(event.holder_address)
        if address is not None:
            await creditors.record_address(event.account_id, address)
        if ports is not None:
            await saga.mandate_signed(ports, event.account_id)  # the merchant's waiting cases go on

    @consumer.on(MandateRevoked)
    async def mandate_revoked(event: MandateRevoked, envelope: Envelope) -> None:
        """No new case until another mandate is signed."""
        await mandates.record(event.account_id, REVOKED, envelope.occurred_at, event.mandate_reference, event.reason)

    @consumer.on(MandateRefused)
    async def mandate_refused(event: MandateRefused, envelope: Envelope) -> None:
        """The mandate could not be set up: no case can be filed."""
        await mandates.record(event.account_id, REFUSED, envelope.occurred_at, reason=event.reason)

    @consumer.on(AccountRegistered)
    async def account_registered(event: AccountRegistered, envelope: Envelope) -> None:
        """Learn the creditor's name and email, for the letters."""
        await creditors.record(event.account_id, envelope.occurred_at, name=event.display_name, email=event.email)

    @consumer.on(AccountActivated)
    async def account_activated(event: AccountActivated, envelope: Envelope) -> None:
        """Learn the creditor's name, email and SIREN, for the letters."""
        await creditors.record(
            event.account_id, envelope.occurred_at, name=event.display_name, email=event.email, siren=event.siren
        )

    @consumer.on(AccountDetailsChanged)
    async def account_details_changed(event: AccountDetailsChanged, envelope: Envelope) -> None:
        """Support changed the creditor's name or SIREN: the next letters show them."""
        await creditors.record(event.account_id, envelope.occurred_at, name=event.display_name, siren=event.siren)


def _address(address: ContractAddress | None) -> BuyerAddress | None:
    if address is None or address.country != "FR":
        return None
    return BuyerAddress(address.line, address.postal_code, address.city, address.complement or "")


def subscribe_saga(consumer: EventConsumer, ports: RecoveryPorts) -> None:
    """The saga's recovery side (ADR 0022): billing's schedule events move each schedule's saga."""

    @consumer.on(ScheduleCreated)
    async def schedule_created(event: ScheduleCreated, envelope: Envelope) -> None:
        """Keep the order's buyer and merchant, should its payments fail."""
        await saga.learn_order(
            ports,
            saga.OrderFacts(
                event.schedule_id,
                event.merchant_id,
                event.merchant,
                event.order_number,
                event.purchase_date,
                event.buyer_name,
                event.buyer_email,
                _address(event.buyer_address),
            ),
        )

    @consumer.on(PaymentRejected)
    async def payment_rejected(event: PaymentRejected, envelope: Envelope) -> None:
        """A declined debit starts the grace period before a case is filed against the buyer."""
        facts = saga.OrderFacts(
            event.schedule_id,
            event.merchant_id,
            event.merchant,
            event.order_number or "",
            None,
            event.buyer_name,
            event.payer_email,
            _address(event.buyer_address),
        )
        await saga.payment_rejected(
            ports, facts, event.installment_number or 0, event.amount_cents, rejected_at=envelope.occurred_at
        )

    @consumer.on(PaymentSucceeded)
    async def payment_succeeded(event: PaymentSucceeded, envelope: Envelope) -> None:
        """A retried installment paid: no case for it."""
        if event.kind == "installment" and event.installment_number is not None:
            await saga.payment_succeeded(ports, event.schedule_id, event.installment_number)

    @consumer.on(ScheduleRegularised)
    async def schedule_regularised(event: ScheduleRegularised, envelope: Envelope) -> None:
        """Regularised: the case is cancelled before filing, settled after."""
        await saga.regularised(ports, event.schedule_id, f"regularisation-{event.schedule_id}")
