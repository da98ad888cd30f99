"""Request and response bodies of teams' routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from chassis.text import SingleLine
from contracts.events.teams import ContractKind, Right
from teams.domain.rights import ProofKind

# Free text refuses control characters (chassis.text.SingleLine): a 422 naming the field.
Name = Annotated[str, SingleLine(max_length=100)]
Mobile = Annotated[str, SingleLine(min_length=6, max_length=25)]
RightsList = Annotated[list[Right], Field(max_length=6, description="Rights to hold; an empty list holds none.")]


class RightPublic(BaseModel):
    right: Right
    number: int = Field(description="Number of the right in the product's documentation (1-6).")
    title: str
    detail: str
    contract_kinds: list[ContractKind] | None = Field(description="Contracts it applies to; null: every contract.")
    needs_proof_of_power: bool


class CompanyCreate(BaseModel):
    """ClaimCompanySpace: by the legal person's own account, with an extract of the trade register."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"siren": "732829320", "mobile": "+33612345678", "extract": "JVBERi0xLjQKJcfsj6IK"}]
        }
    )

    siren: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{9}$")] = Field(
        description="SIREN of the company: that of the calling legal person's account."
    )
    mobile: Mobile = Field(description="The admin's mobile number: invitation codes are sent there by SMS.")
    extract: Annotated[str, StringConstraints(min_length=4, max_length=11_200_000)] = Field(
        description="The company's extract of the trade register (Kbis or equivalent), base64: a PDF, JPEG or "
        "PNG file (checked by its content), at most TEAMS_CLAIM_EXTRACT_MAX_BYTES (1 MiB) decoded."
    )


class ExtractPublic(BaseModel):
    media_type: str = Field(description="application/pdf, image/jpeg or image/png, from the file's content.")
    size: int


class ClaimPublic(BaseModel):
    """A claim of a company space; the space is pending until support approves it."""

    claim_id: str
    siren: str
    status: str = Field(description="pending (under review), approved (the space is open) or rejected.")
    submitted_at: datetime
    reviewed_at: datetime | None
    reason: str | None = Field(description="Why support rejected the claim.")


class ClaimantPublic(ClaimPublic):
    """A claim as support sees it: who claims, with what."""

    account_id: str
    email: str
    name: str
    extract: ExtractPublic
    submitted_from: str | None = Field(description="The claimant's client address (as the gateway signed it).")
    reviewed_by: str | None


class ClaimedCompany(BaseModel):
    siren: str
    claimants: list[ClaimantPublic] = Field(description="Every claimant of the SIREN, oldest first.")


class ClaimsUnderReview(BaseModel):
    companies: list[ClaimedCompany] = Field(description="Every SIREN with at least one pending claim.")


class ClaimApproval(BaseModel):
    reason_for_others: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = (
        Field(default=None, description="Told to the other pending claimants, who are rejected.")
    )


class ClaimRejection(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="Told to the claimant."
    )


class ProofOfPowerIn(BaseModel):
    kind: ProofKind
    reference: Name = Field(description="Reference of the document (number, file name).")
    issued_on: date


class ProofOfPowerPublic(ProofOfPowerIn):
    recorded_by: str
    recorded_at: datetime


class MemberPublic(BaseModel):
    account_id: str
    email: str
    name: str
    mobile: str = Field(description="Masked: only the last two digits show.")
    role: str
    status: str
    rights: list[Right]
    revision: int
    joined_at: datetime
    proof_of_power: ProofOfPowerPublic | None


class CompanyPublic(BaseModel):
    siren: str
    name: str
    created_at: datetime
    my_role: str
    my_rights: list[Right]
    members: list[MemberPublic] = Field(description="Every member, removed ones included (status 'removed').")


class MyTeamsPublic(BaseModel):
    companies: list[CompanyPublic]


class RightsUpdate(BaseModel):
    """ChangeMemberRights: the complete set the member holds afterwards."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"rights": ["view_financial_documents", "access_treasury"]},
                {
                    "rights": ["change_bank_details"],
                    "proof_of_power": {
                        "kind": "delegation_of_power",
                        "reference": "DP-2026-014",
                        "issued_on": "2026-11-02",
                    },
                },
            ]
        }
    )

    rights: RightsList
    proof_of_power: ProofOfPowerIn | None = Field(
        default=None, description="Recorded with the change; needed once before granting rights 5 or 6."
    )


class AdminAppointment(BaseModel):
    """AppointAdmin: an admin holds rights 5 and 6, so a proof of power is needed
    unless one is recorded for the member already."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"proof_of_power": {"kind": "board_resolution", "reference": "PV-2026-03", "issued_on": "2026-10-01"}},
                {},
            ]
        }
    )

    proof_of_power: ProofOfPowerIn | None = None


class InvitationCreate(BaseModel):
    """InviteCollaborator: confirmed afterwards with the code sent by SMS to the admin."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "paul.martin@example.fr",
                    "first_name": "Paul",
                    "last_name": "Martin",
                    "mobile": "06 12 34 56 78",
                    "rights": ["view_financial_documents", "change_bank_details"],
                    "proof_of_power": {
                        "kind": "delegation_of_power",
                        "reference": "DP-2026-014",
                        "issued_on": "2026-11-02",
                    },
                }
            ]
        }
    )

    email: EmailStr
    first_name: Name
    last_name: Name
    mobile: Mobile = Field(description="The invitee's mobile number.")
    rights: RightsList
    proof_of_power: ProofOfPowerIn | None = None


class InvitationPublic(BaseModel):
    invitation_id: str
    company_id: str
    email: str
    first_name: str
    last_name: str
    rights: list[Right]
    status: str = Field(description="pending_code, sent, accepted, expired or revoked.")
    invited_by: str
    created_at: datetime
    expires_at: datetime = Field(description="Until when the code may confirm it, or the link be followed once sent.")
    code_expires_at: datetime | None = None
    code_checks_left: int | None = None
    code_resends_left: int | None = None


class InvitationList(BaseModel):
    invitations: list[InvitationPublic]


class CodeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "042917"}]})

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")] = Field(
        description="The 6-digit code of the SMS."
    )


class AcceptanceIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "k3J9...from-the-mail"}]})

    token: str = Field(min_length=10, max_length=200, description="The token of the mailed link.")


class InvitationPreview(BaseModel):
    company_id: str
    company_name: str
    inviter_name: str
    invitee_name: str
    rights: list[Right]
    status: str
    expires_at: datetime


class Membership(BaseModel):
    company_id: str
    company_name: str
    member: MemberPublic


class AuditRecord(BaseModel):
    id: str
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    at: datetime


class AuditTrailPublic(BaseModel):
    records: list[AuditRecord]
