"""DuplicatePortfolio: a copy with the same companies, owned by whoever duplicates it."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import portfolios
from ratings.domain.portfolios import Portfolio
from ratings.handlers.base import readable
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class DuplicatePortfolio:
    account_id: str
    portfolio_id: str
    name: str | None = None


async def handle(command: DuplicatePortfolio, ports: RatingsPorts) -> Portfolio:
    source = await readable(ports, command.portfolio_id, command.account_id)
    copy = portfolios.duplicate(source, ports.new_id(), command.account_id, command.name)
    await ports.portfolios.add(copy.portfolio, copy.events)
    return copy.portfolio
