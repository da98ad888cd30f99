"""Account journeys of seed 001: registration, activation, login, logout, password recovery;
and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from portal.pages.onboarding import ONBOARDING_STEPS, next_step
from portal.settings import LOCALES
from portal.web.context import api_of, portal_of
from portal.web.forms import FormErrors, form_values
from portal.web.i18n import LANG_COOKIE, gettext
from portal.web.responses import see_other
from portal.web.session import SessionDep, end_session, safe_next, start_login
from portal.web.templating import render

router = APIRouter()

LOGIN_FIELDS = ("email", "password")


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
        elif code == "legacy-migration-required":
            # A former portal's credentials: the migration screen explains and re-creates the account.
            session.flash(gettext(request, "These are your former portal's credentials: move your account first."))
            return see_other("/migration")
        elif code == "login-locked":
            message = gettext(request, "Too many failed attempts: this login is locked for a while. Try again later.")
        else:
            return again(FormErrors.from_problem(problem, LOGIN_FIELDS), answer.status)
        return again(FormErrors.of([message]), answer.status)
    tokens = answer.body
    me = await api.call(None, "GET", "/api/identity/accounts/me", headers=bearer(tokens["access_token"]))
    session = await start_login(request, tokens, me.body if me.ok else {"email": email})
    if target == "/" and session.has_role("member") and await next_step(request, session) in ONBOARDING_STEPS:
        return see_other("/onboarding")  # the first login: finish the registration
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


# --- registration ---------------------------------------------------------------------

PERSON_KINDS = ("natural", "legal")
CIVILITIES = ("mrs", "mr")
# The usual French company forms (identity takes the form as free text).
LEGAL_FORMS = ("SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCI", "SCOP", "EI", "Association")
REGISTER_FIELDS = (
    "email",
    "password",
    "password_confirmation",
    "person_kind",
    "civility",
    "last_name",
    "first_name",
    "company_name",
    "legal_form",
    "siret",
    "address.line",
    "address.complement",
    "address.postal_code",
    "address.city",
)


def registration_body(form: dict[str, str]) -> dict[str, Any]:
    """The API's registration body from the form (empty optional fields left out)."""
    body: dict[str, Any] = {
        "email": form["email"],
        "password": form["password"],
        "password_confirmation": form["password_confirmation"],
        "person_kind": form["person_kind"] or None,
        "address": {
            "line": form["address.line"],
            "complement": form["address.complement"] or None,
            "postal_code": form["address.postal_code"],
            "city": form["address.city"],
        },
    }
    for name in ("civility", "last_name", "first_name"):
        body[name] = form[name] or None
    if form["person_kind"] == "legal":
        for name in ("company_name", "legal_form", "siret"):
            body[name] = form[name] or None
    return body


def register_page(request: Request, form: dict[str, str], errors: FormErrors, status: int = 200) -> Response:
    return render(
        request,
        "account/register.html",
        status=status,
        form=form,
        errors=errors,
        legal_forms=[(form_name, form_name) for form_name in LEGAL_FORMS],
    )


@router.get("/register", response_class=HTMLResponse)
async def register_form(request: Request, session: SessionDep) -> Response:
    empty = dict.fromkeys(REGISTER_FIELDS, "")
    empty["person_kind"] = "legal"
    return register_page(request, empty, FormErrors())


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request, session: SessionDep) -> Response:
    raw = await request.form()
    form = form_values(raw, *REGISTER_FIELDS)
    form["password"] = str(raw.get("password") or "")  # never stripped
    form["password_confirmation"] = str(raw.get("password_confirmation") or "")
    errors = FormErrors()
    if form["person_kind"] not in PERSON_KINDS:
        errors.add("person_kind", gettext(request, "Choose a legal or a natural person."))
        form["person_kind"] = ""
    if errors:
        return register_page(request, form, errors, 400)
    answer = await api_of(request).call(None, "POST", "/api/identity/accounts", json=registration_body(form))
    if not answer.ok:
        return register_page(request, form, FormErrors.from_problem(answer.problem, REGISTER_FIELDS), answer.status)
    return see_other("/register/done")


@router.get("/register/done", response_class=HTMLResponse)
async def registered(request: Request, session: SessionDep) -> Response:
    return render(request, "account/registered.html")


# --- activation (the activation mail's link: /activation#token=...) ------------------


