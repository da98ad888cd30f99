"""SyncCompany ("sync now"): fetch the company's credit file and history from the provider with the
caller's account (409 without one), store them, and emit `RatingUpdated` when a value changed."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain.companies import CompanyId
from ratings.handlers.base import credentials_of, refresh_company
from ratings.ports import CompanyRecord, RatingsPorts


@dataclass(frozen=True)
class SyncCompany:
    account_id: str
    company: CompanyId


async def handle(command: SyncCompany, ports: RatingsPorts) -> CompanyRecord:
    credentials = await credentials_of(ports, command.account_id)
    return (await refresh_company(ports, credentials, command.company, with_history=True)).record
