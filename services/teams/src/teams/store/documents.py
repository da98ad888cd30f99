"""Domain objects to and from MongoDB documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.events.teams import Right
from teams.domain.companies import Member, MemberStatus, Role
from teams.domain.rights import ProofKind, ProofOfPower


def proof_to_doc(proof: ProofOfPower | None) -> dict[str, Any] | None:
    if proof is None:
        return None
    return {
        "kind": str(proof.kind),
        "reference": proof.reference,
        "issued_on": proof.issued_on.isoformat(),  # BSON has no date-only type
        "recorded_by": proof.recorded_by,
        "recorded_at": proof.recorded_at,
    }


def proof_from_doc(doc: dict[str, Any] | None) -> ProofOfPower | None:
    if not doc:
        return None
    return ProofOfPower(
        kind=ProofKind(doc["kind"]),
        reference=doc["reference"],
        issued_on=date.fromisoformat(doc["issued_on"]),
        recorded_by=doc["recorded_by"],
        recorded_at=doc["recorded_at"],
    )


def member_to_doc(member: Member) -> dict[str, Any]:
    return {
        "account_id": member.account_id,
        "email": member.email,
        "name": member.name,
        "mobile": member.mobile,
        "role": str(member.role),
        "status": str(member.status),
        "rights": [str(r) for r in member.rights],
        "revision": member.revision,
        "joined_at": member.joined_at,
        "invitation_id": member.invitation_id,
        "proof_of_power": proof_to_doc(member.proof_of_power),
    }


def member_from_doc(doc: dict[str, Any]) -> Member:
    return Member(
        account_id=doc["account_id"],
        email=doc["email"],
        name=doc["name"],
        mobile=doc["mobile"],
        role=Role(doc["role"]),
        status=MemberStatus(doc["status"]),
        rights=tuple(Right(r) for r in doc["rights"]),
        revision=int(doc["revision"]),
        joined_at=doc["joined_at"],
        invitation_id=doc.get("invitation_id"),
        proof_of_power=proof_from_doc(doc.get("proof_of_power")),
    )


def member_audit(member: Member | None) -> dict[str, Any] | None:
    """What the audit trail keeps of a membership (no mobile number)."""
    if member is None:
        return None
    return {
        "role": str(member.role),
        "status": str(member.status),
        "rights": [str(r) for r in member.rights],
        "revision": member.revision,
        "proof_of_power": proof_to_doc(member.proof_of_power),
    }
