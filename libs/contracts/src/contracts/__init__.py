"""Integration events of creditdesk: the only code that crosses service boundaries.

A consumer imports event models and topic names from here, never another
service's package. Each event is a frozen pydantic model with a name, a version
and an owner; its topic derives from those three.
"""

from contracts.base import Event, event_type, topic_of
from contracts.envelope import Envelope, TraceContext
from contracts.events import (
    AccountActivated,
    AccountDetailsChanged,
    AccountKind,
    AccountMigrated,
    AccountRegistered,
    ContractKind,
    InvitationSent,
    MandateSigned,
    MemberJoined,
    MemberRemoved,
    MemberRightsChanged,
    PasswordReset,
    PaymentRejected,
    PaymentSucceeded,
    PersonKind,
    RatingUpdated,
    RevocationReason,
    Right,
    ScheduleCreated,
    ScheduleRegularised,
    SessionsRevoked,
    Trend,
    right_covers_contract,
)
from contracts.registry import REGISTRY, UnknownEventError, decode_event
from contracts.topics import dead_letter_topic

__all__ = [
    "REGISTRY",
    "AccountActivated",
    "AccountDetailsChanged",
    "AccountKind",
    "AccountMigrated",
    "AccountRegistered",
    "ContractKind",
    "Envelope",
    "Event",
    "InvitationSent",
    "MandateSigned",
    "MemberJoined",
    "MemberRemoved",
    "MemberRightsChanged",
    "PasswordReset",
    "PaymentRejected",
    "PaymentSucceeded",
    "PersonKind",
    "RatingUpdated",
    "RevocationReason",
    "Right",
    "ScheduleCreated",
    "ScheduleRegularised",
    "SessionsRevoked",
    "TraceContext",
    "Trend",
    "UnknownEventError",
    "dead_letter_topic",
    "decode_event",
    "event_type",
    "right_covers_contract",
    "topic_of",
]
