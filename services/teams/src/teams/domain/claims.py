"""Claims of a company space: who may act for the company.

Anyone can register with any SIRET, so the SIREN on an account proves
nothing. Opening a company space is a claim: the legal person's account
uploads an extract of the trade register (Kbis or equivalent) and support
reviews it. The space opens, with the claimant as its first admin, only when
support approves; until then it is pending (no rights, no invitations). Two
claimants of one SIREN never both get it: support approves one and the
others are rejected with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from chassis.documents import document_type

SUPPORT_ROLE = "support"


class ClaimStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Claimant:
    """One account's claim of a company space, with what support needs to review it."""

    claim_id: str
    account_id: str
    email: str
    name: str
    mobile: str  # E.164: the first admin's, for the SMS codes
    status: ClaimStatus
    extract_media_type: str
    extract_size: int
    submitted_at: datetime
    submitted_from: str  # the client's real address (chassis.clientaddress)
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reason: str | None = None

    def reviewed(self, status: ClaimStatus, *, by: str, at: datetime, reason: str | None) -> Claimant:
        return replace(self, status=status, reviewed_by=by, reviewed_at=at, reason=reason)


def first_pending(claimants: list[Claimant]) -> Claimant | None:
    """The claim support reviews first: the earliest still pending."""
    return next((c for c in claimants if c.status == ClaimStatus.PENDING), None)


def extract_type(data: bytes) -> str | None:
    """The media type of an extract by its magic bytes: PDF, JPEG or PNG; None for anything else."""
    kind = document_type(data)
    return kind.value if kind else None


def extract_problem(data: bytes, max_bytes: int) -> str | None:
    """Why an uploaded extract is refused, if it is."""
    if not data:
        return "the extract is empty"
    if len(data) > max_bytes:
        return f"the extract is {len(data)} bytes; at most {max_bytes} are accepted"
    if extract_type(data) is None:
        return "the extract must be a PDF, JPEG or PNG file (checked by its content)"
    return None
