"""Billing's reactions to other services' events."""

from __future__ import annotations

import logging

from billing.domain.profiles import is_creditor, open_profile
from billing.handlers.fees import record_fee
from billing.store.fees import FeeLedgerMongo
from billing.store.profiles import ProfileStore
from chassis.consumer import EventConsumer
from chassis.rights import RightsView, subscribe_rights_view
from chassis.service import Runtime
from contracts import AccountActivated, Envelope
from contracts.events.recovery import FeeIncurred

log = logging.getLogger("billing.bus")


def subscribe(consumer: EventConsumer, runtime: Runtime) -> None:
    profiles = ProfileStore(runtime.db)

    @consumer.on(AccountActivated)
    async def open_billing_profile(event: AccountActivated, envelope: Envelope) -> None:
        """Opens the creditor's billing profile when their account is activated."""
        if not is_creditor(event):
            return
        profile = open_profile(event, event_id=str(envelope.event_id), now=runtime.clock.now())
        if not await profiles.add_if_absent(profile):
            log.info("billing profile of %s already open", event.account_id)

    ledgers = FeeLedgerMongo(runtime.db)

    @consumer.on(FeeIncurred)
    async def record_recovery_fee(event: FeeIncurred, envelope: Envelope) -> None:
        """Records a case's fee in its creditor's ledger, once per `fee_id` (CPCE L125-1)."""
        await record_fee(ledgers, runtime.clock, event)

    # Who may act for which company (e.g. change its bank details), from teams' events.
    subscribe_rights_view(consumer, RightsView(runtime.db))
