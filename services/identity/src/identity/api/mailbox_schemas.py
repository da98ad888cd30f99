"""Shapes of the in-app mailbox's routes (and of its JSON export)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from identity.api.deps import JsonObject
from identity.domain.mailbox import MailboxMessage, MessageDetails

EXPORT_FORMAT: Literal["creditdesk.mailbox.v1"] = "creditdesk.mailbox.v1"


MESSAGE_EXAMPLE: JsonObject = {
    "message_id": "alert-6f1c2a9e",
    "source": "alert",
    "received_at": "2026-12-02T08:15:00Z",
    "sender": "creditdesk ratings",
    "subject": "Note abaissée : Boulangerie Martin SARL",
    "body": "La note de Boulangerie Martin SARL (SIREN 552100554) passe de B à C.",
    "link": "/ratings/companies/FR/552100554",
    "details": {"portfolio": "Clients Île-de-France", "kind": "rating_changed", "old": "B", "new": "C"},
    "read": True,
    "read_at": "2026-12-02T08:20:00Z",
}


class MessageOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MESSAGE_EXAMPLE]})

    message_id: str = Field(description="Stable id of the message (derived from its source).")
    source: Literal["alert", "notification", "legacy"] = Field(
        description="alert: ratings' monitoring; notification: another service's in-app notification; "
        "legacy: the former portal's mailbox, imported at migration"
    )
    received_at: datetime = Field(description="When it was raised (for a legacy message: its original date).")
    sender: str | None
    subject: str
    body: str
    link: str | None = Field(description="A path of the portal the message points to, if any.")
    details: MessageDetails = Field(
        description="What the source said it is about (for an alert: portfolio, company, kind, old and new values)."
    )
    read: bool
    read_at: datetime | None

    @classmethod
    def of(cls, message: MailboxMessage) -> MessageOut:
        return cls(
            message_id=message.message_id,
            source=message.source.value,
            received_at=message.received_at,
            sender=message.sender,
            subject=message.subject,
            body=message.body,
            link=message.link,
            details=message.details,
            read=message.read,
            read_at=message.read_at,
        )


class MessagePage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "messages": [MESSAGE_EXAMPLE],
                    "unread": 1,
                    "total": 12,
                    "next_cursor": "eyJiZWZvcmUiOiAiMjAyNi0xMi0wMVQwODowMDowMFoifQ",
                }
            ]
        }
    )

    messages: list[MessageOut] = Field(description="Newest first.")
    unread: int = Field(description="Unread messages in the whole mailbox.")
    total: int = Field(description="Messages in the whole mailbox.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page; null on the last page.")


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"read": False}]})

    read: bool = Field(description="true: mark read; false: mark unread.")


class MailboxExportOut(BaseModel):
    """The JSON export: every message, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "format": EXPORT_FORMAT,
                    "account_id": "3f6a0c1e9b2d4e7f8a1b2c3d4e5f6a7b",
                    "exported_at": "2026-12-02T09:00:00Z",
                    "messages": [MESSAGE_EXAMPLE],
                }
            ]
        }
    )

    format: Literal["creditdesk.mailbox.v1"] = EXPORT_FORMAT
    account_id: str
    exported_at: datetime
    messages: list[MessageOut]


class AllReadOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"marked": 3}]})

    marked: int = Field(description="How many messages were unread (all are read now).")
