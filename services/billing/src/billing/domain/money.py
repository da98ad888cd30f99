"""Splitting an amount of integer cents into payments (DOMAIN.md, billing [002]).

The remainder cents go on the FIRST part: 127.96 EUR in 3 gives 42.66, 42.65,
42.65. The same rule splits a schedule into installments and an unpaid amount
into regularisation payments (159.18 in 3 gives 3 x 53.06).
"""

from __future__ import annotations


class SplitError(ValueError):
    """The amount cannot be split into that many strictly positive parts."""


def split_with_remainder_first(total_cents: int, parts: int) -> list[int]:
    """`total_cents` in `parts` parts, equal to the cent, the remainder on the first."""
    if parts < 1:
        raise SplitError("an amount is split into at least one part")
    if total_cents < parts:
        raise SplitError(f"{total_cents} cents cannot be split into {parts} parts of at least one cent")
    base, remainder = divmod(total_cents, parts)
    return [base + remainder, *([base] * (parts - 1))]


def format_euros(cents: int) -> str:
    """12796 -> '127.96' (display only; never parsed back)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"
