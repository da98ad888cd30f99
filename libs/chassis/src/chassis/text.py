"""Free text: what every service accepts in a name, an address, a reference, and
how text taken from users is embedded in mail.

    Name = Annotated[str, SingleLine(max_length=100)]   # stripped, 1 to 100 characters
    Note = Annotated[str, MultiLine(min_length=0, max_length=2000)]

`SingleLine` refuses every control character (C0, DEL, C1), the line and
paragraph separators U+2028/U+2029 and the bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069): a 422 naming the field, through the usual
validation problem. `MultiLine` allows line feeds and tabs (a CR LF pair
becomes LF) and refuses the rest. The check runs on the raw input, before any
stripping, so a value is refused whatever constraints come with it.

For mail (plain text only, see docs/adr/0015-free-text.md): `one_line` makes a
stored value safe in a header (subject) even if it predates the check, and
`inert` defangs what a mail client would turn into a link (`www.x.fr` becomes
`www[.]x[.]fr`, `https://` becomes `https[:]//`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

# Refused everywhere: bidi overrides and isolates, line and paragraph separators.
_INVISIBLE_FORMATTING = frozenset(
    [0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
)
_MULTI_LINE_ALLOWED = frozenset("\n\t")


def forbidden_character(value: str, *, allowed: frozenset[str] = frozenset()) -> tuple[int, str] | None:
    """The first character that free text may not hold, with its position, or None."""
    for position, char in enumerate(value):
        if char in allowed:
            continue
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F or code in _INVISIBLE_FORMATTING:
            return position, char
    return None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _refuse(value: str, allowed: frozenset[str], kind: str) -> None:
    found = forbidden_character(value, allowed=allowed)
    if found is not None:
        position, char = found
        raise PydanticCustomError(
            "control_character",
            "{kind} text may not hold control or invisible formatting characters: {char} at position {position}",
            {"kind": kind, "char": _describe(char), "position": position},
        )


def _single_line(value: Any) -> Any:
    if isinstance(value, str):
        _refuse(value, frozenset(), "single-line")
    return value


def _multi_line(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")
        _refuse(value, _MULTI_LINE_ALLOWED, "multi-line")
    return value


@dataclass(frozen=True)
class SingleLine(GroupedMetadata):
    """Metadata of a free-text field: stripped, `min_length` to `max_length`
    characters, no control or invisible formatting character (checked on the raw
    value, before stripping, so a trailing CR LF is refused too)."""

    max_length: int
    min_length: int = 1

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)
        yield BeforeValidator(_single_line)


@dataclass(frozen=True)
class MultiLine(GroupedMetadata):
    """As `SingleLine`, but line feeds and tabs are allowed (CR LF becomes LF)."""

    max_length: int
    min_length: int = 1

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)
        yield BeforeValidator(_multi_line)


def one_line(value: str) -> str:
    """`value` with every character that `SingleLine` refuses replaced by a space:
    safe in a mail header, whatever was stored before the check existed."""
    return "".join(" " if forbidden_character(char) else char for char in value)


_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
_MAILTO = re.compile(r"(?i)\b(mailto|tel|sms):")
_DOTTED = re.compile(r"(?<=[\w-])\.(?=[\w-])")
_AT = re.compile(r"(?<=\w)@(?=\w)")


def inert(value: str) -> str:
    """`value` on one line, defanged so that no mail client turns it into a link
    or an address: `scheme://` becomes `scheme[:]//`, dots between letters `[.]`
    and `@` between letters `[@]`. Meant for names taken from users (a company
    name), never for the links the service itself writes."""
    text = one_line(value)
    text = _SCHEME.sub(r"\1[:]", text)
    text = _MAILTO.sub(r"\1[:]", text)
    text = _DOTTED.sub("[.]", text)
    return _AT.sub("[@]", text)
