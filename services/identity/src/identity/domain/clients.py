"""Merchants' API clients (OAuth 2.0 client credentials): a creditor's clients, each trading its id
and secret for an access token of the creditor. A client's secret is kept only as its hash, and
that hash leaves the store only with the client, for the token grant's check (`ClientCredentials`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    account_id: str  # the creditor's account, the subject of the client's tokens
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    def is_live(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class ClientCredentials:
    """A client with its secret's hash, for the client-credentials grant only."""

    client: ApiClient
    secret_hash: str
