"""OpenCreditFile: a company's credit file as last synchronised; a company never fetched is fetched
once, with the caller's provider account."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain.companies import CompanyId
from ratings.handlers.base import credentials_of, refresh_company
from ratings.ports import CompanyRecord, RatingsPorts


@dataclass(frozen=True)
class OpenCreditFile:
    account_id: str
    company: CompanyId


async def handle(command: OpenCreditFile, ports: RatingsPorts) -> CompanyRecord:
    record = await ports.files.get(command.company)
    if record is not None and record.file is not None:
        return record
    credentials = await credentials_of(ports, command.account_id)
    return (await refresh_company(ports, credentials, command.company, with_history=True)).record
