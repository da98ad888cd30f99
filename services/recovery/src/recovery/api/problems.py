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
"""

from __future__ import annotations

from typing import Any

from chassis.errors import NotFound, Problem
from recovery.domain.cases import CaseError, MandateRequired
from recovery.domain.claims import ClaimRefused

CONFLICTS = frozenset(
    {"illegal-transition", "not-due", "answer-too-late", "already-answered", "case-id-taken", "mandate-required"}
)
STATUS = {"missing-right": 403, "link-invalid": 410}


def no_such_case(case_id: str) -> NotFound:
    return NotFound(f"no case {case_id}", code="case-not-found")


def claim_refused(refused: ClaimRefused) -> Problem:
    errors: list[dict[str, Any]] = []
    for v in refused.violations:
        error: dict[str, Any] = {"field": v.field, "code": v.code, "message": v.message_en, "message_fr": v.message_fr}
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
    errors: list[dict[str, Any]] | None = None
    if isinstance(error, MandateRequired):
        errors = [{"field": "mandate", "code": error.code, "message": f"sign a SEPA mandate at {error.where}"}]
    elif status == 422:
        errors = [{"field": "body", "code": error.code, "message": error.detail}]
    return Problem(error.detail, status=status, code=error.code, errors=errors)
