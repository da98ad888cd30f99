"""Every problem ratings' routes answer, by code (`chassis.openapi.problems` documents them per
route). `api/errors.py` maps the handlers' errors to these codes and statuses; the routes raise
the others themselves."""

from __future__ import annotations

from chassis.openapi import UNAUTHENTICATED, ErrorCode

AUTH = UNAUTHENTICATED

# Rule failures (`RuleViolations`, and the body's own validation): every problem in `errors`.
INVALID = ErrorCode("validation", 422, "A field or rule is broken: `errors` lists each one, with its field and code")
INVALID_COMPANY = ErrorCode(
    "validation", 422, "Unknown country, or a registration number its register refuses (`errors` says which)"
)

# The caller's provider account.
NO_PROVIDER_ACCOUNT = ErrorCode(
    "no-provider-account", 409, "No provider account connected: the detail says how to connect one"
)
NO_ACCOUNT_TO_SHOW = ErrorCode("no-provider-account", 404, "No provider account connected")
CREDENTIALS_REFUSED = ErrorCode(
    "provider-credentials-refused", 422, "The provider refused the username and password (given, or stored)"
)

# The credit provider.
UNKNOWN_COMPANY = ErrorCode("unknown-company", 404, "The provider knows no such company")
PROVIDER_UNAVAILABLE = ErrorCode(
    "provider-unavailable", 503, "The provider is down, slow or rate-limits us: retry after `Retry-After`"
)
PROVIDER_ERROR = ErrorCode("provider-error", 502, "The provider refused the call or answered what cannot be read")
PROVIDER = (PROVIDER_UNAVAILABLE, PROVIDER_ERROR, CREDENTIALS_REFUSED)
STALE_COMPANY = ErrorCode("stale", 409, "The company's file kept changing while it was stored: try again")

# Portfolios and their checks.
UNKNOWN_PORTFOLIO = ErrorCode("unknown-portfolio", 404, "No such portfolio, or not one the caller may see")
NOT_OWNER = ErrorCode("not-owner", 403, "The portfolio is shared with the caller: only its owner may change it")
STALE_PORTFOLIO = ErrorCode("stale", 409, "The portfolio changed meanwhile: reload it and try again")
PORTFOLIO_EXISTS = ErrorCode("exists", 409, "A portfolio with the new id exists already: try again")
UNKNOWN_CHECK = ErrorCode("unknown-check", 404, "No such check of this portfolio")

# The CSV import.
CSV_TOO_LARGE = ErrorCode("too-large", 413, "The CSV is larger than 2 MB")
CSV_MEDIA_TYPE = ErrorCode("unsupported-media-type", 415, "The body is not text/csv (or text/plain)")
CSV_NOT_UTF8 = ErrorCode("not-utf8", 415, "The CSV is not UTF-8 text")
CSV_HEADER = ErrorCode(
    "validation", 422, "The header names no `country` or `registration_number`, or the portfolio would be full"
)

# Support's legacy imports.
SUPPORT_ONLY = ErrorCode("support-only", 403, "The caller has not the support role")
LEGACY_ATTACHED = ErrorCode("legacy-attached", 409, "The legacy account migrated: its portfolios are attached")
UNKNOWN_LEGACY_IMPORT = ErrorCode("unknown-legacy-import", 404, "No import for this legacy id")
