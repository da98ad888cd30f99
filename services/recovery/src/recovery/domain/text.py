"""Free text rules shared by the claim and the case's commands: no control characters."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab and line feed allowed


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds a C0/C1 control character (a tab or a line feed is allowed in multiline text)."""
    return bool((_CONTROL_BUT_LINES if multiline else _CONTROL).search(value))
