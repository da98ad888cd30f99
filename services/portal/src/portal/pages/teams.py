"""My teams (seed 004): a company admin's space, inviting a collaborator with the
rights to grant, signing the access with the 6-digit SMS code, the rights matrix
with its constraints, and the invitee's acceptance page `/invitation`.

Every constraint is teams': rights 5 and 6 need a proof of power, an admin's
rights are fixed, a code has limited checks. The pages show the API's rule errors
next to the field or matrix row they concern."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from portal.pages.payer_teams_common import (
    FormErrors,
    api_of,
    form_of,
    is_problem,
    page,
    translated,
    translated_errors,
)
from portal.ports import Session
from portal.web.i18n import N_
from portal.web.responses import see_other
from portal.web.session import current_session, require_login

router = APIRouter()

TEAMS = "/api/teams"
RIGHTS = (
    "view_financial_documents",
    "manage_funds",
    "handle_company_requests",
    "access_treasury",
    "change_bank_details",
    "request_early_buyout",
)
PROOF_KINDS = ("delegation_of_power", "articles_of_association", "board_resolution", "power_of_attorney")
PROOF_FIELDS = ("proof_of_power.kind", "proof_of_power.reference", "proof_of_power.issued_on")
INVITE_FIELDS = ("email", "first_name", "last_name", "mobile", *PROOF_FIELDS)
EXTRACT_MISSING = N_("Attach the extract of the trade register (PDF, JPEG or PNG).")
CODE_FIELDS = {"code-invalid": "code", "code-expired": "code", "code-locked": "code"}


def rights_and_proof(form: Any) -> dict[str, Any]:
    """The rights ticked and the proof of power given (only when its reference is)."""
    body: dict[str, Any] = {"rights": [r for r in form.getlist("rights") if r]}
    reference = str(form.get("proof_of_power.reference", "")).strip()
    if reference:
        body["proof_of_power"] = {
            "kind": str(form.get("proof_of_power.kind", "")),
            "reference": reference,
            "issued_on": str(form.get("proof_of_power.issued_on", "")),
        }
    return body


async def catalogue(request: Request, session: Any) -> list[dict[str, Any]]:
    answer = await api_of(request).call(session, "GET", f"{TEAMS}/rights")
    if is_problem(answer):
        return [
            {
                "right": r,
                "number": n + 1,
                "title": r,
                "detail": "",
                "contract_kinds": None,
                "needs_proof_of_power": n >= 4,
            }
            for n, r in enumerate(RIGHTS)
        ]
    found: list[dict[str, Any]] = list(answer.body)
    if isinstance(answer.body, dict):
        found = list(answer.body.get("rights", []))
    return sorted(found, key=lambda r: int(r["number"]))


# --- my teams -------------------------------------------------------------------------


@router.get("/teams")
async def my_teams(request: Request) -> Response:
    session = await require_login(request)
    answer = await api_of(request).call(session, "GET", f"{TEAMS}/companies")
    companies = [] if is_problem(answer) else answer.body.get("companies", [])
    return page(
        request,
        "teams/my_teams.html",
        companies=companies,
        values={},
        claim=None,
        errors=translated_errors(request, answer if is_problem(answer) else None),
    )


@router.post("/teams/claim")
async def claim(request: Request) -> Response:
    """Open the company's space: the legal person's claim with its extract, reviewed by support."""
    session = await require_login(request)
    form = await form_of(request)
    values = {"siren": str(form.get("siren", "")).replace(" ", ""), "mobile": str(form.get("mobile", ""))}
    upload = form.get("extract")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    api = api_of(request)
    if not content:
        errors = FormErrors.of(extract=translated(request, EXTRACT_MISSING))
        return page(request, "teams/my_teams.html", status=422, companies=[], values=values, claim=None, errors=errors)
    body = {**values, "extract": base64.b64encode(content).decode()}
    answer = await api.call(session, "POST", f"{TEAMS}/companies", json=body)
    if is_problem(answer):
        mine = await api.call(session, "GET", f"{TEAMS}/companies")
        companies = [] if is_problem(mine) else mine.body.get("companies", [])
        return page(
            request,
            "teams/my_teams.html",
            status=answer.status,
            companies=companies,
            values=values,
            claim=None,
            errors=translated_errors(request, answer),
        )
    return page(request, "teams/my_teams.html", companies=[], values={}, claim=answer.body, errors=FormErrors())


# --- a company's space ------------------------------------------------------------------


async def _space_page(
    request: Request,
    session: Any,
    siren: str,
    *,
    status: int = 200,
    row_errors: dict[str, FormErrors] | None = None,
    row_values: dict[str, Any] | None = None,
    notice: str | None = None,
) -> Response:
    api = api_of(request)
    company, invitations, rights = await asyncio.gather(
        api.call(session, "GET", f"{TEAMS}/companies/{siren}"),
        api.call(session, "GET", f"{TEAMS}/companies/{siren}/invitations"),
        catalogue(request, session),
    )
    if is_problem(company):
        return page(request, "teams/not_found.html", status=404)
    return page(
        request,
        "teams/space.html",
        status=status,
        company=company.body,
        members=[m for m in company.body.get("members", []) if m.get("status") != "removed"],
        invitations=[] if is_problem(invitations) else invitations.body.get("invitations", []),
        rights=rights,
        proof_kinds=PROOF_KINDS,
        row_errors=row_errors or {},
        row_values=row_values or {},
        notice=notice,
        empty=FormErrors(),
    )


@router.get("/teams/{siren}")
async def space(request: Request, siren: str, sent: str | None = None, saved: str | None = None) -> Response:
    session = await require_login(request)
    notice = "sent" if sent else "saved" if saved else None
    return await _space_page(request, session, siren, notice=notice)


@router.post("/teams/{siren}/members/{account_id}/rights")
async def change_rights(request: Request, siren: str, account_id: str) -> Response:
    session = await require_login(request)
    form = await form_of(request)
    body = rights_and_proof(form)
    answer = await api_of(request).call(
        session, "PUT", f"{TEAMS}/companies/{siren}/members/{account_id}/rights", json=body
    )
    if is_problem(answer):
        errors = translated_errors(request, answer)
        values = {"rights": body["rights"], **{k: str(form.get(k, "")) for k in PROOF_FIELDS}}
        return await _space_page(
            request,
            session,
            siren,
            status=answer.status,
            row_errors={account_id: errors},
            row_values={account_id: values},
        )
    return see_other(f"/teams/{siren}?saved=1#member-{account_id}")


# --- inviting ---------------------------------------------------------------------------


@router.get("/teams/{siren}/invite")
async def invite_form(request: Request, siren: str) -> Response:
    session = await require_login(request)
    return page(
        request,
        "teams/invite.html",
        siren=siren,
        rights=await catalogue(request, session),
        proof_kinds=PROOF_KINDS,
        values={"rights": []},
        errors=FormErrors(),
    )


@router.post("/teams/{siren}/invite")
async def invite(request: Request, siren: str) -> Response:
    session = await require_login(request)
    form = await form_of(request)
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in INVITE_FIELDS}
    body = {**{k: values[k] for k in ("email", "first_name", "last_name", "mobile")}, **rights_and_proof(form)}
    values["rights"] = body["rights"]
    answer = await api_of(request).call(session, "POST", f"{TEAMS}/companies/{siren}/invitations", json=body)
    if is_problem(answer):
        return page(
            request,
            "teams/invite.html",
            status=answer.status,
            siren=siren,
            rights=await catalogue(request, session),
            proof_kinds=PROOF_KINDS,
            values=values,
            errors=translated_errors(request, answer),
        )
    invitation_id = answer.body["invitation_id"]
    return see_other(f"/teams/{siren}/invitations/{invitation_id}/code")


async def _invitation(request: Request, session: Any, siren: str, invitation_id: str) -> dict[str, Any] | None:
    answer = await api_of(request).call(session, "GET", f"{TEAMS}/companies/{siren}/invitations")
    if is_problem(answer):
        return None
    found = [i for i in answer.body.get("invitations", []) if i["invitation_id"] == invitation_id]
    return found[0] if found else None


@router.get("/teams/{siren}/invitations/{invitation_id}/code")
async def code_form(request: Request, siren: str, invitation_id: str, resent: str | None = None) -> Response:
    session = await require_login(request)
    invitation = await _invitation(request, session, siren, invitation_id)
    if invitation is None:
        return page(request, "teams/not_found.html", status=404)
    return page(
        request, "teams/code.html", siren=siren, invitation=invitation, errors=FormErrors(), resent=bool(resent)
    )


@router.post("/teams/{siren}/invitations/{invitation_id}/code")
async def confirm(request: Request, siren: str, invitation_id: str) -> Response:
    session = await require_login(request)
    form = await form_of(request)
    code = str(form.get("code", "")).strip()
    path = f"{TEAMS}/companies/{siren}/invitations/{invitation_id}/confirmation"
    answer = await api_of(request).call(session, "POST", path, json={"code": code})
    if is_problem(answer):
        invitation = await _invitation(request, session, siren, invitation_id)
        if invitation is None:
            return page(request, "teams/not_found.html", status=404)
        errors = translated_errors(request, answer, code_fields=CODE_FIELDS)
        return page(
            request,
            "teams/code.html",
            status=answer.status,
            siren=siren,
            invitation=invitation,
            errors=errors,
            resent=False,
        )
    return see_other(f"/teams/{siren}?sent=1")


@router.post("/teams/{siren}/invitations/{invitation_id}/resend")
async def resend(request: Request, siren: str, invitation_id: str) -> Response:
    session = await require_login(request)
    path = f"{TEAMS}/companies/{siren}/invitations/{invitation_id}/code"
    answer = await api_of(request).call(session, "POST", path, json={})
    if is_problem(answer):
        invitation = await _invitation(request, session, siren, invitation_id)
        if invitation is None:
            return page(request, "teams/not_found.html", status=404)
        return page(
            request,
            "teams/code.html",
            status=answer.status,
            siren=siren,
            invitation=invitation,
            errors=translated_errors(request, answer),
            resent=False,
        )
    return see_other(f"/teams/{siren}/invitations/{invitation_id}/code?resent=1")


@router.post("/teams/{siren}/invitations/{invitation_id}/revocation")
async def revoke(request: Request, siren: str, invitation_id: str) -> Response:
    session = await require_login(request)
    await api_of(request).call(session, "DELETE", f"{TEAMS}/companies/{siren}/invitations/{invitation_id}")
    return see_other(f"/teams/{siren}")


# --- the invitee ------------------------------------------------------------------------


@router.get("/invitation")
async def invitation_landing(request: Request) -> Response:
    return page(
        request, "teams/invitation.html", preview=None, token="", errors=FormErrors(), logged_in=False, rights=[]
    )


def _logged_in(session: Session) -> bool:
    return session.logged_in


@router.post("/invitation")
async def invitation_preview(request: Request) -> Response:
    form = await form_of(request)
    token = str(form.get("token", "")).strip()
    session = await current_session(request)
    answer = await api_of(request).call(session, "POST", f"{TEAMS}/invitations/preview", json={"token": token})
    errors = translated_errors(request, answer, code_fields={"invitation-link-invalid": "token"})
    preview = None if is_problem(answer) else answer.body
    return page(
        request,
        "teams/invitation.html",
        status=answer.status if is_problem(answer) else 200,
        preview=preview,
        token=token if preview else "",
        errors=errors,
        logged_in=_logged_in(session),
        rights=await catalogue(request, session),
    )


@router.post("/invitation/acceptance")
async def accept(request: Request) -> Response:
    session = await require_login(request)
    form = await form_of(request)
    token = str(form.get("token", "")).strip()
    api = api_of(request)
    answer = await api.call(session, "POST", f"{TEAMS}/invitations/acceptance", json={"token": token})
    if is_problem(answer):
        preview = await api.call(session, "POST", f"{TEAMS}/invitations/preview", json={"token": token})
        return page(
            request,
            "teams/invitation.html",
            status=answer.status,
            preview=None if is_problem(preview) else preview.body,
            token=token,
            errors=translated_errors(request, answer),
            logged_in=True,
            rights=await catalogue(request, session),
        )
    return page(request, "teams/joined.html", membership=answer.body)
