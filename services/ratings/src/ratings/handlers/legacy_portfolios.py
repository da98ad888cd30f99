"""ImportLegacyPortfolios (support) and AttachMigratedAccount (on `AccountMigrated`): a legacy
account's portfolios and monitoring are attached, unchanged, to its new account when both are
known, whichever came first."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from ratings.domain import legacy
from ratings.domain.legacy import LegacyImport, LegacyPortfolio
from ratings.ports import AlreadyExists, RatingsPorts


class AlreadyAttached(Exception):
    """The legacy account's portfolios were attached already: an import cannot change them now."""


@dataclass(frozen=True)
class ImportLegacyPortfolios:
    legacy_id: str
    portfolios: tuple[LegacyPortfolio, ...]


@dataclass(frozen=True)
class AttachMigratedAccount:
    legacy_id: str
    account_id: str


async def _attach(ports: RatingsPorts, record: LegacyImport, account_id: str) -> LegacyImport:
    attached, made = legacy.attach(record, account_id, ports.provider.name, ports.clock.now())
    for portfolio in made:
        # AlreadyExists: attached by an earlier try that stopped before marking the import.
        with contextlib.suppress(AlreadyExists):
            await ports.portfolios.add(portfolio, [legacy.attached_event(portfolio)])
    await ports.legacy.put(attached)
    return attached


async def import_portfolios(command: ImportLegacyPortfolios, ports: RatingsPorts) -> LegacyImport:
    legacy_id = command.legacy_id.strip()
    legacy.check_import(legacy_id, command.portfolios)
    existing = await ports.legacy.get(legacy_id)
    if existing is not None and existing.account_id is not None:
        raise AlreadyAttached(f"legacy account {legacy_id} migrated: its portfolios belong to its new account now")
    record = LegacyImport(legacy_id, command.portfolios, ports.clock.now())
    await ports.legacy.put(record)
    account_id = await ports.legacy.migrated_to(legacy_id)
    return record if account_id is None else await _attach(ports, record, account_id)


async def attach_migrated(command: AttachMigratedAccount, ports: RatingsPorts) -> LegacyImport | None:
    await ports.legacy.record_migration(command.legacy_id, command.account_id, ports.clock.now())
    record = await ports.legacy.get(command.legacy_id)
    if record is None or record.account_id is not None:
        return record
    return await _attach(ports, record, command.account_id)
