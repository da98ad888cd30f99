"""Integration events of creditdesk: the only code that crosses service boundaries.

A consumer imports event models and topic names from here, never another
service's package. Each event is a frozen pydantic model with a name, a version
and an owner; its topic derives from those three.
"""

from contracts import events
from contracts.base import Event, event_type, topic_of
from contracts.envelope import Envelope, TraceContext
from contracts.events import *  # noqa: F403 (every integration event, listed once: in contracts.events)
from contracts.registry import REGISTRY, UnknownEventError, decode_event
from contracts.topics import dead_letter_topic

__all__ = [
    "REGISTRY",
    "Envelope",
    "Event",
    "TraceContext",
    "UnknownEventError",
    "dead_letter_topic",
    "decode_event",
    "event_type",
    "topic_of",
]
__all__ += events.__all__
