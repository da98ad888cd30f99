"""Lookup of event models by (name, version), for consumers and tooling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contracts.base import Event
    from contracts.envelope import Envelope


class UnknownEventError(LookupError):
    pass


class EventRegistry:
    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int], type[Event]] = {}

    def add(self, cls: type[Event]) -> None:
        key = (cls.event_name, cls.event_version)
        if key in self._by_key and self._by_key[key] is not cls:
            raise ValueError(f"event {key} is declared twice")
        self._by_key[key] = cls

    def get(self, name: str, version: int) -> type[Event]:
        try:
            return self._by_key[(name, version)]
        except KeyError:
            raise UnknownEventError(f"no contract for {name} v{version}") from None

    def by_topic(self, topic: str) -> type[Event]:
        for cls in self._by_key.values():
            if cls.topic == topic:
                return cls
        raise UnknownEventError(f"no contract for topic {topic}")

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(sorted(self._by_key.values(), key=lambda c: (c.event_name, c.event_version)))


REGISTRY = EventRegistry()


def decode_event(envelope: Envelope) -> Event:
    """Validate an envelope's payload against its contract."""
    return REGISTRY.get(envelope.type, envelope.version).model_validate(envelope.payload)
