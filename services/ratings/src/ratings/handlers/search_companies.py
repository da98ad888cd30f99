"""SearchCompanies: companies of a country by registration number or by name, through the provider
with the caller's account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ratings.domain.companies import COUNTRIES, Company, CompanyId
from ratings.domain.errors import RuleViolations, Violation
from ratings.handlers.base import credentials_of
from ratings.ports import RatingsPorts

NAME_MIN = 2


@dataclass(frozen=True)
class SearchCompanies:
    account_id: str
    country: str
    number: str | None = None
    name: str | None = None


async def handle(command: SearchCompanies, ports: RatingsPorts) -> Sequence[Company]:
    country = command.country.strip().upper()
    number = (command.number or "").strip() or None
    name = " ".join((command.name or "").split()) or None
    if number is None and name is None:
        raise RuleViolations([Violation("missing-criteria", "number", "give a registration number or a name")])
    if number is not None:
        number = CompanyId.parse(country, number).number  # checked with stdnum where the register is known
    elif country not in COUNTRIES:
        raise RuleViolations(
            [Violation("unknown-country", "country", f"{command.country!r} is not an ISO 3166-1 alpha-2 code")]
        )
    if name is not None and len(name) < NAME_MIN:
        raise RuleViolations([Violation("name-too-short", "name", f"at least {NAME_MIN} characters")])
    credentials = await credentials_of(ports, command.account_id)
    return await ports.provider.search(credentials, country=country, number=number, name=name)
