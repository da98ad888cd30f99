"""Teams' knowledge of an identity account: who is a legal person with which SIREN
(a token says who calls, not which company it is)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownAccount:
    account_id: str
    email: str
    person_kind: str  # "natural" or "legal"
    display_name: str
    siren: str | None

    def is_company_account(self, siren: str) -> bool:
        """The account of the legal person with this SIREN: the one who may claim its space."""
        return self.person_kind == "legal" and self.siren == siren
