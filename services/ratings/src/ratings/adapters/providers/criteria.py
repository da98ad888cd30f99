"""A search's criteria, checked the same way by every provider before any call."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.domain.companies import COUNTRIES, CompanyId
from ratings.domain.errors import RuleViolations, Violation


@dataclass(frozen=True)
class SearchCriteria:
    country: str
    company: CompanyId | None  # by number: the number checked and compact
    name: str | None


def search_criteria(country: str, number: str | None, name: str | None) -> SearchCriteria:
    """The country (ISO 3166-1), a number valid for its register and/or a name; at least one of them.
    Every problem is reported at once (`RuleViolations`)."""
    code = country.strip().upper()
    number = (number or "").strip() or None
    name = " ".join((name or "").split()) or None
    violations: list[Violation] = []
    if code not in COUNTRIES:
        violations.append(Violation("unknown-country", "country", f"{country!r} is not an ISO 3166-1 alpha-2 code"))
    if number is None and name is None:
        violations.append(Violation("missing-criteria", "number", "search by a registration number or a name"))
    company = None
    if number is not None and not violations:
        company = CompanyId.parse(code, number)
    if violations:
        raise RuleViolations(violations)
    return SearchCriteria(code, company, name)
