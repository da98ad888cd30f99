"""The mailbox's subscriptions: ratings' alerts, every service's in-app
notification requests, and identity's own AccountMigrated (the former
portal's messages join the new account's mailbox). Each handler files
messages under ids derived from their source, so a redelivery, a replay or
two events for one alert file nothing twice."""

from __future__ import annotations

from chassis.consumer import EventConsumer
from contracts import REGISTRY, Envelope
from contracts.events.common import NotificationRequest
from contracts.events.identity import AccountMigrated
from contracts.events.ratings import AlertRaised
from identity.handlers.mailbox.file_alert import file_alert
from identity.handlers.mailbox.file_notification import file_notification
from identity.handlers.mailbox.import_legacy_messages import import_legacy_messages
from identity.ports import LegacyMailboxes, MailboxStore


def notification_contracts() -> list[type[NotificationRequest]]:
    """Every service's `...NotificationRequested` (one topic per requester, one shape)."""
    return [cls for cls in REGISTRY if issubclass(cls, NotificationRequest)]


def subscribe_mailbox(consumer: EventConsumer, store: MailboxStore, legacy: LegacyMailboxes) -> None:
    @consumer.on(AlertRaised)
    async def alert_raised(event: AlertRaised, envelope: Envelope) -> None:
        """File a monitoring alert in the watcher's mailbox (once per alert id)."""
        await file_alert(store, event)

    @consumer.on(AccountMigrated)
    async def account_migrated(event: AccountMigrated, envelope: Envelope) -> None:
        """The migrated account's former-portal messages join its mailbox, unchanged."""
        await import_legacy_messages(store, legacy, event.account_id, event.legacy_id)

    for contract in notification_contracts():
        subscribe_notifications(consumer, store, contract)


def subscribe_notifications(consumer: EventConsumer, store: MailboxStore, contract: type[NotificationRequest]) -> None:
    requester = contract.event_owner

    async def notification_requested(event: NotificationRequest, envelope: Envelope) -> None:
        await file_notification(store, event, requester)

    notification_requested.__name__ = f"{requester}_notification_requested"
    notification_requested.__doc__ = f"File {requester}'s in-app notifications in the recipient's mailbox."
    consumer.on(contract)(notification_requested)
