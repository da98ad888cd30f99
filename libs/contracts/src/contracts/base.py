"""The base of every integration event and the decorator that names it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

OWNERS = frozenset({"identity", "billing", "recovery", "ratings", "teams"})
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]+$")


class Event(BaseModel):
    """An integration event's payload.

    Frozen, and tolerant of unknown fields so that a producer may add optional
    fields within a version without breaking older consumers.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_name: ClassVar[str]
    event_version: ClassVar[int]
    event_owner: ClassVar[str]
    # Name of the payload field whose value is the aggregate id: the Kafka key,
    # so one aggregate's events stay in one partition, in order.
    subject_field: ClassVar[str]
    topic: ClassVar[str]

    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


E = TypeVar("E", bound=type[Event])


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def topic_of(owner: str, name: str, version: int) -> str:
    """Topic name of an event: `creditdesk.<owner>.<event-name>.v<version>`."""
    return f"creditdesk.{owner}.{_kebab(name)}.v{version}"


def event_type(*, owner: str, version: int, subject: str) -> Callable[[E], E]:
    """Declare a class as an integration event and register it.

    The event name is the class name (past tense, as events are facts).
    """

    def register(cls: E) -> E:
        from contracts.registry import REGISTRY

        name = cls.__name__
        if not _NAME.match(name):
            raise ValueError(f"event name {name!r} must be CamelCase")
        if owner not in OWNERS:
            raise ValueError(f"unknown owner {owner!r}")
        if version < 1:
            raise ValueError("versions start at 1")
        if subject not in cls.__pydantic_fields__:
            raise ValueError(f"{name}: subject field {subject!r} is not a field")
        cls.event_name = name
        cls.event_version = version
        cls.event_owner = owner
        cls.subject_field = subject
        cls.topic = topic_of(owner, name, version)
        REGISTRY.add(cls)
        return cls

    return register
