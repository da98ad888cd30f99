"""EditPortfolio: rename, activate or deactivate, set the "alert on each new event" option."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import portfolios
from ratings.domain.portfolios import Edited, Portfolio, PortfolioChange
from ratings.handlers.base import owned, save_edit
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class EditPortfolio:
    account_id: str
    portfolio_id: str
    name: str | None = None
    active: bool | None = None
    alert_on_new_event: bool | None = None


async def handle(command: EditPortfolio, ports: RatingsPorts) -> Portfolio:
    loaded = await owned(ports, command.portfolio_id, command.account_id)
    portfolio = loaded
    events: list[PortfolioChange] = []
    steps: list[Edited] = []
    if command.name is not None:
        steps.append(portfolios.rename(portfolio, command.name))
        portfolio = steps[-1].portfolio
    if command.active is not None:
        steps.append(portfolios.set_active(portfolio, command.active))
        portfolio = steps[-1].portfolio
    if command.alert_on_new_event is not None:
        steps.append(portfolios.set_alert_option(portfolio, command.alert_on_new_event))
        portfolio = steps[-1].portfolio
    for step in steps:
        events.extend(step.events)
    return await save_edit(ports, loaded, Edited(portfolio, tuple(events)))
