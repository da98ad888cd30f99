"""Types shared by several owners' events."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

SIREN = Field(pattern=r"^\d{9}$", description="French company id (SIREN), 9 digits.")


class PersonKind(StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"
