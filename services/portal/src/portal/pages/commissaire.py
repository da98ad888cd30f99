"""The commissaire de justice's desk: the cases assigned to the office to accept or refuse, a
case in full with its proofs and letters, the debtor's answer (and a paper answer to record),
payments, the agreement with its enforceable title; and the activation of a commissaire's account
(identity's invitation mail links to `/commissaire-activation#token=...`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from portal.pages.recovery import field_errors, labels, parse_euros, refusal
from portal.ports import ApiAnswer, Session
from portal.web.context import api_of
from portal.web.forms import FormErrors, form_values
from portal.web.i18n import gettext
from portal.web.responses import download, see_other
from portal.web.session import LoggedIn, SessionDep
from portal.web.templating import render

router = APIRouter()

OFFICE = "/api/recovery/office/cases"
ACTIVATION = "/api/identity/commissaires/activation"
# The phases in which the office acts on an accepted case (recovery's `WITH_OFFICE`).
WITH_OFFICE = ("accepted", "amicable", "simplified", "debtor_accepted", "injunction_available")
FINAL = ("returned", "settled", "closed")


def _require_commissaire(session: Session) -> None:
    if not session.has_role("commissaire"):
        raise HTTPException(status_code=403)


def _not_found() -> NoReturn:
    raise HTTPException(status_code=404)


@router.get("/office")
async def desk(request: Request, session: LoggedIn) -> Response:
    _require_commissaire(session)
    answer = await api_of(request).call(session, "GET", OFFICE)
    found = answer.body if answer.ok and isinstance(answer.body, list) else []
    waiting = [c for c in found if c.get("phase") == "assigned"]
    accepted = [c for c in found if c.get("phase") != "assigned"]
    problem = None if answer.ok else answer.problem
    return render(
        request, "commissaire/desk.html", waiting=waiting, accepted=accepted, problem=problem, **labels(request)
    )


async def _case(request: Request, session: Session, case_id: str) -> dict[str, Any]:
    answer = await api_of(request).call(session, "GET", f"{OFFICE}/{case_id}")
    if not answer.ok or not isinstance(answer.body, dict):
        _not_found()
    return answer.body


async def _page(
    request: Request,
    session: Session,
    case_id: str,
    *,
    form: str = "",
    errors: FormErrors | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    case = await _case(request, session, case_id)
    return render(
        request,
        "commissaire/case.html",
        status=status,
        case=case,
        form=form,
        errors=errors or FormErrors(),
        values=values or {},
        with_office=case["phase"] in WITH_OFFICE,
        open_case=case["phase"] not in FINAL,
        **labels(request),
    )


@router.get("/office/cases/{case_id}")
async def office_case(request: Request, session: LoggedIn, case_id: str) -> Response:
    _require_commissaire(session)
    return await _page(request, session, case_id)


@router.get("/office/cases/{case_id}/documents/{document_id}")
async def office_document(request: Request, session: LoggedIn, case_id: str, document_id: str) -> Response:
    _require_commissaire(session)
    answer = await api_of(request).call(session, "GET", f"{OFFICE}/{case_id}/documents/{document_id}")
    if not answer.ok:
        _not_found()
    case = await _case(request, session, case_id)
    names = {d["document_id"]: d["name"] for d in case.get("documents", [])}
    return download(answer, names.get(document_id, f"{document_id}.pdf"))


async def _act(
    request: Request,
    session: Session,
    case_id: str,
    action: str,
    body: dict[str, Any] | None,
    *,
    form: str,
    values: Mapping[str, str],
    done: str,
    local: FormErrors | None = None,
) -> Response:
    """POST one of the office's actions; on success back to the case (or the desk) with a
    message, on a refusal the case again with the errors next to the form's fields."""
    if local:
        return await _page(request, session, case_id, form=form, errors=local, values=values, status=422)
    answer = await api_of(request).call(session, "POST", f"{OFFICE}/{case_id}/{action}", json=body)
    if answer.status == 404:
        _not_found()
    if answer.ok:
        session.flash(done, "success")
        target = "/office" if action == "refusal" else f"/office/cases/{case_id}"
        return see_other(target)
    errors = _errors(request, answer, values, form)
    return await _page(request, session, case_id, form=form, errors=errors, values=values, status=answer.status)


# The API's field -> the form's, where two forms of the case page would share a name.
RENAMED: dict[str, dict[str, str]] = {
    "payment": {"reference": "payment_reference", "amount": "payment_amount"},
    "agreement": {"amount": "agreed_amount"},
}
# A refusal of the case's rules (the problem's `code`, no field named) -> the form's field it is about.
CODE_FIELDS: dict[str, dict[str, str]] = {
    "decision": {"reason-required": "reason", "control-characters": "reason", "too-long": "reason"},
    "answer": {"amount-above-balance": "proposed_amount", "amount-not-positive": "proposed_amount"},
    "payment": {
        "amount-above-balance": "payment_amount",
        "amount-not-positive": "payment_amount",
        "reference-required": "payment_reference",
    },
    "agreement": {
        "amount-above-balance": "agreed_amount",
        "amount-not-positive": "agreed_amount",
        "title-date-in-future": "title_date",
        "title-number-required": "title_number",
    },
}


