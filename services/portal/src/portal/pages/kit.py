"""What the ratings, portfolios, mailbox and migration pages share: the skeleton's pieces they use
(re-exported so each page module imports one place), the countries the provider covers, the
rating descriptions and trend arrows as msgids, the API's field errors renamed for a form, and
downloads handed back to the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from portal.ports import ApiAnswer, ApiProblem, Session
from portal.web.context import api_of
from portal.web.forms import FormErrors
from portal.web.i18n import N_, locale_of, translator
from portal.web.responses import download
from portal.web.session import LoggedIn, SessionDep, current_session, require_login
from portal.web.templating import render

__all__ = [
    "COUNTRIES",
    "RATING_DESCRIPTIONS",
    "TREND_ARROWS",
    "LoggedIn",
    "Session",
    "SessionDep",
    "api_of",
    "country_options",
    "current_session",
    "download",
    "errors_of",
    "form_of",
    "locale_of",
    "rating_description",
    "refusal",
    "render",
    "require_login",
    "translate",
]

# The countries the credit provider's directory covers (ratings' local provider and Creditsafe).
COUNTRIES: tuple[tuple[str, str], ...] = (
    ("FR", N_("France")),
    ("BE", N_("Belgium")),
    ("CH", N_("Switzerland")),
    ("DE", N_("Germany")),
    ("ES", N_("Spain")),
    ("GB", N_("United Kingdom")),
    ("IT", N_("Italy")),
    ("LU", N_("Luxembourg")),
    ("NL", N_("Netherlands")),
    ("PT", N_("Portugal")),
)
# Ratings' descriptions of the common letters (English, as the API gives them): msgids here.
RATING_DESCRIPTIONS: dict[str, str] = {
    "A": N_("Very low risk"),
    "B": N_("Low risk"),
    "C": N_("Moderate risk"),
    "D": N_("High risk"),
    "E": N_("Very high risk"),
    "NR": N_("Not rated"),
}
TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


def translate(request: Request) -> Callable[[str], str]:
    """The request's `gettext`, for messages a page module builds (flashes, chart titles)."""
    return translator(request).gettext


def country_options(request: Request) -> list[tuple[str, str]]:
    """The countries as (code, name in the request's language), for a select."""
    gettext = translate(request)
    return [(code, gettext(name)) for code, name in COUNTRIES]


def rating_description(letter: str, gettext: Callable[[str], str]) -> str:
    return gettext(RATING_DESCRIPTIONS.get(letter, N_("Not rated")))


def errors_of(
    problem: ApiProblem | None,
    *,
    rename: Callable[[str], str] | None = None,
    general_to: str | None = None,
) -> FormErrors:
    """The problem's errors for a form: each field error under the form's name of its field
    (`rename` maps the API's name, e.g. `companies.0.registration_number` -> `registration_number`);
    with `general_to`, a problem naming no field is shown next to that field (a file upload)."""
    errors = FormErrors.from_problem(problem)
    if problem is None or (rename is None and general_to is None):
        return errors
    fields = {(rename(name) if rename else name): message for name, message in errors.fields.items()}
    general = errors.general
    if general_to is not None and general and general_to not in fields:
        fields[general_to] = " ".join(general)
        general = []
    return FormErrors(fields=fields, general=general)


def refusal(request: Request, template: str, answer: ApiAnswer, **context: Any) -> Response:
    """The page saying what the API refused, at its status. Ratings answers 409 when the person
    has no provider account: the page then says how to connect one."""
    return render(
        request, template, status=answer.status, problem=answer.problem, needs_account=answer.status == 409, **context
    )


async def form_of(request: Request) -> FormData:
    return await request.form()
