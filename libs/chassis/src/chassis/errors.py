"""Errors as RFC 9457 problem details (`application/problem+json`).

Routes raise `Problem` (or a subclass); validation errors and unexpected
exceptions are mapped here too, so every error body has the same shape.

A dependency that cannot be reached (MongoDB, Kafka: `DEPENDENCY_ERRORS`) is
not the caller's fault nor a bug: it answers **503** with `Retry-After`,
names the dependency, and is logged as one warning line without a traceback.
The client timeouts (`chassis.mongo.connect`) make that answer come within
about a second. Anything else unexpected is a 500, logged once with its
traceback by `ErrorLogMiddleware` (Starlette's own last-resort handler
re-raises after answering, so the server logged every such error a second
time).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Protocol

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError, RequestTimedOutError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from chassis.asgi import HttpMiddleware, RawHeaders, on_response_start

PROBLEM_JSON = "application/problem+json"
# FastAPI's answer to a body it could not read (not the JSON syntax: that is a validation error there).
FASTAPI_UNPARSABLE = "There was an error parsing the body"
log = logging.getLogger("chassis.errors")

# MongoDB unreachable: ConnectionFailure covers AutoReconnect, NetworkTimeout,
# ServerSelectionTimeoutError and WaitQueueTimeoutError.
MONGO_ERRORS: tuple[type[Exception], ...] = (ConnectionFailure,)
KAFKA_ERRORS: tuple[type[Exception], ...] = (
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)
# What "a dependency is down" means everywhere (routes, consumers, loops).
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (*MONGO_ERRORS, *KAFKA_ERRORS)
RETRY_AFTER_SECONDS = 1


def dependency_of(error: BaseException) -> str | None:
    """`"mongo"` or `"kafka"` when `error` means that dependency is unreachable, else None."""
    if isinstance(error, MONGO_ERRORS):
        return "mongo"
    if isinstance(error, KAFKA_ERRORS):
        return "kafka"
    return None


class Problem(Exception):
    """An error the caller can act on."""

    # The title is always the status's own phrase (403 "Forbidden", 404 "Not Found",
    # 422 "Unprocessable Entity"), so it never contradicts the status (issue #15): what
    # the problem is goes in `code` (the `type` URI's last segment) and `detail`.
    status: int = 400

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        if title is not None:
            # Accepted so that code written before ADR 0031 still runs; the body's title
            # is the status's phrase whatever is given here.
            warnings.warn(
                "Problem(title=...) is ignored: the title is the status's phrase (ADR 0031)",
                DeprecationWarning,
                stacklevel=2,
            )
        self.detail = detail
        if status is not None:
            self.status = status
        self.code = code
        self.errors = errors
        self.headers = headers

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://creditdesk.dev/problems/{self.code or self.status}",
            "title": _title(self.status),
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body


class NotFound(Problem):
    status = 404


class Conflict(Problem):
    status = 409


class Unauthorized(Problem):
    status = 401

    def __init__(self, detail: str, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(Problem):
    status = 403


class Unavailable(Problem):
    """A dependency is down: retry after `Retry-After` seconds. A write is one atomic
    single-document update: it happened entirely or not at all, never half."""

    status = 503

    def __init__(self, detail: str, *, retry_after: int = RETRY_AFTER_SECONDS, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(detail, **kwargs)


def invalid(detail: str, errors: Sequence[Mapping[str, str]]) -> Problem:
    """The 422 `validation` problem every route answers for a bad field: `errors` names each one."""
    return Problem(detail, status=422, code="validation", errors=[dict(e) for e in errors])


def invalid_field(field: str, message: str, detail: str | None = None) -> Problem:
    """One bad field: `<field>: <message>` unless a fuller `detail` is given."""
    return invalid(detail or f"{field}: {message}", [{"field": field, "message": message}])


def unavailable(dependency: str, retry_after: int = RETRY_AFTER_SECONDS) -> Unavailable:
    return Unavailable(
        f"{dependency} is unreachable: retry in {retry_after}s",
        code=f"{dependency}-unavailable",
        retry_after=retry_after,
    )


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        problem.body(instance), status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


MALFORMED_BODY = "malformed-body"


def malformed_body(where: str) -> Problem:
    """400 for a body that cannot be parsed at all: one answer whatever the route."""
    return Problem(
        f"the body is not valid JSON: {where}",
        status=400,
        code=MALFORMED_BODY,
        errors=[{"field": "body", "message": where}],
    )


def _json_position(error: dict[str, Any], document: Any) -> str:
    """'line 1, column 33: expecting ',' delimiter' from FastAPI's json_invalid error (loc: body, byte offset)."""
    reason = str((error.get("ctx") or {}).get("error", "invalid JSON"))
    reason = reason[:1].lower() + reason[1:]
    position = error.get("loc", ("body", 0))[-1]
    if isinstance(document, bytes):
        document = document.decode("utf-8", "replace")
    if isinstance(position, int) and isinstance(document, str):
        located = json.JSONDecodeError(reason, document, position)
        return f"line {located.lineno}, column {located.colno}: {reason}"
    return reason