def _errors(request: Request, answer: ApiAnswer, values: Mapping[str, str], form: str) -> FormErrors:
    """The refusal next to the field it is about: a field the API names, else the field the
    problem's code is about on this form, else above the form."""
    renamed = RENAMED.get(form, {})
    fields = {renamed.get(k, k): v for k, v in field_errors(request, answer).items()}
    fields.pop("", None)
    code = answer.problem.code if answer.problem else None
    coded = CODE_FIELDS.get(form, {}).get(code or "")
    known = {k: v for k, v in fields.items() if k in values}
    general = [v for k, v in fields.items() if k not in values]
    if coded and coded not in known:
        known[coded] = refusal(request, answer)
    elif not known and not general:
        general.append(refusal(request, answer))
    return FormErrors(known, general)


@router.post("/office/cases/{case_id}/acceptance")
async def accept(request: Request, session: LoggedIn, case_id: str) -> Response:
    _require_commissaire(session)
    done = gettext(request, "Case accepted: the plain letter and the email go to the debtor.")
    return await _act(request, session, case_id, "acceptance", None, form="decision", values={}, done=done)


@router.post("/office/cases/{case_id}/refusal")
async def refuse(request: Request, session: LoggedIn, case_id: str) -> Response:
    _require_commissaire(session)
    values = form_values(await request.form(), "reason")
    done = gettext(request, "Case refused: it goes to the next competent office.")
    return await _act(request, session, case_id, "refusal", values, form="decision", values=values, done=done)


def _amount(values: Mapping[str, str], name: str, request: Request, local: FormErrors) -> int | None:
    text = values.get(name, "")
    if not text:
        return None
    cents = parse_euros(text)
    if cents is None:
        local.add(name, gettext(request, "Enter an amount in euros, for example 1 250,00."))
    return cents


@router.post("/office/cases/{case_id}/debtor-answer")
async def paper_answer(request: Request, session: LoggedIn, case_id: str) -> Response:
    _require_commissaire(session)
    values = form_values(await request.form(), "answer", "proposed_amount", "proposed_terms")
    local = FormErrors()
    body: dict[str, Any] = {"answer": values["answer"] or "refused"}
    if body["answer"] == "accepted":
        body["proposed_amount_cents"] = _amount(values, "proposed_amount", request, local)
        body["proposed_terms"] = values["proposed_terms"]
    done = gettext(request, "The debtor's answer has been recorded.")
    return await _act(
        request, session, case_id, "debtor-answer", body, form="answer", values=values, done=done, local=local
    )


@router.post("/office/cases/{case_id}/payments")
async def payment(request: Request, session: LoggedIn, case_id: str) -> Response:
    _require_commissaire(session)
    values = form_values(await request.form(), "payment_reference", "payment_amount")
    local = FormErrors()
    amount = _amount(values, "payment_amount", request, local)
    if amount is None and not local:
        local.add("payment_amount", gettext(request, "Enter an amount in euros, for example 1 250,00."))
    body = {"reference": values["payment_reference"], "amount_cents": amount or 0}
    done = gettext(request, "The payment has been recorded.")
    return await _act(
        request, session, case_id, "payments", body, form="payment", values=values, done=done, local=local
    )


@router.post("/office/cases/{case_id}/agreement")
async def agreement(request: Request, session: LoggedIn, case_id: str) -> Response:
    _require_commissaire(session)
    values = form_values(await request.form(), "agreed_amount", "payment_terms", "title_number", "title_date")
    local = FormErrors()
    amount = _amount(values, "agreed_amount", request, local)
    if amount is None and not local:
        local.add("agreed_amount", gettext(request, "Enter an amount in euros, for example 1 250,00."))
    body = {
        "amount_cents": amount or 0,
        "payment_terms": values["payment_terms"],
        "title_number": values["title_number"],
        "title_date": values["title_date"] or None,
    }
    done = gettext(request, "The agreement and the enforceable title have been recorded: the case is closed.")
    return await _act(
        request, session, case_id, "agreement", body, form="agreement", values=values, done=done, local=local
    )


# --- The commissaire's account activation (identity's invitation mail) ---


@router.get("/commissaire-activation")
async def activation_page(request: Request, session: SessionDep) -> Response:
    return render(request, "commissaire/activation.html", errors=FormErrors(), done=False)


@router.post("/commissaire-activation")
async def activate(request: Request, session: SessionDep) -> Response:
    form = await request.form()
    values = form_values(form, "token", "password", "password_confirmation")
    if not values["token"]:
        errors = FormErrors.of(token=gettext(request, "Paste the activation code from the email."))
        return render(request, "commissaire/activation.html", status=422, errors=errors, done=False)
    answer = await api_of(request).call(None, "POST", ACTIVATION, json=values)
    if answer.ok:
        return render(request, "commissaire/activation.html", errors=FormErrors(), done=True)
    if answer.problem is not None and answer.problem.code == "invitation-invalid":
        return render(request, "commissaire/activation.html", status=answer.status, errors=FormErrors(), invalid=True)
    fields = field_errors(request, answer)
    known = {k: v for k, v in fields.items() if k in ("password", "password_confirmation")}
    general = [v for k, v in fields.items() if k not in known]
    if not fields and answer.problem is not None:
        general.append(answer.problem.detail)
    errors = FormErrors(known, general)
    return render(
        request, "commissaire/activation.html", status=answer.status, errors=errors, done=False, token=values["token"]
    )
