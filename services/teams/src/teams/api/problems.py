"""Every problem teams' routes answer, by code (`chassis.openapi.problems` documents
them per route). The handlers raise them with the same code and status."""

from __future__ import annotations

from chassis.openapi import UNAUTHENTICATED, VALIDATION, ErrorCode

AUTH = UNAUTHENTICATED
INVALID = VALIDATION
COMPANY_NOT_FOUND = ErrorCode("company-not-found", 404, "No such company space among the caller's")
NOT_MEMBER = ErrorCode("not-company-member", 403, "The caller is not a member of this company space")
NOT_ADMIN = ErrorCode("not-company-admin", 403, "A member, but not an admin of the company")
MEMBER_NOT_FOUND = ErrorCode("member-not-found", 404, "No such member in this company space")
RIGHTS_FIXED = ErrorCode("admin-rights-fixed", 409, "An admin holds every right: their rights are fixed")
LAST_ADMIN = ErrorCode("last-admin", 409, "A company space keeps at least one admin")
ALREADY_ADMIN = ErrorCode("already-admin", 409, "This member is already an admin")
NOT_AN_ADMIN = ErrorCode("not-an-admin", 409, "This member is not an admin")
CONCURRENT = ErrorCode("concurrent-change", 409, "The company space is being changed by someone else: try again")
PROOF_REQUIRED = ErrorCode("proof-of-power-required", 422, "Rights 5/6 or an admin need a proof of power")
ALREADY_MEMBER = ErrorCode("already-member", 409, "Already a member of this company space")
SMS_NOT_SENT = ErrorCode("sms-not-sent", 503, "The SMS with the code could not be sent: ask for a new code")
INVITATION_NOT_FOUND = ErrorCode("invitation-not-found", 404, "No such invitation in this company space")
NOT_THE_INVITER = ErrorCode("not-the-inviter", 403, "Only the admin who invited confirms the code")
CODE_INVALID = ErrorCode("code-invalid", 400, "Wrong code")
NOT_AWAITING_CODE = ErrorCode("invitation-not-awaiting-code", 409, "The invitation does not wait for a code")
INVITATION_CHANGED = ErrorCode("invitation-changed", 409, "The invitation changed meanwhile: look again")
CODE_EXPIRED = ErrorCode("code-expired", 410, "The code expired: ask for a new one")
INVITATION_EXPIRED = ErrorCode("invitation-expired", 410, "The invitation expired: invite the person again")
CODE_LOCKED = ErrorCode("code-locked", 429, "Too many wrong codes: ask for a new one")
RESENDS_EXHAUSTED = ErrorCode("code-resends-exhausted", 429, "No more codes for this invitation")
INVITATION_CLOSED = ErrorCode("invitation-closed", 409, "Already accepted, revoked or expired")
LINK_INVALID = ErrorCode("invitation-link-invalid", 400, "Invalid or already used invitation link")
OTHER_EMAIL = ErrorCode("invitation-for-another-email", 403, "Logged in with another email than the invited one")
SUPPORT_ONLY = ErrorCode("support-only", 403, "The caller is not support staff")
NOT_SYNCHRONISED = ErrorCode("account-not-synchronised", 409, "The caller's activation has not reached teams yet")
NOT_THE_COMPANY = ErrorCode("not-the-company-account", 403, "The caller is not the legal person with this SIREN")
SPACE_EXISTS = ErrorCode("company-space-exists", 409, "The company space already exists")
UNDER_REVIEW = ErrorCode("claim-under-review", 409, "A claim of this company space is under review")
CLAIM_NOT_FOUND = ErrorCode("claim-not-found", 404, "No such claim")
CLAIM_CLOSED = ErrorCode("claim-closed", 409, "The claim is not pending any more (or was rejected)")

# What any step of the inviter on an invitation waiting for its code can refuse (the handlers'
# `_own_invitation` and the code-state checks that follow it): confirm and resend share them.
AWAITING_CODE = (
    NOT_THE_INVITER,
    NOT_ADMIN,
    COMPANY_NOT_FOUND,
    INVITATION_NOT_FOUND,
    NOT_AWAITING_CODE,
    INVITATION_CHANGED,
)
