"""ConnectProviderAccount: a user gives their provider account; it is checked by authenticating with
the provider, then stored encrypted. DisconnectProviderAccount forgets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ratings.domain.errors import RuleViolations, Violation
from ratings.ports import ProviderCredentials, RatingsPorts


@dataclass(frozen=True)
class ConnectProviderAccount:
    account_id: str
    username: str
    password: str


@dataclass(frozen=True)
class DisconnectProviderAccount:
    account_id: str


async def handle(command: ConnectProviderAccount, ports: RatingsPorts) -> datetime:
    problems = []
    if not command.username.strip():
        problems.append(Violation("missing-username", "username", "the provider username is empty"))
    if not command.password:
        problems.append(Violation("missing-password", "password", "the provider password is empty"))
    if problems:
        raise RuleViolations(problems)
    credentials = ProviderCredentials(command.username.strip(), command.password)
    await ports.provider.authenticate(credentials)  # InvalidCredentials when the provider refuses it
    now = ports.clock.now()
    await ports.accounts.put(command.account_id, credentials, now)
    return now


async def disconnect(command: DisconnectProviderAccount, ports: RatingsPorts) -> bool:
    return await ports.accounts.remove(command.account_id)
