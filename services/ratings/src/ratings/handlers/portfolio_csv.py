"""ImportPortfolioCsv and ExportPortfolioCsv: companies from a spreadsheet's CSV (bad lines reported,
good ones kept) and the portfolio as CSV (formula cells neutralised)."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import portfolios
from ratings.domain.errors import Violation
from ratings.domain.portfolios import Portfolio
from ratings.handlers.base import owned, readable, save_edit
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class ImportPortfolioCsv:
    account_id: str
    portfolio_id: str
    text: str


@dataclass(frozen=True)
class ExportPortfolioCsv:
    account_id: str
    portfolio_id: str


@dataclass(frozen=True)
class Imported:
    portfolio: Portfolio
    added: int
    problems: tuple[Violation, ...]


async def import_csv(command: ImportPortfolioCsv, ports: RatingsPorts) -> Imported:
    loaded = await owned(ports, command.portfolio_id, command.account_id)
    parsed = portfolios.parse_csv(command.text)
    edited = portfolios.add_companies(loaded, parsed.companies, parsed.names)
    saved = await save_edit(ports, loaded, edited)
    return Imported(saved, len(saved.entries) - len(loaded.entries), parsed.problems)


async def export_csv(command: ExportPortfolioCsv, ports: RatingsPorts) -> tuple[Portfolio, str]:
    portfolio = await readable(ports, command.portfolio_id, command.account_id)
    return portfolio, portfolios.to_csv(portfolio)
