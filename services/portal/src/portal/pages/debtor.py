"""The debtor space: no account, the single-use link of the letter and the email
(`/debtor-space#token=...`). The token is read from the fragment by portal.js into the form (or
pasted) and travels only in POST bodies, to the portal and from it to recovery's debtor routes:
never in a URL a server or a log sees. The claim, its documents, accept or refuse once; a link
used, unknown or expired gets one message (recovery answers one 410 whatever the reason)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.pages.recovery import field_errors, labels, parse_euros, refusal
from portal.ports import ApiAnswer
from portal.web.context import api_of
from portal.web.forms import FormErrors, form_values
from portal.web.i18n import gettext
from portal.web.responses import download
from portal.web.session import SessionDep
from portal.web.templating import render

router = APIRouter()

SPACE = "/api/recovery/debtor-space"
# The debtor answers the simplified procedure (after the registered letter); before it the
# space shows the claim, its documents, and how to pay or reach the commissaire.
ANSWERABLE = "simplified"


def _link_gone(request: Request) -> Response:
    return render(request, "debtor/link_gone.html", status=410)


async def _claim(request: Request, token: str) -> ApiAnswer:
    return await api_of(request).call(None, "POST", f"{SPACE}/claim", json={"token": token})


def _claim_page(
    request: Request,
    claim: dict[str, Any],
    token: str,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "debtor/claim.html",
        status=status,
        claim=claim,
        token=token,
        answerable=claim.get("phase") == ANSWERABLE and claim.get("answer") is None,
        errors=errors or FormErrors(),
        values=values or {},
        **labels(request),
    )


@router.get("/debtor-space")
async def landing(request: Request, session: SessionDep) -> Response:
    return render(request, "debtor/landing.html", errors=FormErrors())


@router.post("/debtor-space")
async def open_claim(request: Request, session: SessionDep) -> Response:
    token = form_values(await request.form(), "token")["token"]
    if not token:
        errors = FormErrors.of(token=gettext(request, "Paste the access code from your letter or email."))
        return render(request, "debtor/landing.html", status=422, errors=errors)
    answer = await _claim(request, token)
    if answer.status == 410:
        return _link_gone(request)
    if not answer.ok or not isinstance(answer.body, dict):
        errors = FormErrors.of(token=answer.problem.detail if answer.problem else "")
        return render(request, "debtor/landing.html", status=answer.status, errors=errors)
    return _claim_page(request, answer.body, token)


@router.post("/debtor-space/document")
async def document(request: Request, session: SessionDep) -> Response:
    values = form_values(await request.form(), "token", "document_id", "name")
    body = {"token": values["token"], "document_id": values["document_id"]}
    answer = await api_of(request).call(None, "POST", f"{SPACE}/documents", json=body)
    if answer.status == 410:
        return _link_gone(request)
    if not answer.ok:
        return render(request, "debtor/link_gone.html", status=answer.status, missing=True)
    return download(answer, values["name"] or f"{values['document_id']}.pdf")


@router.post("/debtor-space/answer")
async def answer(request: Request, session: SessionDep) -> Response:
    values = form_values(await request.form(), "token", "answer", "proposed_amount", "proposed_terms")
    token = values["token"]
    body: dict[str, Any] = {"token": token, "answer": values["answer"]}
    local = FormErrors()
    if values["answer"] == "accepted":
        if values["proposed_amount"]:
            cents = parse_euros(values["proposed_amount"])
            if cents is None:
                local.add("proposed_amount", gettext(request, "Enter an amount in euros, for example 1 250,00."))
            body["proposed_amount_cents"] = cents
        body["proposed_terms"] = values["proposed_terms"]
    elif values["answer"] != "refused":
        local.add("answer", gettext(request, "Choose whether you accept or refuse."))
    recorded = None if local else await api_of(request).call(None, "POST", f"{SPACE}/answer", json=body)
    if recorded is not None and recorded.status == 410:
        return _link_gone(request)
    if recorded is not None and recorded.ok and isinstance(recorded.body, dict):
        return render(request, "debtor/answered.html", claim=recorded.body, **labels(request))
    claim = await _claim(request, token)
    if claim.status == 410:
        return _link_gone(request)
    if not claim.ok or not isinstance(claim.body, dict):
        return _link_gone(request)
    errors = local or _answer_errors(request, recorded)
    return _claim_page(
        request, claim.body, token, errors=errors, values=values, status=422 if local else _status(recorded)
    )


def _status(answer: ApiAnswer | None) -> int:
    return answer.status if answer is not None else 422


def _answer_errors(request: Request, answer: ApiAnswer | None) -> FormErrors:
    if answer is None:
        return FormErrors()
    fields = field_errors(request, answer)
    known = {k: v for k, v in fields.items() if k in ("answer", "proposed_amount", "proposed_terms")}
    fields.pop("", None)
    general = [v for k, v in fields.items() if k not in known]
    code = answer.problem.code if answer.problem else None
    if code == "illegal-transition":
        general = [gettext(request, "You can answer once the registered letter has been sent to you.")]
    elif code in ("amount-above-balance", "amount-not-positive"):
        known["proposed_amount"] = refusal(request, answer)
    elif not known and not general:
        general.append(refusal(request, answer))
    return FormErrors(known, general)
