"""Billing's reactions to other services' events."""

from __future__ import annotations

from billing.handlers import profiles as profile_handlers
from billing.handlers.fees import record_fee
from billing.store.fees import FeeLedgerMongo
from billing.store.profiles import ProfileStore
from chassis.consumer import EventConsumer
from chassis.rights import RightsView, subscribe_rights_view
from chassis.service import Runtime
from contracts import AccountActivated, Envelope
from contracts.events.recovery import FeeIncurred


def subscribe(consumer: EventConsumer, runtime: Runtime) -> None:
    profiles = ProfileStore(runtime.db)

    @consumer.on(AccountActivated)
    async def open_billing_profile(event: AccountActivated, envelope: Envelope) -> None:
        """Opens the creditor's billing profile when their account is activated."""
        await profile_handlers.open_billing_profile(profiles, runtime.clock, event, event_id=str(envelope.event_id))

    ledgers = FeeLedgerMongo(runtime.db)

    @consumer.on(FeeIncurred)
    async def record_recovery_fee(event: FeeIncurred, envelope: Envelope) -> None:
        """Records a case's fee in its creditor's ledger, once per `fee_id` (CPCE L125-1)."""
        await record_fee(ledgers, runtime.clock, event)

    # Who may act for which company (e.g. change its bank details), from teams' events.
    subscribe_rights_view(consumer, RightsView(runtime.db))
