"""The courier: outgoing mail persisted with the change that causes it, and
delivered to SMTP by the chassis relay, so an SMTP outage delays mail and
loses none. The machinery is the chassis' (`chassis.mail`); this binds it to
identity's settings."""

from __future__ import annotations

from collections.abc import Sequence

from chassis.mail import COURIER_FIELD, mail_entry
from chassis.mail import courier as chassis_courier
from chassis.metrics import ServiceMetrics
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay, Wakeup
from chassis.service import relay_policy
from identity.settings import IdentitySettings

__all__ = ["COURIER_FIELD", "courier", "mail_entry"]


def courier(
    db: MongoDatabase, collections: Sequence[str], settings: IdentitySettings, metrics: ServiceMetrics | None = None
) -> tuple[OutboxRelay, Wakeup]:
    return chassis_courier(
        db,
        collections,
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        timeout=settings.smtp_timeout_seconds,
        metrics=metrics,
        policy=relay_policy(settings, poll_seconds=1.0),
    )
