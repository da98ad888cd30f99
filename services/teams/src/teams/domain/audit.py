"""The audit trail's record: who changed what in a company space, when, with the before and after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from teams.domain.companies import Member
from teams.domain.rights import ProofOfPower


@dataclass(frozen=True)
class AuditRecord:
    company_id: str
    actor: str  # the account id of who acted
    action: str  # e.g. member_rights_changed, invitation_sent
    target: str  # the member's account id, or the invitation's id
    before: Any  # JSON-shaped values, as the trail shows them
    after: Any
    at: datetime
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def proof_view(proof: ProofOfPower | None) -> dict[str, Any] | None:
    """A proof of power as JSON-shaped values (the audit trail's, and the store's)."""
    if proof is None:
        return None
    return {
        "kind": str(proof.kind),
        "reference": proof.reference,
        "issued_on": proof.issued_on.isoformat(),  # BSON has no date-only type
        "recorded_by": proof.recorded_by,
        "recorded_at": proof.recorded_at,
    }


def member_audit(member: Member | None) -> dict[str, Any] | None:
    """What the audit trail keeps of a membership (no mobile number)."""
    if member is None:
        return None
    return {
        "role": str(member.role),
        "status": str(member.status),
        "rights": [str(r) for r in member.rights],
        "revision": member.revision,
        "proof_of_power": proof_view(member.proof_of_power),
    }