@router.get("/activation", response_class=HTMLResponse)
async def activation_page(request: Request, session: SessionDep) -> Response:
    return render(request, "account/activation.html", errors=FormErrors())


@router.post("/activation", response_class=HTMLResponse)
async def activate(request: Request, session: SessionDep, token: Annotated[str, Form()] = "") -> Response:
    token = token.strip()
    if not token:
        errors = FormErrors.of(token=gettext(request, "Paste the activation code of the mail."))
        return render(request, "account/activation.html", status=400, errors=errors)
    answer = await api_of(request).call(None, "POST", "/api/identity/accounts/activation", json={"token": token})
    if not answer.ok:
        if answer.problem and answer.problem.code == "activation-token-invalid":
            message = gettext(request, "This activation link is invalid, already used or expired.")
            errors = FormErrors.of(token=message)
        else:
            errors = FormErrors.from_problem(answer.problem, ["token"])
        return render(request, "account/activation.html", status=answer.status, errors=errors)
    return see_other("/activation/done")


@router.get("/activation/done", response_class=HTMLResponse)
async def activated(request: Request, session: SessionDep) -> Response:
    return render(request, "account/activated.html")


@router.post("/activation/resend", response_class=HTMLResponse)
async def resend_activation(request: Request, session: SessionDep, email: Annotated[str, Form()] = "") -> Response:
    email = email.strip()
    if not email:
        errors = FormErrors.of(email=gettext(request, "Enter your email."))
        return render(request, "account/activation.html", status=400, errors=errors, resend_email=email)
    answer = await api_of(request).call(None, "POST", "/api/identity/accounts/activation/resend", json={"email": email})
    if not answer.ok:
        errors = FormErrors.from_problem(answer.problem, ["email"])
        return render(request, "account/activation.html", status=answer.status, errors=errors, resend_email=email)
    session.flash(gettext(request, "If this address has an account waiting for activation, a new mail is on its way."))
    return see_other("/activation")


# --- password recovery (the mail's link: /recovery#token=...) --------------------------


@router.get("/password-forgotten", response_class=HTMLResponse)
async def forgotten_page(request: Request, session: SessionDep) -> Response:
    return render(request, "account/forgotten.html", email="", errors=FormErrors(), sent=False)


@router.post("/password-forgotten", response_class=HTMLResponse)
async def forgotten(request: Request, session: SessionDep, email: Annotated[str, Form()] = "") -> Response:
    email = email.strip()
    if not email:
        errors = FormErrors.of(email=gettext(request, "Enter your email."))
        return render(request, "account/forgotten.html", status=400, email=email, errors=errors, sent=False)
    answer = await api_of(request).call(None, "POST", "/api/identity/recovery", json={"email": email})
    if not answer.ok:
        errors = FormErrors.from_problem(answer.problem, ["email"])
        return render(request, "account/forgotten.html", status=answer.status, email=email, errors=errors, sent=False)
    return render(request, "account/forgotten.html", email=email, errors=FormErrors(), sent=True)


RECOVERY_FIELDS = ("token", "password", "password_confirmation")


@router.get("/recovery", response_class=HTMLResponse)
async def recovery_page(request: Request, session: SessionDep) -> Response:
    return render(request, "account/recovery.html", errors=FormErrors())


@router.post("/recovery", response_class=HTMLResponse)
async def recover(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_confirmation: Annotated[str, Form()] = "",
) -> Response:
    body = {"token": token.strip(), "password": password, "password_confirmation": password_confirmation}
    if not body["token"]:
        errors = FormErrors.of(token=gettext(request, "Paste the code of the password reset mail."))
        return render(request, "account/recovery.html", status=400, errors=errors)
    answer = await api_of(request).call(None, "POST", "/api/identity/recovery/complete", json=body)
    if not answer.ok:
        if answer.problem and answer.problem.code == "recovery-token-invalid":
            errors = FormErrors.of(token=gettext(request, "This link is invalid, already used or expired."))
        else:
            errors = FormErrors.from_problem(answer.problem, RECOVERY_FIELDS)
        return render(request, "account/recovery.html", status=answer.status, errors=errors, token=body["token"])
    return see_other("/recovery/done")


@router.get("/recovery/done", response_class=HTMLResponse)
async def recovered(request: Request, session: SessionDep) -> Response:
    return render(request, "account/recovered.html")
