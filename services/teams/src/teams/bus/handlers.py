"""Teams' subscriptions: identity's activations feed its view of accounts."""

from __future__ import annotations

from chassis.consumer import EventConsumer
from chassis.service import Runtime
from contracts import Envelope
from contracts.events.identity import AccountActivated
from teams.store.accounts import AccountView


def subscribe(consumer: EventConsumer, runtime: Runtime) -> None:
    accounts = AccountView(runtime.db)

    @consumer.on(AccountActivated)
    async def remember_account(event: AccountActivated, envelope: Envelope) -> None:
        """Records who the account is (person kind, SIREN of a legal person) to check who may open a company space."""
        await accounts.apply(event)
