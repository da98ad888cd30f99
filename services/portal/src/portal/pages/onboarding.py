"""First-login onboarding of a creditor (seed 001, "Finalisation d'inscription"): bank
details of the account debited (holder, IBAN, BIC), an optional separate billing address,
the terms of use in force (GET /api/billing/terms), then the SEPA mandate to sign."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from portal.errors import ServiceUnavailable
from portal.ports import ApiAnswer, Session
from portal.web.context import api_of
from portal.web.forms import FormErrors, form_values
from portal.web.i18n import gettext
from portal.web.responses import see_other
from portal.web.session import LoggedIn
from portal.web.templating import render

router = APIRouter()

PROFILE = "/api/billing/profiles/me"
# Steps of a creditor who has not finished onboarding (the first login goes to /onboarding).
ONBOARDING_STEPS = frozenset({"bank_details", "terms", "mandate"})
DETAILS_FIELDS = (
    "holder_civility",
    "holder_last_name",
    "holder_first_name",
    "iban",
    "bic",
    "billing_other",
    "billing_address.line",
    "billing_address.postal_code",
    "billing_address.city",
    "terms_version",
    "terms_accepted",
)
# Where the API's errors are shown: its `holder_name` is the two name fields of the form.
API_FIELD_ON_FORM = {"holder_name": "holder_last_name", "version": "terms_accepted"}


async def next_step(request: Request, session: Session) -> str | None:
    """The creditor's next onboarding step (`bank_details`, `terms`, `mandate`, `mandate_refused`,
    `done`), or None when the account has no billing profile (yet, or ever: a payer)."""
    try:
        answer = await api_of(request).call(session, "GET", PROFILE)
    except ServiceUnavailable:
        return None  # billing down: the home page and the login still work, without the reminder
    if not answer.ok:
        return None
    return str(answer.body["onboarding"]["next_step"])


def on_form(errors: FormErrors) -> FormErrors:
    return FormErrors({API_FIELD_ON_FORM.get(k, k): v for k, v in errors.fields.items()}, errors.general)


async def details_page(
    request: Request, session: Session, form: dict[str, str], errors: FormErrors, status: int = 200
) -> Response:
    api = api_of(request)
    profile = await api.call(session, "GET", PROFILE)
    if profile.status == 404:
        return render(request, "onboarding/preparing.html", status=200)
    terms = await api.call(session, "GET", "/api/billing/terms")
    if not profile.ok or not terms.ok:
        return render(request, "onboarding/preparing.html", status=profile.status if not profile.ok else terms.status)
    return render(
        request,
        "onboarding/details.html",
        status=status,
        form=form,
        errors=errors,
        profile=profile.body,
        terms=terms.body,
    )


@router.get("/onboarding", response_class=HTMLResponse)
async def onboarding(request: Request, session: LoggedIn) -> Response:
    step = await next_step(request, session)
    if step in ("mandate", "mandate_refused"):
        return see_other("/onboarding/mandate")
    if step == "done":
        return see_other("/onboarding/done")
    form = dict.fromkeys(DETAILS_FIELDS, "")
    form["holder_civility"] = "mrs"
    return await details_page(request, session, form, FormErrors())


def bank_details_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "holder_civility": form["holder_civility"],
        "holder_name": " ".join(p for p in (form["holder_first_name"], form["holder_last_name"]) if p),
        "iban": form["iban"],
        "bic": form["bic"],
    }
    if form["billing_other"]:
        body["billing_address"] = {
            "line": form["billing_address.line"],
            "postal_code": form["billing_address.postal_code"],
            "city": form["billing_address.city"],
        }
    return body


@router.post("/onboarding", response_class=HTMLResponse)
async def finish_details(request: Request, session: LoggedIn) -> Response:
    form = form_values(await request.form(), *DETAILS_FIELDS)
    errors = FormErrors()
    if not form["terms_accepted"]:
        errors.add("terms_accepted", gettext(request, "You must accept the terms of use to go on."))
    if not form["holder_last_name"]:
        errors.add("holder_last_name", gettext(request, "Enter the name of the person authorising the debits."))
    api = api_of(request)
    answer = await api.call(session, "PUT", f"{PROFILE}/bank-details", json=bank_details_body(form))
    if not answer.ok:
        errors = errors.merge(on_form(FormErrors.from_problem(answer.problem, [*DETAILS_FIELDS, "holder_name"])))
    if errors:
        return await details_page(request, session, form, errors, status=answer.status if not answer.ok else 400)
    terms = await api.call(session, "PUT", f"{PROFILE}/terms-acceptance", json={"version": form["terms_version"]})
    if not terms.ok:
        return await details_page(request, session, form, on_form(problem_errors(terms)), status=terms.status)
    return see_other("/onboarding/mandate")


def problem_errors(answer: ApiAnswer) -> FormErrors:
    return FormErrors.from_problem(answer.problem, ["version"])


@router.get("/onboarding/mandate", response_class=HTMLResponse)
async def mandate_page(request: Request, session: LoggedIn) -> Response:
    profile = await api_of(request).call(session, "GET", PROFILE)
    if not profile.ok:
        return see_other("/onboarding")
    step = profile.body["onboarding"]["next_step"]
    if step in ("bank_details", "terms"):
        return see_other("/onboarding")
    if step == "done":
        return see_other("/onboarding/done")
    return render(request, "onboarding/mandate.html", profile=profile.body, errors=FormErrors())


@router.post("/onboarding/mandate", response_class=HTMLResponse)
async def decide_mandate(request: Request, session: LoggedIn) -> Response:
    decision = form_values(await request.form(), "decision")["decision"]
    api = api_of(request)
    if decision not in ("sign", "refuse"):
        return see_other("/onboarding/mandate")
    answer = await api.call(session, "POST", f"{PROFILE}/mandate", json={"decision": decision})
    if not answer.ok:
        profile = await api.call(session, "GET", PROFILE)
        errors = FormErrors.from_problem(answer.problem, [])
        return render(request, "onboarding/mandate.html", status=answer.status, profile=profile.body, errors=errors)
    if decision == "refuse":
        session.flash(
            gettext(request, "The mandate is refused. You can sign it later, when you file a case."), "warning"
        )
        return see_other("/")
    return see_other("/onboarding/done")


@router.get("/onboarding/done", response_class=HTMLResponse)
async def done(request: Request, session: LoggedIn) -> Response:
    profile = await api_of(request).call(session, "GET", PROFILE)
    if not profile.ok or profile.body["onboarding"]["next_step"] != "done":
        return see_other("/onboarding")
    return render(request, "onboarding/done.html", profile=profile.body)
