"""The envelope every event travels in, whatever its type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from contracts.base import Event


class TraceContext(BaseModel):
    """W3C trace context captured when the event was caused, so the trace
    continues across the outbox relay and the bus into every consumer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    traceparent: str
    tracestate: str | None = None


class Envelope(BaseModel):
    """Version 1 of the envelope. The Kafka message value is its JSON; the
    Kafka key is `subject`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    type: str = Field(description="Event name, e.g. AccountActivated.", min_length=1)
    version: int = Field(description="Version of the event's payload schema.", ge=1)
    source: str = Field(description="Service that emitted the event.", min_length=1)
    occurred_at: AwareDatetime = Field(description="When the fact happened, in UTC.")
    subject: str = Field(description="Aggregate id; the Kafka key.", min_length=1)
    trace: TraceContext | None = Field(default=None, description="W3C trace context of the cause.")
    payload: dict[str, Any] = Field(description="The event's fields, per its schema.")

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        occurred_at: datetime,
        trace: TraceContext | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Envelope:
        return cls(
            event_id=event_id or uuid.uuid4(),
            type=event.event_name,
            version=event.event_version,
            source=event.event_owner,
            occurred_at=occurred_at,
            subject=event.subject(),
            trace=trace,
            payload=event.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        from contracts.base import topic_of

        return topic_of(self.source, self.type, self.version)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()
