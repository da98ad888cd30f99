"""Invitations: pending code -> sent -> accepted, or expired / revoked.

An admin invites (email, name, mobile, rights). The invitation waits for the
admin to confirm it with a 6-digit code sent by SMS to the admin's mobile
(Twilio Verify's rules: the code expires, a bounded number of checks per code,
a bounded number of codes per invitation). Confirmed, it is *sent*: the invitee
gets a single-use link that expires, and joins by following it while logged in
with the invited email.

Brute force: at most `max_code_checks` comparisons per code and
`max_code_sends` codes per invitation, so at most their product guesses out
of a million per invitation (5 x 4 = 20 by default: a 0.002 % chance).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.events.teams import Right
from teams.domain.rights import ProofOfPower


class InvitationStatus(StrEnum):
    PENDING_CODE = "pending_code"  # waiting for the admin's SMS code
    SENT = "sent"  # link mailed to the invitee
    ACCEPTED = "accepted"
    EXPIRED = "expired"  # computed: a pending or sent invitation past its expiry
    REVOKED = "revoked"


OPEN = frozenset({InvitationStatus.PENDING_CODE, InvitationStatus.SENT})


@dataclass(frozen=True)
class InvitationPolicy:
    code_ttl: timedelta = timedelta(minutes=10)
    max_code_checks: int = 5  # comparisons against one code, the right one included
    max_code_sends: int = 4  # the first code and 3 resends
    confirmation_ttl: timedelta = timedelta(hours=24)  # an unconfirmed invitation lapses
    link_ttl: timedelta = timedelta(hours=72)


@dataclass(frozen=True)
class CodeState:
    digest: str
    expires_at: datetime
    checks: int  # comparisons made against this code so far
    sends: int  # codes sent for this invitation so far, this one included


@dataclass(frozen=True)
class CodeAllowance:
    """What the admin may still do with the current code: shown with a pending invitation."""

    expires_at: datetime
    checks_left: int
    resends_left: int


@dataclass(frozen=True)
class Invitation:
    invitation_id: str
    company_id: str  # the SIREN
    company_name: str
    email: str  # lower-cased
    first_name: str
    last_name: str
    mobile: str  # E.164
    rights: tuple[Right, ...]
    proof_of_power: ProofOfPower | None
    invited_by: str
    inviter_name: str
    status: InvitationStatus  # as stored: `status_at` tells whether it has expired since
    created_at: datetime
    expires_at: datetime
    code: CodeState | None = None  # while it waits for the admin's SMS code
    accepted_by: str | None = None

    @property
    def invitee_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def status_at(self, now: datetime) -> InvitationStatus:
        return effective_status(self.status, self.expires_at, now)

    def code_allowance(self, now: datetime, policy: InvitationPolicy) -> CodeAllowance | None:
        """The current code's expiry, checks and resends left; None unless it waits for a code."""
        if self.code is None or self.status_at(now) != InvitationStatus.PENDING_CODE:
            return None
        return CodeAllowance(
            expires_at=self.code.expires_at,
            checks_left=max(policy.max_code_checks - self.code.checks, 0),
            resends_left=max(policy.max_code_sends - self.code.sends, 0),
        )


