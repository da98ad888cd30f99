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

from enum import StrEnum

from chassis.documents import document_type

SUPPORT_ROLE = "support"


class ClaimStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


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
