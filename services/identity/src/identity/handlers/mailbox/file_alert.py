"""FileAlert: ratings' AlertRaised becomes a message in the watcher's mailbox, once per alert id."""

from __future__ import annotations

from contracts.events.ratings import AlertRaised
from identity.domain.mailbox import MessageSource, alert_key, new_message
from identity.ports import MailboxStore

ALERT_SENDER = "creditdesk alertes <alertes@creditdesk.dev>"


async def file_alert(store: MailboxStore, alert: AlertRaised) -> bool:
    """True when filed; False when this alert id was already filed (or deleted since)."""
    message = new_message(
        account_id=alert.owner_id,
        source=MessageSource.ALERT,
        source_key=alert_key(alert.alert_id),
        received_at=alert.raised_at,
        subject=alert.title,
        body=alert.body,
        sender=ALERT_SENDER,
        details={
            "kind": alert.kind,
            "portfolio_id": alert.portfolio_id,
            "portfolio_name": alert.portfolio_name,
            "company_country": alert.company_country,
            "company_number": alert.company_number,
            "company_name": alert.company_name,
            "old_value": alert.old_value,
            "new_value": alert.new_value,
        },
    )
    return await store.file([message]) == 1
