"""The creditor's recovery cases (seed 001): file a case with its proofs, the list of cases with
their phase, a case's timeline and its letters to download, the injunction-to-pay request once
available, and withdrawal. Every call goes to recovery's creditor routes through the gateway."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from portal.pages.recovery import field_errors, labels, parse_euros
from portal.web.context import api_of
from portal.web.forms import FormErrors
from portal.web.i18n import gettext
from portal.web.responses import download, see_other
from portal.web.session import LoggedIn
from portal.web.templating import render

router = APIRouter()

CASES = "/api/recovery/cases"
# How many invoice rows the filing form offers (a claim lists its invoices; unused rows stay blank).
INVOICE_ROWS = 3
DEBTOR_FIELDS = ("name", "first_name", "siren", "email", "phone")
ADDRESS_FIELDS = ("line1", "line2", "postcode", "city")
INVOICE_FIELDS = ("number", "issue_date", "due_date", "amount")
# The form's fields an API error can be shown next to (`invoices`: the invoices' fieldset).
FORM_FIELDS = frozenset(
    {f"debtor.{f}" for f in (*DEBTOR_FIELDS, "kind", "trader")}
    | {f"debtor.address.{f}" for f in ADDRESS_FIELDS}
    | {f"creditor_address.{f}" for f in ADDRESS_FIELDS}
    | {f"invoices.{i}.{f}" for i in range(INVOICE_ROWS) for f in INVOICE_FIELDS}
    | {"cause", "interest", "description", "documents", "invoices"}
)
# Where the creditor signs the SEPA mandate that filing needs (portal-core's onboarding).
MANDATE_PAGE = "/onboarding"


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def claim_of(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The `claim` part of the filing (recovery's `ClaimIn`) from the form's fields, and the
    errors the page finds itself (amounts it cannot read). The API judges everything else."""
    errors: dict[str, str] = {}
    kind = _text(form, "debtor.kind") or "legal"
    debtor: dict[str, Any] = {f: _text(form, f"debtor.{f}") for f in DEBTOR_FIELDS}
    debtor["kind"] = kind
    debtor["address"] = {f: _text(form, f"debtor.address.{f}") for f in ADDRESS_FIELDS}
    debtor["trader"] = _text(form, "debtor.trader") in ("yes", "on")
    if kind != "legal":
        debtor["siren"] = ""
    invoices: list[dict[str, Any]] = []
    for i in range(INVOICE_ROWS):
        row = {f: _text(form, f"invoices.{i}.{f}") for f in INVOICE_FIELDS}
        if not any(row.values()):
            continue
        amount = parse_euros(row["amount"])
        if amount is None:
            errors[f"invoices.{i}.amount"] = "amount"
        invoices.append(
            {
                "number": row["number"],
                "issue_date": row["issue_date"] or None,
                "due_date": row["due_date"] or None,
                "amount_cents": amount or 0,
            }
        )
    interest_text = _text(form, "interest")
    interest = parse_euros(interest_text) if interest_text else 0
    if interest is None:
        errors["interest"] = "amount"
    claim: dict[str, Any] = {
        "debtor": debtor,
        "cause": _text(form, "cause") or "contract",
        "invoices": invoices,
        "interest_cents": interest or 0,
        "description": _text(form, "description"),
    }
    case_id = _text(form, "case_id")
    if case_id:
        claim["case_id"] = case_id
    creditor = {f: _text(form, f"creditor_address.{f}") for f in ADDRESS_FIELDS}
    if any(creditor.values()):
        claim["creditor_address"] = creditor
    return claim, errors


