"""Domain objects to and from MongoDB documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.events.teams import Right
from teams.domain.audit import proof_view as proof_to_doc
from teams.domain.claims import Claimant, ClaimStatus
from teams.domain.companies import Member, MemberStatus, Role
from teams.domain.invitations import CodeState, Invitation, InvitationStatus
from teams.domain.rights import ProofKind, ProofOfPower


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


def code_to_doc(code: CodeState) -> dict[str, Any]:
    return {"digest": code.digest, "expires_at": code.expires_at, "checks": code.checks, "sends": code.sends}


def code_from_doc(doc: dict[str, Any]) -> CodeState:
    return CodeState(
        digest=doc["digest"], expires_at=doc["expires_at"], checks=int(doc["checks"]), sends=int(doc["sends"])
    )


def invitation_to_doc(invitation: Invitation) -> dict[str, Any]:
    return {
        "_id": invitation.invitation_id,
        "company_id": invitation.company_id,
        "company_name": invitation.company_name,
        "email": invitation.email,
        "first_name": invitation.first_name,
        "last_name": invitation.last_name,
        "mobile": invitation.mobile,
        "rights": [str(r) for r in invitation.rights],
        "proof_of_power": proof_to_doc(invitation.proof_of_power),
        "invited_by": invitation.invited_by,
        "inviter_name": invitation.inviter_name,
        "status": str(invitation.status),
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "code": code_to_doc(invitation.code) if invitation.code else None,
        "accepted_by": invitation.accepted_by,
    }


def invitation_from_doc(doc: dict[str, Any]) -> Invitation:
    return Invitation(
        invitation_id=doc["_id"],
        company_id=doc["company_id"],
        company_name=doc["company_name"],
        email=doc["email"],
        first_name=doc["first_name"],
        last_name=doc["last_name"],
        mobile=doc["mobile"],
        rights=tuple(Right(r) for r in doc["rights"]),
        proof_of_power=proof_from_doc(doc.get("proof_of_power")),
        invited_by=doc["invited_by"],
        inviter_name=doc["inviter_name"],
        status=InvitationStatus(doc["status"]),
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        code=code_from_doc(doc["code"]) if doc.get("code") else None,
        accepted_by=doc.get("accepted_by"),
    )


def claimant_to_doc(claimant: Claimant) -> dict[str, Any]:
    return {
        "claim_id": claimant.claim_id,
        "account_id": claimant.account_id,
        "email": claimant.email,
        "name": claimant.name,
        "mobile": claimant.mobile,
        "status": str(claimant.status),
        "extract": {"media_type": claimant.extract_media_type, "size": claimant.extract_size},
        "submitted_at": claimant.submitted_at,
        "submitted_from": claimant.submitted_from,
        "reviewed_by": claimant.reviewed_by,
        "reviewed_at": claimant.reviewed_at,
        "reason": claimant.reason,
    }


def claimant_from_doc(doc: dict[str, Any]) -> Claimant:
    extract = doc.get("extract") or {}
    return Claimant(
        claim_id=doc["claim_id"],
        account_id=doc["account_id"],
        email=doc["email"],
        name=doc["name"],
        mobile=doc["mobile"],
        status=ClaimStatus(doc["status"]),
        extract_media_type=extract.get("media_type", ""),
        extract_size=int(extract.get("size", 0)),
        submitted_at=doc["submitted_at"],
        submitted_from=doc.get("submitted_from", ""),
        reviewed_by=doc.get("reviewed_by"),
        reviewed_at=doc.get("reviewed_at"),
        reason=doc.get("reason"),
    )
