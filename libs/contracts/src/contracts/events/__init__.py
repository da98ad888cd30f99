"""The integration events, one module per owning service (each team edits its
own). Ids are strings; money is integer cents with an ISO currency; every
change within a version is additive and optional."""

from contracts.events.billing import (
    MandateSigned,
    PaymentRejected,
    PaymentSucceeded,
    ScheduleCreated,
    ScheduleRegularised,
)
from contracts.events.common import SIREN, PersonKind
from contracts.events.identity import (
    AccountActivated,
    AccountDetailsChanged,
    AccountKind,
    AccountMigrated,
    AccountRegistered,
    PasswordReset,
    RevocationReason,
    SessionsRevoked,
)
from contracts.events.ratings import RatingUpdated, Trend
from contracts.events.recovery import (
    CaseAccepted,
    CaseAssigned,
    CaseClosed,
    CaseFiled,
    CasePaymentRecorded,
    CasePhaseChanged,
    CaseRefused,
    CaseReturned,
    CaseSettled,
    DebtorAnswered,
    LetterIssued,
)
from contracts.events.teams import (
    ContractKind,
    InvitationSent,
    MemberJoined,
    MemberRemoved,
    MemberRightsChanged,
    Right,
    right_covers_contract,
)

__all__ = [
    "SIREN",
    "AccountActivated",
    "AccountDetailsChanged",
    "AccountKind",
    "AccountMigrated",
    "AccountRegistered",
    "CaseAccepted",
    "CaseAssigned",
    "CaseClosed",
    "CaseFiled",
    "CasePaymentRecorded",
    "CasePhaseChanged",
    "CaseRefused",
    "CaseReturned",
    "CaseSettled",
    "ContractKind",
    "DebtorAnswered",
    "InvitationSent",
    "LetterIssued",
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
    "Trend",
    "right_covers_contract",
]
