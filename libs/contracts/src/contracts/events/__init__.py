"""The integration events, one module per owning service (each team edits its
own). Ids are strings; money is integer cents with an ISO currency; every
change within a version is additive and optional."""

from contracts.events.billing import PaymentRejected, ScheduleCreated
from contracts.events.common import SIREN, PersonKind
from contracts.events.identity import AccountActivated, AccountRegistered
from contracts.events.ratings import RatingUpdated, Trend
from contracts.events.teams import MemberRemoved, MemberRightsChanged, Right

__all__ = [
    "SIREN",
    "AccountActivated",
    "AccountRegistered",
    "MemberRemoved",
    "MemberRightsChanged",
    "PaymentRejected",
    "PersonKind",
    "RatingUpdated",
    "Right",
    "ScheduleCreated",
    "Trend",
]
