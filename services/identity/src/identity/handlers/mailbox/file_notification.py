"""FileNotification: a service's `...NotificationRequested` with the `in_app`
channel becomes a message in the recipient's mailbox, once per (requester,
notification id). Other channels are not identity's mailbox: ignored here."""

from __future__ import annotations

from contracts.events.common import IN_APP, NotificationRequest
from identity.domain.mailbox import MessageSource, new_message, notification_key
from identity.ports import MailboxStore


def sender_of(requester: str) -> str:
    return f"creditdesk {requester} <{requester}@creditdesk.dev>"


async def file_notification(store: MailboxStore, request: NotificationRequest, requester: str) -> bool:
    """True when filed; False when not for the mailbox or already filed (or deleted since)."""
    if IN_APP not in request.channels:
        return False
    message = new_message(
        account_id=request.recipient_id,
        source=MessageSource.NOTIFICATION,
        source_key=notification_key(requester, request.notification_id),
        received_at=request.requested_at,
        subject=request.title,
        body=request.body,
        sender=sender_of(requester),
        link=request.link,
        details={"requester": requester, "notification_id": request.notification_id},
    )
    return await store.file([message]) == 1
