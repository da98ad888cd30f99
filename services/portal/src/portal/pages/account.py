"""Account journeys of seed 001: registration, activation, login, logout, password recovery;
and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.settings import LOCALES
from portal.web.context import api_of, portal_of
from portal.web.forms import FormErrors
from portal.web.i18n import LANG_COOKIE, gettext
from portal.web.session import SessionDep, end_session, safe_next, start_login
from portal.web.templating import render

router = APIRouter()

LOGIN_FIELDS = ("email", "password")


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, session: SessionDep, next: str = "/") -> Response:
    if session.logged_in:
        return see_other(safe_next(next))
    return render(request, "account/login.html", next=safe_next(next), email="", errors=FormErrors())


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    api = api_of(request)
    email = email.strip()
    target = safe_next(next)

    def again(errors: FormErrors, status: int) -> Response:
        return render(request, "account/login.html", status=status, next=target, email=email, errors=errors)

    if not email or not password:
        errors = FormErrors()
        if not email:
            errors.add("email", gettext(request, "Enter your email."))
        if not password:
            errors.add("password", gettext(request, "Enter your password."))
        return again(errors, 400)
    answer = await api.call(None, "POST", "/api/identity/sessions", json={"email": email, "password": password})
    if not answer.ok:
        problem = answer.problem
        code = problem.code if problem else None
        if code == "invalid-credentials" or (answer.status == 401 and code is None):
            message = gettext(request, "Incorrect email or password.")
        elif code == "account-not-activated":
            message = gettext(request, "This account is not activated yet: follow the link of the activation mail.")
        elif code == "login-locked":
            message = gettext(request, "Too many failed attempts: this login is locked for a while. Try again later.")
        else:
            return again(FormErrors.from_problem(problem, LOGIN_FIELDS), answer.status)
        return again(FormErrors.of([message]), answer.status)
    tokens = answer.body
    me = await api.call(None, "GET", "/api/identity/accounts/me", headers=bearer(tokens["access_token"]))
    await start_login(request, tokens, me.body if me.ok else {"email": email})
    return see_other(target)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    if session.refresh_token:
        await api_of(request).call(
            None, "POST", "/api/identity/sessions/logout", json={"refresh_token": session.refresh_token}
        )
    fresh = await end_session(request)
    fresh.flash(gettext(request, "You are logged out."))
    return see_other("/login")


@router.post("/lang")
async def switch_language(
    request: Request,
    session: SessionDep,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    response = see_other(safe_next(next))
    if lang in LOCALES:
        settings = portal_of(request).settings
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", secure=settings.secure_cookies, httponly=True
        )
    return response
