"""The domain's refusals as problem+json (chassis.errors), one mapping for every route.

- `ClaimRefused` (the claim's and the proofs' rules): 422, every failed rule in `errors` with its
  field, code, message and source (the ceiling names CPCE R125-1).
- `CaseError`: 409 when the case's phase forbids the command now (`illegal-transition`, `not-due`,
  `answer-too-late`, `already-answered`, `case-id-taken`) or no signed mandate (`mandate-required`,
  saying where to sign), 403 `missing-right` (filing for a company without right 3), 410
  `link-invalid` (the debtor's link is unknown, expired or used), 404 for `not-your-case` (an office or a
  creditor reading or acting on someone else's case learns nothing about it: the same answer as an
  unknown id), 422 for a bad value (`amount-above-balance`, `reason-required`, ...).
- `CaseNotFound`: 404.

Below, every code a route answers as an `ErrorCode` (code, status, when): each route declares its own
with `responses=chassis.openapi.problems(...)`.
"""

from __future__ import annotations

from chassis.errors import NotFound, Problem
from chassis.openapi import UNAUTHENTICATED, ErrorCode
from recovery.domain.cases import CaseError, MandateRequired
from recovery.domain.claims import ClaimRefused

CONFLICTS = frozenset(
    {"illegal-transition", "not-due", "answer-too-late", "already-answered", "case-id-taken", "mandate-required"}
)
STATUS = {"missing-right": 403, "link-invalid": 410}


def no_such_case(case_id: str) -> NotFound:
    return NotFound(f"no case {case_id}", code="case-not-found")


def claim_refused(refused: ClaimRefused) -> Problem:
    errors: list[dict[str, str]] = []
    for v in refused.violations:
        error: dict[str, str] = {"field": v.field, "code": v.code, "message": v.message_en, "message_fr": v.message_fr}
        if v.source:
            error["source"] = v.source
        errors.append(error)
    codes = {v.code for v in refused.violations}
    code = next(iter(codes)) if len(codes) == 1 else "claim-refused"
    detail = "; ".join(
        f"{v.field}: {v.message_en}" + (f" ({v.source})" if v.source else "") for v in refused.violations
    )
    return Problem(detail, status=422, code=code, errors=errors)


def case_refused(error: CaseError, case_id: str) -> Problem:
    if error.code == "not-your-case":
        return no_such_case(case_id)
    status = STATUS.get(error.code) or (409 if error.code in CONFLICTS else 422)
    errors: list[dict[str, str]] | None = None
    if isinstance(error, MandateRequired):
        errors = [{"field": "mandate", "code": error.code, "message": f"sign a SEPA mandate at {error.where}"}]
    elif status == 422:
        errors = [{"field": "body", "code": error.code, "message": error.detail}]
    return Problem(error.detail, status=status, code=error.code, errors=errors)


# --- What each route documents (`chassis.openapi.problems`): every code above, with its status. ---

AUTH = UNAUTHENTICATED

# Not found: an unknown id and someone else's case get the same answer (ids cannot be probed).
CASE_NOT_FOUND = ErrorCode(
    "case-not-found", 404, "No such case, or not yours (the same answer, so that case ids cannot be probed)"
)
OFFICE_CASE_NOT_FOUND = ErrorCode("case-not-found", 404, "No such case, or not your office's (the same answer)")
DOCUMENT_NOT_FOUND = ErrorCode("document-not-found", 404, "No such document in this case")

# Who may call.
FILING_RIGHT = ErrorCode(
    "missing-right", 403, "Filing for a company without its right handle_company_requests (right 3)"
)
LISTING_RIGHT = ErrorCode("missing-right", 403, "`company_id` given without its right handle_company_requests")
COMMISSAIRE_ONLY = ErrorCode(
    "commissaire-only", 403, "The caller is not a commissaire de justice bound to an office (role and `office_id`)"
)
LINK_INVALID = ErrorCode(
    "link-invalid", 410, "The link is unknown, used (the answer is recorded), or expired with its procedure"
)

