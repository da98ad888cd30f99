"""Domain dataclasses <-> MongoDB documents, generically from their type hints.

Dates are stored as ISO strings (BSON has no date without a time), datetimes as BSON dates (UTC),
enums by value, tuples as arrays; a field missing from an older document takes its default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, get_args, get_origin

T = TypeVar("T")


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: Any, raw: Any) -> Any:
    origin = get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        if raw is None:
            return None
        options = [a for a in get_args(kind) if a is not type(None)]
        return decode(options[0], raw)
    if origin is tuple:
        args = get_args(kind)
        item = args[0]
        return tuple(decode(item, v) for v in raw)
    if origin is dict:
        _, item = get_args(kind)
        return {k: decode(item, v) for k, v in raw.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        values = {f.name: decode(hints[f.name], raw[f.name]) for f in dataclasses.fields(kind) if f.name in raw}
        return kind(**values)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if kind is datetime:
        return raw
    if kind is date:
        return date.fromisoformat(raw)
    return raw


def decode_as(cls: type[T], raw: dict[str, Any]) -> T:
    result: T = decode(cls, raw)
    return result
