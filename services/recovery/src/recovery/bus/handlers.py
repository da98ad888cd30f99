"""Recovery's subscriptions: each handler applies one event to a local view (or the saga), idempotently
(a view keeps the newest event per account; the inbox skips a redelivered one)."""

from __future__ import annotations

from chassis.consumer import EventConsumer
from chassis.rights import RightsView, subscribe_rights_view
from contracts import Envelope
from contracts.events.billing import MandateRefused, MandateRevoked, MandateSigned
from contracts.events.identity import AccountActivated, AccountDetailsChanged, AccountRegistered
from recovery.bus.views import REFUSED, REVOKED, SIGNED, CreditorView, MandateView


def subscribe_views(
    consumer: EventConsumer, *, rights: RightsView, mandates: MandateView, creditors: CreditorView
) -> None:
    subscribe_rights_view(consumer, rights)

    @consumer.on(MandateSigned)
    async def mandate_signed(event: MandateSigned, envelope: Envelope) -> None:
        """The creditor may file cases from now on."""
        await mandates.record(event.account_id, SIGNED, envelope.occurred_at, event.mandate_reference)

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
