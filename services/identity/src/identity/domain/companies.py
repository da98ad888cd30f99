"""Company numbers: the one SIRET rule of identity (registration, support's changes, the legacy
import all ask it), and the SIREN a SIRET belongs to."""

from __future__ import annotations

from stdnum.fr import siret as siret_number

INVALID_SIRET = "is not a valid SIRET (14 digits with a valid checksum)"


def siret_problem(siret: str | None) -> str | None:
    """What is wrong with a given SIRET (None when it is absent or valid)."""
    if siret and not siret_number.is_valid(siret):
        return INVALID_SIRET
    return None


def siren_of(siret: str | None) -> str | None:
    return siret_number.to_siren(siret) if siret else None
