"""Every problem identity's routes answer, by code (`chassis.openapi.problems` documents
them per route). The handlers raise them with the same code and status."""

from __future__ import annotations

from chassis.openapi import RATE_LIMITED, UNAUTHENTICATED, VALIDATION, ErrorCode

AUTH = UNAUTHENTICATED
LIMITED = RATE_LIMITED
REFUSED = VALIDATION  # registration and password rules: one entry per field and rule
ACTIVATION_INVALID = ErrorCode("activation-token-invalid", 400, "Invalid, used or expired activation link")
RECOVERY_INVALID = ErrorCode("recovery-token-invalid", 400, "Invalid, used or expired password-reset link")
FIRST_CONNECTION_INVALID = ErrorCode("first-connection-token-invalid", 400, "Invalid, used or expired link")
TICKET_INVALID = ErrorCode("migration-ticket-invalid", 400, "Invalid or expired migration ticket")
ACCESS_EXISTS = ErrorCode("access-exists", 409, "An access already exists for this email")
INVALID_CREDENTIALS = ErrorCode("invalid-credentials", 401, "Wrong email or password")
NOT_ACTIVATED = ErrorCode("account-not-activated", 403, "The account is not activated yet")
MIGRATION_REQUIRED = ErrorCode("legacy-migration-required", 409, "Former-portal credentials: migrate first")
ALREADY_MIGRATED = ErrorCode("legacy-already-migrated", 409, "This former-portal account is already migrated")
LOCKED = ErrorCode("login-locked", 429, "Locked after repeated failures: retry after `Retry-After`")
REFRESH_INVALID = ErrorCode("refresh-token-invalid", 401, "Invalid, expired or revoked refresh token")
REFRESH_REUSED = ErrorCode("refresh-token-reused", 401, "A refresh token used twice: the session is revoked")
NO_LEGACY_MAILBOX = ErrorCode("no-legacy-mailbox", 404, "Not a migrated account: no former-portal mailbox")
NOT_A_USER = ErrorCode("not-a-user", 403, "An API client cannot register API clients")
NOT_A_CREDITOR = ErrorCode("not-a-creditor", 403, "Only an active creditor account registers API clients")
CLIENT_NOT_FOUND = ErrorCode("client-not-found", 404, "No live API client of the caller's with this id")
INVALID_REQUEST = ErrorCode("invalid_request", 400, "A missing client id or secret, or an unreadable body")
UNSUPPORTED_GRANT = ErrorCode("unsupported_grant_type", 400, "grant_type must be client_credentials")
INVALID_CLIENT = ErrorCode("invalid_client", 401, "Invalid client id or secret, revoked client or inactive creditor")
NOT_A_FORM = ErrorCode("invalid_request", 415, "Neither a form nor JSON")
SUPPORT_ONLY = ErrorCode("support-only", 403, "The caller is not support staff")
SELF_CHANGE = ErrorCode("support-self-change", 403, "Support staff cannot change their own account")
ACCOUNT_NOT_FOUND = ErrorCode("account-not-found", 404, "No such account")

# The in-app mailbox and commissaire accounts.
NOT_A_PERSON = ErrorCode("not-a-user", 403, "An API client's token has no mailbox: log in as the user")
MESSAGE_NOT_FOUND = ErrorCode("message-not-found", 404, "No such message in the caller's mailbox")
EMAIL_TAKEN = ErrorCode("email-taken", 409, "An account already has this email")
COMMISSAIRE_NOT_FOUND = ErrorCode("commissaire-not-found", 404, "No commissaire account has this id")
COMMISSAIRE_ACTIVE = ErrorCode("commissaire-active", 409, "The commissaire has already activated the account")
COMMISSAIRE_LINK_INVALID = ErrorCode("invitation-invalid", 400, "Invalid, used or expired activation link")
