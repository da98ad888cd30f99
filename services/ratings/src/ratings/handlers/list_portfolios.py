"""ListPortfolios and ShowPortfolio: the caller's portfolios and those shared with them (right 1 in
the company space they belong to, from ratings' local rights view)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ratings.domain.portfolios import Portfolio
from ratings.handlers.base import FINANCIAL_RIGHT, readable
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class ListPortfolios:
    account_id: str


@dataclass(frozen=True)
class ShowPortfolio:
    account_id: str
    portfolio_id: str


async def handle(command: ListPortfolios, ports: RatingsPorts) -> Sequence[Portfolio]:
    spaces = await ports.rights.companies_with(command.account_id, FINANCIAL_RIGHT)
    return await ports.portfolios.visible_to(command.account_id, spaces)


async def show(command: ShowPortfolio, ports: RatingsPorts) -> Portfolio:
    return await readable(ports, command.portfolio_id, command.account_id)
