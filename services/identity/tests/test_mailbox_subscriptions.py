"""Identity's exported AsyncAPI document says it receives what the mailbox
consumes, its own AccountMigrated included (a topic it also sends to): the
bus ACLs are derived from these `receive` operations, so a missing one would
leave identity unable to read the topic in a deployment."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.events.identity import AccountMigrated
from contracts.events.ratings import AlertRaised
from contracts.events.recovery import NotificationRequested
from devstack.bus import acl_plan, subscriptions
from identity.bus.mailbox import notification_contracts

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "asyncapi" / "identity.json"


def test_identity_receives_alerts_notifications_and_its_own_migrations() -> None:
    consumed = subscriptions(json.loads(DOCUMENT.read_text()))
    assert {AlertRaised.topic, NotificationRequested.topic, AccountMigrated.topic} <= set(consumed)
    plan = {(a.user, a.name, a.operation) for a in acl_plan(["identity"], {"identity": consumed})}
    assert ("identity", AccountMigrated.topic, "read") in plan
    assert ("identity", AccountMigrated.topic, "write") in plan


def test_every_registered_notification_request_is_consumed() -> None:
    assert NotificationRequested in notification_contracts()
    consumed = set(subscriptions(json.loads(DOCUMENT.read_text())))
    assert {contract.topic for contract in notification_contracts()} <= consumed