def _values(form: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _new_form(
    request: Request,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    general: list[str],
    status: int = 200,
    mandate: bool = False,
) -> Response:
    return render(
        request,
        "cases/new.html",
        status=status,
        values=values,
        errors=FormErrors(dict(errors), general),
        mandate_missing=mandate,
        mandate_page=MANDATE_PAGE,
        invoice_rows=range(INVOICE_ROWS),
    )


@router.get("/cases")
async def cases(request: Request, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "GET", CASES)
    found = answer.body if answer.ok and isinstance(answer.body, list) else []
    problem = None if answer.ok else answer.problem
    return render(request, "cases/list.html", cases=found, problem=problem, **labels(request))


@router.get("/cases/new")
async def new_case(request: Request, session: LoggedIn) -> Response:
    values = {"case_id": f"c-{uuid.uuid4().hex[:20]}", "debtor.kind": "legal", "cause": "contract"}
    return _new_form(request, values, {}, [])


async def _uploads(form: FormData) -> list[tuple[str, bytes, str]]:
    files: list[tuple[str, bytes, str]] = []
    for item in form.getlist("documents"):
        if isinstance(item, UploadFile) and item.filename:
            files.append((item.filename, await item.read(), item.content_type or "application/octet-stream"))
    return files


@router.post("/cases")
async def file_case(request: Request, session: LoggedIn) -> Response:
    form = await request.form()
    values = _values(form)
    claim, local = claim_of(form)
    uploads = await _uploads(form)
    if local:
        message = gettext(request, "Enter an amount in euros, for example 1 250,00.")
        errors = {name: message for name in local}
        return _new_form(request, values, errors, [], status=422)
    answer = await api_of(request).call(
        session,
        "POST",
        CASES,
        data={"claim": json.dumps(claim)},
        files=[("documents", upload) for upload in uploads],
    )
    if answer.ok and isinstance(answer.body, dict):
        session.flash(gettext(request, "Your case has been filed."), "success")
        return see_other(f"/cases/{answer.body['case_id']}")
    problem = answer.problem
    code = problem.code if problem else None
    if code == "mandate-required":
        needed = [gettext(request, "Filing a case needs a signed SEPA direct debit mandate.")]
        return _new_form(request, values, {}, needed, status=409, mandate=True)
    found = field_errors(request, answer, [name for name, _, _ in uploads])
    errors = {name: message for name, message in found.items() if name in FORM_FIELDS}
    general = [message for name, message in found.items() if name not in FORM_FIELDS]
    if answer.status == 413:
        general.append(gettext(request, "The documents are too large together (12 MB at most)."))
    elif not errors:
        general.append(problem.detail if problem else gettext(request, "The case could not be filed."))
    return _new_form(request, values, errors, general, status=answer.status if answer.status >= 400 else 422)


async def _case(request: Request, session: Any, case_id: str) -> dict[str, Any] | None:
    answer = await api_of(request).call(session, "GET", f"{CASES}/{case_id}")
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


def _not_found(request: Request) -> Response:
    raise HTTPException(status_code=404)


@router.get("/cases/{case_id}")
async def case(request: Request, session: LoggedIn, case_id: str) -> Response:
    found = await _case(request, session, case_id)
    if found is None:
        return _not_found(request)
    return render(request, "cases/case.html", case=found, errors=FormErrors(), values={}, **labels(request))


@router.get("/cases/{case_id}/documents/{document_id}")
async def case_document(request: Request, session: LoggedIn, case_id: str, document_id: str) -> Response:
    answer = await api_of(request).call(session, "GET", f"{CASES}/{case_id}/documents/{document_id}")
    if not answer.ok:
        return _not_found(request)
    found = await _case(request, session, case_id)
    names = {d["document_id"]: d["name"] for d in (found or {}).get("documents", [])}
    return download(answer, names.get(document_id, f"{document_id}.pdf"))


@router.post("/cases/{case_id}/injunction-request")
async def injunction_request(request: Request, session: LoggedIn, case_id: str) -> Response:
    answer = await api_of(request).call(session, "POST", f"{CASES}/{case_id}/injunction-request")
    if answer.status == 404:
        return _not_found(request)
    if answer.ok:
        session.flash(gettext(request, "The injunction-to-pay request is ready to download."), "success")
    else:
        session.flash(answer.problem.detail if answer.problem else "", "error")
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/withdrawal")
async def withdraw(request: Request, session: LoggedIn, case_id: str) -> Response:
    form = await request.form()
    reason = _text(form, "reason")
    answer = await api_of(request).call(session, "POST", f"{CASES}/{case_id}/withdrawal", json={"reason": reason})
    if answer.status == 404:
        return _not_found(request)
    if answer.ok:
        session.flash(gettext(request, "The case has been withdrawn."), "success")
        return see_other(f"/cases/{case_id}")
    found = await _case(request, session, case_id)
    if found is None:
        return _not_found(request)
    errors = field_errors(request, answer)
    general = errors.pop("", None) or (answer.problem.detail if answer.problem else "")
    shown = FormErrors({"reason": errors.get("reason") or general})
    return render(
        request,
        "cases/case.html",
        status=answer.status,
        case=found,
        errors=shown,
        values={"reason": reason},
        **labels(request),
    )
