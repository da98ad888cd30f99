"""Types shared by several owners' events."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SIREN = Field(pattern=r"^\d{9}$", description="French company id (SIREN), 9 digits.")


class PersonKind(StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"


class PostalAddress(BaseModel):
    """A postal address, as a letter would carry it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    line: str
    complement: str | None = None
    postal_code: str
    city: str
    country: str = Field(default="FR", description="ISO 3166-1 alpha-2 code.")
