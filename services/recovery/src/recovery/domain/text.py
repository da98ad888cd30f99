"""Free text rules shared by the claim and the case's commands: the platform's one rule
(`chassis.text`: no control characters, no line or paragraph separators, no bidi overrides)."""

from __future__ import annotations

from chassis.text import forbidden_character

LINE_BREAKS = frozenset("\n\t")  # what multi-line text may hold beyond the single-line rule


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds a character free text may not (a tab or a line feed is allowed in multiline text)."""
    return forbidden_character(value, allowed=LINE_BREAKS if multiline else frozenset()) is not None
