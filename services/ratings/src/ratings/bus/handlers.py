"""Ratings' subscribers: `AccountMigrated` attaches the legacy account's portfolios; teams' rights
events keep the local rights view (who may see a company space's portfolios)."""

from __future__ import annotations

from collections.abc import Callable

from chassis.consumer import EventConsumer
from chassis.rights import RightsView, subscribe_rights_view
from chassis.service import Runtime
from contracts import AccountMigrated, Envelope
from ratings.handlers import legacy_portfolios
from ratings.ports import RatingsPorts


def subscriber(ports_of: Callable[[], RatingsPorts]) -> Callable[[EventConsumer, Runtime], None]:
    """The service's `subscribe`: handlers get the ports the app wires at start."""

    def subscribe(consumer: EventConsumer, runtime: Runtime) -> None:
        @consumer.on(AccountMigrated)
        async def attach_legacy_portfolios(event: AccountMigrated, envelope: Envelope) -> None:
            """Attaches the legacy account's imported portfolios and monitoring to the new account."""
            await legacy_portfolios.attach_migrated(
                legacy_portfolios.AttachMigratedAccount(event.legacy_id, event.account_id), ports_of()
            )

        subscribe_rights_view(consumer, RightsView(runtime.db))

    return subscribe
