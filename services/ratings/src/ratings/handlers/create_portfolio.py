"""CreatePortfolio: a new watch list, the caller's; shared in a company space only by a member holding
right 1 there."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain import portfolios
from ratings.domain.companies import CompanyId
from ratings.domain.errors import RuleViolations, Violation
from ratings.domain.portfolios import Portfolio
from ratings.handlers.base import FINANCIAL_RIGHT
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class CreatePortfolio:
    owner_id: str
    name: str
    company_space: str | None = None
    alert_on_new_event: bool = False
    companies: tuple[CompanyId, ...] = ()


async def check_space(ports: RatingsPorts, space: str | None, account_id: str) -> None:
    if space is None:
        return
    if not (len(space) == 9 and space.isdigit()):
        raise RuleViolations([Violation("bad-siren", "company_space", f"{space!r} is not a SIREN (9 digits)")])
    if not await ports.rights.may(space, account_id, FINANCIAL_RIGHT):
        raise RuleViolations(
            [
                Violation(
                    "missing-right",
                    "company_space",
                    f"you need the right '{FINANCIAL_RIGHT}' in company {space} to share a portfolio there",
                )
            ]
        )


async def handle(command: CreatePortfolio, ports: RatingsPorts) -> Portfolio:
    await check_space(ports, command.company_space, command.owner_id)
    created = portfolios.create(
        ports.new_id(),
        command.name,
        command.owner_id,
        ports.provider.name,
        company_space=command.company_space,
        alert_on_new_event=command.alert_on_new_event,
    )
    portfolio, events = created.portfolio, list(created.events)
    if command.companies:
        added = portfolios.add_companies(portfolio, command.companies)
        portfolio, events = added.portfolio, [*events, *added.events]
    await ports.portfolios.add(portfolio, events)
    return portfolio
