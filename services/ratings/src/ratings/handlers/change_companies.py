"""AddCompanies and RemoveCompanies: the owner changes which companies a portfolio watches."""

from __future__ import annotations

from dataclasses import dataclass, field

from ratings.domain import portfolios
from ratings.domain.companies import CompanyId
from ratings.domain.portfolios import Portfolio
from ratings.handlers.base import owned, save_edit
from ratings.ports import RatingsPorts


@dataclass(frozen=True)
class AddCompanies:
    account_id: str
    portfolio_id: str
    companies: tuple[CompanyId, ...]
    names: dict[CompanyId, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoveCompanies:
    account_id: str
    portfolio_id: str
    companies: tuple[CompanyId, ...]


async def add(command: AddCompanies, ports: RatingsPorts) -> Portfolio:
    loaded = await owned(ports, command.portfolio_id, command.account_id)
    names = dict(command.names)
    for company in command.companies:
        if not names.get(company):
            record = await ports.files.get(company)
            if record is not None and record.name:
                names[company] = record.name
    return await save_edit(ports, loaded, portfolios.add_companies(loaded, command.companies, names))


async def remove(command: RemoveCompanies, ports: RatingsPorts) -> Portfolio:
    loaded = await owned(ports, command.portfolio_id, command.account_id)
    return await save_edit(ports, loaded, portfolios.remove_companies(loaded, command.companies))