class ChecksRules(Protocol):
    """A request model that can also check its domain rules on a raw body.

    When a body fails its schema, the validation handler calls the route's body
    model's `rule_errors` on what was sent (a dict, maybe incomplete or ill-typed)
    and answers the rule errors in the same 422 as the schema's (issue #15: one
    round of errors, not two). It reads only what it can, and never raises."""

    @classmethod
    def rule_errors(cls, body: dict[str, Any]) -> list[dict[str, Any]]: ...


def _rule_errors(request: Request, body: Any) -> list[dict[str, Any]]:
    """The domain-rule errors of the route's body model on the raw body, if it checks any."""
    if not isinstance(body, dict):
        return []
    dependant = getattr(request.scope.get("route"), "dependant", None)
    found: list[dict[str, Any]] = []
    for param in getattr(dependant, "body_params", ()):
        checker = getattr(param.field_info.annotation, "rule_errors", None)
        if callable(checker):
            try:
                found.extend(checker(body))
            except Exception:  # a rule check on a malformed body is best-effort, never a 500
                log.exception("rule_errors of %s failed", param.field_info.annotation)
    return found


def merge_errors(schema: list[dict[str, Any]], rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schema errors first, then the rule errors of fields the schema did not already refuse."""
    refused = {e["field"] for e in schema}
    return schema + [e for e in rules if e["field"] not in refused]


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        errors.append({"field": ".".join(location) or "body", "message": error.get("msg", "invalid")})
    return errors


def http_problem(exc: StarletteHTTPException) -> Problem:
    """The problem answering a Starlette/FastAPI `HTTPException` (e.g. `chassis.httpguard.BodyTooLarge`)."""
    if exc.status_code == 400 and exc.detail == FASTAPI_UNPARSABLE:
        return malformed_body("it cannot be read (not UTF-8 text?)")
    problem = Problem(str(exc.detail), status=exc.status_code)
    problem.headers = dict(exc.headers) if exc.headers else None
    return problem


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        unparsable = [e for e in exc.errors() if e.get("type") == "json_invalid"]
        if unparsable:
            return problem_response(malformed_body(_json_position(unparsable[0], exc.body)), request.url.path)
        errors = merge_errors(_field_errors(exc), _rule_errors(request, exc.body))
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        problem = Problem(summary, status=422, code="validation", errors=errors)
        return problem_response(problem, request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(http_problem(exc), request.url.path)

    async def on_dependency_down(request: Request, exc: Exception) -> JSONResponse:
        dependency = dependency_of(exc) or "a dependency"
        # One line, no traceback: an outage is not a bug, and it can last.
        log.warning("%s unreachable on %s %s: %s", dependency, request.method, request.url.path, _short(exc))
        return problem_response(unavailable(dependency), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for error_type in DEPENDENCY_ERRORS:
        app.add_exception_handler(error_type, on_dependency_down)
    # Innermost of the app's middlewares: the request id and metrics wrap it.
    app.add_middleware(ErrorLogMiddleware)


class ErrorLogMiddleware(HttpMiddleware):
    """The last resort: an unexpected exception is logged once, with its traceback,
    and answered 500 problem+json; it does not propagate to the server (which
    would log it again)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        def note_start(_status: int, _headers: RawHeaders) -> None:
            nonlocal started
            started = True

        try:
            await self.app(scope, receive, on_response_start(send, note_start))
        except Exception:
            await answer_unhandled(scope, receive, send, started=started)


async def answer_unhandled(scope: Scope, receive: Receive, send: Send, *, started: bool) -> None:
    """What `ErrorLogMiddleware` does with an unexpected exception (call it from `except`): log
    it once with its traceback, and answer 500 problem+json unless an answer was started."""
    path = scope.get("path", "")
    log.exception("unhandled error on %s %s", scope.get("method", ""), path)
    if started:
        return  # the answer is already on its way: nothing better to send
    problem = Problem("An unexpected error occurred; it has been logged.", status=500)
    await problem_response(problem, path)(scope, receive, send)


def _short(error: BaseException, limit: int = 200) -> str:
    """The error's type and the start of its message (PyMongo's carry a whole topology)."""
    text = str(error).splitlines()[0] if str(error) else ""
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# Statuses outside the IANA registry that we answer.
_EXTRA_PHRASES = {499: "Client Closed Request"}


def _title(status: int) -> str:
    """The status's phrase: every problem's title."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _EXTRA_PHRASES.get(status, "Error")


title_of = _title
