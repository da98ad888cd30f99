"""DeletePortfolio: the owner deletes a portfolio; `PortfolioChanged` (deleted) still goes out."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import portfolios
from ratings.handlers.base import owned
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class DeletePortfolio:
    account_id: str
    portfolio_id: str


async def handle(command: DeletePortfolio, ports: RatingsPorts) -> None:
    portfolio = await owned(ports, command.portfolio_id, command.account_id)
    await ports.portfolios.delete(portfolio, portfolios.delete(portfolio), expected_version=portfolio.version)