# The case's phase forbids the command now.
MANDATE_REQUIRED = ErrorCode(
    "mandate-required", 409, "No signed SEPA mandate: sign one at POST /api/billing/profiles/me/mandate"
)
CASE_ID_TAKEN = ErrorCode("case-id-taken", 409, "The case id chosen is someone else's case: file without it")
CASE_OVER = ErrorCode("illegal-transition", 409, "The case is over already")
INJUNCTION_NOT_AVAILABLE = ErrorCode(
    "illegal-transition", 409, "The injunction is not available (yet): the simplified procedure has not failed"
)
NOT_AWAITING_OFFICE = ErrorCode("illegal-transition", 409, "The case is not waiting for this office's answer")
NOT_ACCEPTED = ErrorCode("illegal-transition", 409, "The office has not accepted the case, or it is over")
NOT_OPEN_TO_ANSWER = ErrorCode(
    "illegal-transition", 409, "Not in the simplified procedure, or answered already: no answer is open"
)
ANSWER_TOO_LATE = ErrorCode("answer-too-late", 409, "The month to answer has passed: no answer counts as refusal")

# A value the case refuses (422, the field in `errors`).
AMOUNT_ABOVE_BALANCE = ErrorCode("amount-above-balance", 422, "The amount is above the case's balance")
REASON_REQUIRED = ErrorCode("reason-required", 422, "The reason is blank")
REFERENCE_REQUIRED = ErrorCode("reference-required", 422, "The payment's reference is blank")
TERMS_REQUIRED = ErrorCode("payment-terms-required", 422, "The payment terms are blank")
TITLE_NUMBER_REQUIRED = ErrorCode("title-number-required", 422, "The enforceable title's number is blank")
TITLE_IN_FUTURE = ErrorCode("title-date-in-future", 422, "The enforceable title is dated after today")
CREDITOR_UNKNOWN = ErrorCode(
    "creditor-unknown", 422, "The creditor's account is not known to recovery yet (identity's event pending)"
)
CREDITOR_ADDRESS_UNKNOWN = ErrorCode(
    "creditor-address-unknown", 422, "The creditor's postal address is unknown: no document can show it"
)
OFFICE_UNKNOWN = ErrorCode("office-unknown", 422, "The case's office is no longer in the directory")
PAPER = (CREDITOR_UNKNOWN, CREDITOR_ADDRESS_UNKNOWN, OFFICE_UNKNOWN)

# The claim's rules (`ClaimRefused`): one code when one rule failed, else `claim-refused`; `errors`
# lists each failed rule with its field, code, message and source.
CLAIM_RULES: tuple[ErrorCode, ...] = tuple(
    ErrorCode(code, 422, when)
    for code, when in (
        ("claim-refused", "Several rules failed: `errors` lists each, with its field, code and source"),
        ("ceiling-exceeded", "Principal plus interest above 5,000.00 EUR (CPCE R125-1)"),
        ("invoice-not-due", "An invoice is not past due yet (CPCE L125-1)"),
        ("cause-not-covered", "The cause is neither a contract nor a statutory obligation (CPCE L125-1)"),
        ("required", "A required field is blank (the creditor's address when identity has none)"),
        ("debtor-kind-invalid", "The debtor is neither a natural nor a legal person"),
        ("siren-required", "A legal person without SIREN"),
        ("siren-invalid", "The SIREN is not 9 digits with a valid Luhn key"),
        ("address-outside-france", "The address is not in France"),
        ("postcode-invalid", "The postcode is not 5 digits of a French department"),
        ("email-invalid", "The debtor's email is invalid"),
        ("phone-invalid", "The debtor's phone number is invalid"),
        ("control-characters", "A text holds control characters"),
        ("too-long", "A text is too long"),
        ("invoice-required", "No invoice"),
        ("invoice-number-duplicate", "Two invoices with the same number"),
        ("amount-not-positive", "An invoice of no or negative amount"),
        ("invoice-issued-after-due", "An invoice issued after its due date"),
        ("invoice-issued-in-future", "An invoice issued after today"),
        ("interest-negative", "Negative interest"),
        ("proof-required", "No proof document"),
        ("too-many-documents", "More than 20 proof documents"),
        ("document-empty", "An empty proof document"),
        ("document-too-large", "A proof document above 10 MiB"),
        ("document-type-not-allowed", "A proof that is not a PDF, JPEG or PNG (judged by content)"),
        ("document-name-invalid", "A proof's file name is invalid"),
    )
)
