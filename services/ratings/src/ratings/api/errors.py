"""Ratings' errors as problem+json: domain rule failures (422, each field), unknown things (404),
conflicts (409: stale edit, no provider account), the provider's troubles (503 + Retry-After)."""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from chassis.errors import Problem, problem_response
from ratings.domain.errors import RuleViolations
from ratings.handlers.base import NoProviderAccount, NotOwner
from ratings.handlers.legacy_portfolios import AlreadyAttached
from ratings.ports import (
    AlreadyExists,
    CompanyUnknown,
    InvalidCredentials,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    StaleWrite,
)


def as_problem(error: Exception) -> Problem:
    if isinstance(error, RuleViolations):
        return Problem(
            str(error),
            status=422,
            code="validation",
            errors=[{"field": v.field, "code": v.code, "message": v.message} for v in error.violations],
        )
    if isinstance(error, NotFound):
        return Problem(str(error), status=404, code=f"unknown-{error.what}")
    if isinstance(error, CompanyUnknown):
        return Problem(f"the provider knows no company {error}", status=404, code="unknown-company")
    if isinstance(error, NoProviderAccount):
        return Problem(str(error), status=409, code="no-provider-account")
    if isinstance(error, StaleWrite):
        return Problem(f"{error} changed meanwhile: reload it and try again", status=409, code="stale")
    if isinstance(error, AlreadyExists):
        return Problem(f"{error} exists already", status=409, code="exists")
    if isinstance(error, AlreadyAttached):
        return Problem(str(error), status=409, code="legacy-attached")
    if isinstance(error, NotOwner):
        return Problem(str(error), status=403, code="not-owner")
    if isinstance(error, InvalidCredentials):
        return Problem(
            "the provider refused this username and password",
            status=422,
            code="provider-credentials-refused",
            errors=[{"field": "password", "code": "refused", "message": "the provider refused these credentials"}],
        )
    if isinstance(error, ProviderUnavailable):
        retry = max(1, math.ceil(error.retry_after_s or 5))
        return Problem(
            f"the credit provider is unavailable ({error}): retry in {retry}s",
            status=503,
            code="provider-unavailable",
            headers={"Retry-After": str(retry)},
        )
    assert isinstance(error, ProviderError)
    return Problem(f"the credit provider failed: {error}", status=502, code="provider-error")


HANDLED: tuple[type[Exception], ...] = (
    RuleViolations,
    NotFound,
    NoProviderAccount,
    StaleWrite,
    AlreadyExists,
    AlreadyAttached,
    NotOwner,
    ProviderError,
)


def install(app: FastAPI) -> None:
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(as_problem(exc), request.url.path)

    for error_type in HANDLED:
        app.add_exception_handler(error_type, on_error)