class InvitationRefused(Exception):
    """A command an invitation cannot take in its state; `code` names the reason."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def effective_status(status: InvitationStatus, expires_at: datetime, now: datetime) -> InvitationStatus:
    """The stored status, or EXPIRED for an open invitation past its expiry."""
    if status in OPEN and now >= expires_at:
        return InvitationStatus.EXPIRED
    return status


def confirmation_expiry(now: datetime, policy: InvitationPolicy) -> datetime:
    return now + policy.confirmation_ttl


def first_code(digest: str, now: datetime, policy: InvitationPolicy) -> CodeState:
    return CodeState(digest=digest, expires_at=now + policy.code_ttl, checks=0, sends=1)


def _require_pending(status: InvitationStatus) -> None:
    if status == InvitationStatus.EXPIRED:
        raise InvitationRefused("invitation-expired", "this invitation has expired: invite the person again")
    if status != InvitationStatus.PENDING_CODE:
        raise InvitationRefused(
            "invitation-not-awaiting-code", f"this invitation is {status}: it does not wait for a code"
        )


def check_code_refusal(
    status: InvitationStatus, code: CodeState | None, now: datetime, policy: InvitationPolicy
) -> CodeState:
    """The code to check against, unless no code may be checked now (before spending one of its checks)."""
    _require_pending(status)
    if code is None:
        raise InvitationRefused("invitation-not-awaiting-code", "this invitation does not wait for a code")
    if code.checks >= policy.max_code_checks:
        raise InvitationRefused("code-locked", "too many wrong codes: ask for a new code" + _resends_left(code, policy))
    if now >= code.expires_at:
        raise InvitationRefused(
            "code-expired", "this code has expired: ask for a new code" + _resends_left(code, policy)
        )
    return code


def resend_code(
    status: InvitationStatus, code: CodeState | None, digest: str, now: datetime, policy: InvitationPolicy
) -> CodeState:
    """A new code replacing the previous one, if one more may be sent."""
    _require_pending(status)
    if code is None:
        raise InvitationRefused("invitation-not-awaiting-code", "this invitation does not wait for a code")
    if code.sends >= policy.max_code_sends:
        raise InvitationRefused(
            "code-resends-exhausted",
            f"no more codes can be sent for this invitation ({policy.max_code_sends} sent): revoke it and invite again",
        )
    return CodeState(digest=digest, expires_at=now + policy.code_ttl, checks=0, sends=code.sends + 1)


def _resends_left(code: CodeState, policy: InvitationPolicy) -> str:
    left = policy.max_code_sends - code.sends
    return f" ({left} left)" if left > 0 else " (none left: revoke the invitation and invite again)"


# The purpose of the invitations' mailed links in `chassis.tokens` (the subject: the invitation id).
LINK_PURPOSE = "team-invitation"


def link_expiry(now: datetime, policy: InvitationPolicy) -> datetime:
    return now + policy.link_ttl


def acceptance_refusal(status: InvitationStatus, invited_email: str, caller_email: str | None) -> None:
    """Raise unless the caller may accept this invitation."""
    if status == InvitationStatus.EXPIRED:
        raise InvitationRefused("invitation-expired", "this invitation link has expired: ask the admin for a new one")
    if status != InvitationStatus.SENT:
        raise InvitationRefused("invitation-link-invalid", "this invitation link is invalid or was already used")
    if caller_email is None or caller_email.strip().lower() != invited_email.strip().lower():
        raise InvitationRefused(
            "invitation-for-another-email",
            "this invitation was sent to another email address: log in with the invited address",
        )


def revocation_refusal(status: InvitationStatus) -> None:
    if status not in OPEN:
        raise InvitationRefused("invitation-closed", f"this invitation is {status}: it can no longer be revoked")


def awaits_code(invitation: Invitation, digest: str) -> bool:
    """Whether the invitation still waits for its code, and `digest` is its current code's."""
    code = invitation.code
    return invitation.status == InvitationStatus.PENDING_CODE and code is not None and code.digest == digest


@dataclass(frozen=True)
class Sending:
    """pending_code -> sent, once: the code (`code_digest`, while it is still the current one) is
    consumed and the invitee's link is valid until `expires_at`."""

    invitation_id: str
    code_digest: str
    expires_at: datetime
    at: datetime

    def applied_to(self, invitation: Invitation) -> Invitation | None:
        """The invitation sent, or None if it no longer waits for this code."""
        if not awaits_code(invitation, self.code_digest):
            return None
        return replace(invitation, status=InvitationStatus.SENT, expires_at=self.expires_at, code=None)


@dataclass(frozen=True)
class Revocation:
    """An admin revokes an invitation, once, and only while it is still in the status they saw."""

    invitation_id: str
    seen_status: InvitationStatus
    by: str
    at: datetime

    def applied_to(self, invitation: Invitation) -> Invitation | None:
        """The invitation revoked, or None if it changed since it was seen."""
        if invitation.status != self.seen_status:
            return None
        return replace(invitation, status=InvitationStatus.REVOKED)
