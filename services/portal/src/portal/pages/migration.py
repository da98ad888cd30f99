"""The former portal's migration (seed 000): the redirection screen explaining the change, the old
login, the new account (email and a new password, twice), the old mailbox's export before the
switch, and the confirmation mail (its link lands on the `/activation` page). The migration ticket
lives 30 minutes; it travels in a hidden field of the forms (POST bodies, never a URL)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.pages.kit import SessionDep, api_of, download, errors_of, form_of, render

router = APIRouter()
API = "/api/identity/legacy"


@router.get("/migration")
async def start(request: Request, session: SessionDep) -> Response:
    return render(request, "migration/start.html", login="", errors=errors_of(None))


@router.post("/migration")
async def old_login(request: Request, session: SessionDep) -> Response:
    form = await form_of(request)
    login = str(form.get("login", "")).strip()
    body = {"login": login, "password": str(form.get("password", ""))}
    answer = await api_of(request).call(session, "POST", f"{API}/sessions", json=body)
    if answer.problem is not None:
        return render(
            request,
            "migration/start.html",
            status=answer.status,
            login=login,
            errors=errors_of(answer.problem),
            problem_status=answer.status,
        )
    return render(
        request,
        "migration/new_account.html",
        ticket=answer.body["migration_token"],
        company_name=answer.body.get("company_name"),
        email="",
        errors=errors_of(None),
    )


@router.post("/migration/mailbox-export")
async def export_old_mailbox(request: Request, session: SessionDep) -> Response:
    form = await form_of(request)
    ticket = str(form.get("migration_token", ""))
    answer = await api_of(request).call(session, "POST", f"{API}/mailbox/export", json={"migration_token": ticket})
    if answer.problem is not None:
        return render(request, "migration/expired.html", status=answer.status, problem=answer.problem)
    return download(answer, "ancienne-boite-aux-lettres.json")


@router.post("/migration/account")
async def new_account(request: Request, session: SessionDep) -> Response:
    form = await form_of(request)
    ticket = str(form.get("migration_token", ""))
    email = str(form.get("email", "")).strip()
    body = {
        "migration_token": ticket,
        "email": email,
        "password": str(form.get("password", "")),
        "password_confirmation": str(form.get("password_confirmation", "")),
    }
    answer = await api_of(request).call(session, "POST", f"{API}/migrations", json=body)
    if answer.problem is None:
        return render(request, "migration/sent.html", email=email)
    if answer.status == 400:  # the ticket expired or was used: start again from the old login
        return render(request, "migration/expired.html", status=400, problem=answer.problem)
    return render(
        request,
        "migration/new_account.html",
        status=answer.status,
        ticket=ticket,
        company_name=str(form.get("company_name", "")) or None,
        email=email,
        errors=errors_of(answer.problem),
    )
