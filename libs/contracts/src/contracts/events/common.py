"""Types shared by several owners' events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Event

SIREN = Field(pattern=r"^\d{9}$", description="French company id (SIREN), 9 digits.")


class PersonKind(StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"


class PostalAddress(BaseModel):
    """A postal address, as a letter would carry it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    line: str
    complement: str | None = None
    postal_code: str
    city: str
    country: str = Field(default="FR", description="ISO 3166-1 alpha-2 code.")


IN_APP = "in_app"


class NotificationRequest(Event):
    """The shape of every `...NotificationRequested` event: a service asks for a user to be told
    something. Not an event by itself: each requesting service declares its own event with this
    shape in its own module (`NotificationRequested` is recovery's; another would be, e.g.,
    `BillingNotificationRequested`), because a topic has one writer (docs/adr/0030). Identity
    consumes every registered subclass and files the `in_app` ones in the recipient's mailbox."""

    notification_id: str = Field(
        min_length=1,
        max_length=200,
        description="Idempotency key, unique within the requesting service: one message per key.",
    )
    recipient_id: str = Field(min_length=1, description="Account id of the user to tell.")
    channels: list[str] = Field(
        min_length=1,
        description=f"Where to tell them: {IN_APP!r} (identity's in-app mailbox). A consumer ignores channels "
        "it does not know, so a new channel can be added within v1.",
    )
    title: str = Field(min_length=1, max_length=200, description="One line (the subject), in the recipient's language.")
    body: str = Field(max_length=20_000, description="Plain text.")
    link: str | None = Field(
        default=None, max_length=2000, description="Optional path (or URL) in the portal the message points to."
    )
    requested_at: datetime
