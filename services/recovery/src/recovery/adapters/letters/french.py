"""French presentation of amounts, dates and addresses in the generated documents.

Presentation, not rules: how an amount or a date reads on paper (French typography: a narrow
no-break space groups the thousands, a comma marks the cents, a no-break space precedes the euro
sign; the first day of a month is "1er").
"""

from __future__ import annotations

from datetime import date

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def euros(cents: int) -> str:
    """500000 -> "5 000,00 €" (narrow no-break space between thousands, no-break space before €)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", NARROW_NBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}€"


def long_date(day: date) -> str:
    """date(2026, 12, 2) -> "2 décembre 2026"; the first of a month is "1er"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """date(2026, 12, 2) -> "02/12/2026" (tables)."""
    return day.strftime("%d/%m/%Y")


__all__ = ["MONTHS", "NARROW_NBSP", "NBSP", "euros", "long_date", "short_date"]
