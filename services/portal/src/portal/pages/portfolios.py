"""Portfolios (seed 003): the watch lists, created, edited, duplicated, deleted, imported from and
exported to CSV; their companies; "check new events" with its progress (htmx refreshes the bar, a
plain link refreshes the page without JavaScript); the alerts found in the mailbox."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from portal.pages.kit import (
    LoggedIn,
    Session,
    api_of,
    country_options,
    download,
    errors_of,
    form_of,
    refusal,
    render,
    translate,
)
from portal.web.responses import see_other

router = APIRouter()
API = "/api/ratings/portfolios"
STATES = ("up_to_date", "new_events", "sync_failed")


def _company_field(field: str) -> str:
    """`companies.0.registration_number` (the API's field of the one company sent) -> the form's field."""
    return field.rsplit(".", 1)[-1] if field.startswith("companies.") else field


def csv_media_type(upload: object) -> str:
    """What the browser sent, as ratings reads it: a `.csv` or text file is `text/csv` (browsers
    label CSV files variously, e.g. `application/vnd.ms-excel`); anything else keeps its type
    and ratings answers 415."""
    if not isinstance(upload, UploadFile):
        return "text/csv"
    given = (upload.content_type or "").split(";")[0].strip().lower()
    if (upload.filename or "").lower().endswith(".csv") or given.startswith("text/") or not given:
        return "text/csv"
    return given


def _checked(form: Any, name: str) -> bool:
    return str(form.get(name, "")) in ("yes", "on", "true", "1")


async def _portfolio(request: Request, session: Session, portfolio_id: str) -> tuple[dict[str, Any] | None, Any]:
    answer = await api_of(request).call(session, "GET", f"{API}/{quote(portfolio_id)}")
    return (answer.body if answer.problem is None else None), answer


def _not_found(request: Request, answer: Any) -> Response:
    return render(request, "portfolios/problem.html", status=answer.status, problem=answer.problem)


NO_COMPANY = {"country": "FR", "registration_number": "", "name": ""}


async def _portfolio_page(
    request: Request, session: Session, portfolio_id: str, template: str, status: int = 200, **context: Any
) -> Response:
    """A page of the portfolio as ratings has it now (a form shown again with what the API refused,
    at the refusal's status), or the not-found page when the portfolio is not there."""
    portfolio, shown = await _portfolio(request, session, portfolio_id)
    if portfolio is None:
        return _not_found(request, shown)
    return render(request, template, status=status, portfolio=portfolio, **context)


async def _detail_page(
    request: Request, session: Session, portfolio_id: str, status: int = 200, **context: Any
) -> Response:
    """The portfolio with its two forms (add a company, import a CSV), either showing its errors."""
    context = {"company": NO_COMPANY, "errors": errors_of(None), "import_errors": errors_of(None), **context}
    return await _portfolio_page(
        request, session, portfolio_id, "portfolios/detail.html", status, countries=country_options(request), **context
    )


@router.get("/portfolios")
async def list_portfolios(request: Request, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "GET", API)
    return render(
        request,
        "portfolios/list.html",
        portfolios=answer.body if answer.problem is None else [],
        problem=answer.problem,
    )


@router.get("/portfolios/new")
async def new_portfolio(request: Request, session: LoggedIn) -> Response:
    values = {"alert_on_new_event": True}
    return render(request, "portfolios/form.html", portfolio=None, values=values, errors=errors_of(None))


@router.post("/portfolios")
async def create_portfolio(request: Request, session: LoggedIn) -> Response:
    form = await form_of(request)
    values = {
        "name": str(form.get("name", "")),
        "alert_on_new_event": _checked(form, "alert_on_new_event"),
    }
    body: dict[str, Any] = {**values, "companies": []}
    space = str(form.get("company_space", "")).strip()
    if space:
        body["company_space"] = space
    answer = await api_of(request).call(session, "POST", API, json=body)
    if answer.problem is None:
        _ = translate(request)
        session.flash(_("The portfolio was created."))
        return see_other(f"/portfolios/{answer.body['portfolio_id']}")
    return render(
        request,
        "portfolios/form.html",
        status=answer.status,
        portfolio=None,
        values={**values, "company_space": space},
        errors=errors_of(answer.problem),
    )


@router.get("/portfolios/{portfolio_id}")
async def show_portfolio(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    return await _detail_page(request, session, portfolio_id)


@router.post("/portfolios/{portfolio_id}/companies")
async def add_company(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    form = await form_of(request)
    company = {
        "country": str(form.get("country", "")).strip().upper(),
        "registration_number": str(form.get("registration_number", "")).strip(),
        "name": str(form.get("name", "")).strip(),
    }
    sent = {k: v for k, v in company.items() if v or k != "name"}
    api = api_of(request)
    answer = await api.call(session, "POST", f"{API}/{quote(portfolio_id)}/companies", json={"companies": [sent]})
    if answer.problem is None:
        _ = translate(request)
        session.flash(_("The company was added."))
        return see_other(f"/portfolios/{quote(portfolio_id)}")
    errors = errors_of(answer.problem, rename=_company_field)
    return await _detail_page(request, session, portfolio_id, answer.status, company=company, errors=errors)


@router.post("/portfolios/{portfolio_id}/companies/{country}/{number}/remove")
async def remove_company(request: Request, portfolio_id: str, country: str, number: str, session: LoggedIn) -> Response:
    path = f"{API}/{quote(portfolio_id)}/companies/{quote(country)}/{quote(number)}"
    answer = await api_of(request).call(session, "DELETE", path)
    _ = translate(request)
    if answer.problem is not None:
        return _not_found(request, answer)
    session.flash(_("The company was removed."))
    return see_other(f"/portfolios/{quote(portfolio_id)}")


@router.get("/portfolios/{portfolio_id}/edit")
async def edit_form(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    portfolio, answer = await _portfolio(request, session, portfolio_id)
    if portfolio is None:
        return _not_found(request, answer)
    return render(request, "portfolios/form.html", portfolio=portfolio, values=portfolio, errors=errors_of(None))


@router.post("/portfolios/{portfolio_id}/edit")
async def edit(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    form = await form_of(request)
    values = {
        "name": str(form.get("name", "")),
        "active": _checked(form, "active"),
        "alert_on_new_event": _checked(form, "alert_on_new_event"),
    }
    answer = await api_of(request).call(session, "PATCH", f"{API}/{quote(portfolio_id)}", json=values)
    if answer.problem is None:
        _ = translate(request)
        session.flash(_("The portfolio was saved."))
        return see_other(f"/portfolios/{quote(portfolio_id)}")
    errors = errors_of(answer.problem)
    return await _portfolio_page(
        request, session, portfolio_id, "portfolios/form.html", answer.status, values=values, errors=errors
    )


@router.post("/portfolios/{portfolio_id}/duplicate")
async def duplicate(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    portfolio, shown = await _portfolio(request, session, portfolio_id)
    if portfolio is None:
        return _not_found(request, shown)
    _ = translate(request)
    name = _("%(name)s (copy)") % {"name": portfolio["name"]}
    path = f"{API}/{quote(portfolio_id)}/duplicate"
    answer = await api_of(request).call(session, "POST", path, json={"name": name[:400]})
    if answer.problem is not None:
        return _not_found(request, answer)
    session.flash(_("The portfolio was duplicated."))
    return see_other(f"/portfolios/{answer.body['portfolio_id']}")


@router.get("/portfolios/{portfolio_id}/delete")
async def confirm_delete(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    return await _portfolio_page(request, session, portfolio_id, "portfolios/delete.html")


@router.post("/portfolios/{portfolio_id}/delete")
async def delete(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "DELETE", f"{API}/{quote(portfolio_id)}")
    if answer.problem is not None:
        return _not_found(request, answer)
    _ = translate(request)
    session.flash(_("The portfolio was deleted."))
    return see_other("/portfolios")


@router.get("/portfolios/{portfolio_id}/export")
async def export(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "GET", f"{API}/{quote(portfolio_id)}/export")
    if answer.problem is not None:
        return _not_found(request, answer)
    return download(answer, f"portfolio-{portfolio_id}.csv")


@router.post("/portfolios/{portfolio_id}/import")
async def import_csv(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    form = await form_of(request)
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    answer = await api_of(request).call(
        session,
        "POST",
        f"{API}/{quote(portfolio_id)}/import",
        # The CSV's bytes as the request body (ratings checks it is UTF-8 CSV and says which line is bad).
        content=content,
        headers={"Content-Type": csv_media_type(upload)},
    )
    if answer.problem is None:
        return render(request, "portfolios/imported.html", report=answer.body, portfolio=answer.body["portfolio"])
    import_errors = errors_of(answer.problem, rename=lambda _field: "file", general_to="file")
    return await _detail_page(request, session, portfolio_id, answer.status, import_errors=import_errors)


@router.post("/portfolios/{portfolio_id}/checks")
async def start_check(request: Request, portfolio_id: str, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "POST", f"{API}/{quote(portfolio_id)}/checks", json={})
    if answer.problem is not None:
        return refusal(request, "portfolios/problem.html", answer, back=f"/portfolios/{quote(portfolio_id)}")
    return see_other(f"/portfolios/{quote(portfolio_id)}/checks/{answer.body['job_id']}")


@router.get("/portfolios/{portfolio_id}/checks/{job_id}")
async def check_progress(request: Request, portfolio_id: str, job_id: str, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "GET", f"{API}/{quote(portfolio_id)}/checks/{quote(job_id)}")
    if answer.problem is not None:
        return _not_found(request, answer)
    job = answer.body
    fragment = request.headers.get("HX-Request") == "true"
    template = "portfolios/_check_progress.html" if fragment else "portfolios/check.html"
    percent = 100 if not job["total"] else round(100 * job["done"] / job["total"])
    return render(request, template, job=job, percent=percent, portfolio_id=portfolio_id)


@router.get("/alerts")
async def alerts(request: Request, session: LoggedIn) -> Response:
    """The alerts raised on new events: the mailbox's messages of source `alert`, newest first."""
    api = api_of(request)
    params: dict[str, Any] = {"limit": 100}
    cursor = request.query_params.get("cursor")
    if cursor:
        params["cursor"] = cursor
    answer = await api.call(session, "GET", "/api/identity/accounts/me/mailbox", params=params)
    page = answer.body if answer.problem is None else {"messages": [], "next_cursor": None}
    found = [m for m in page["messages"] if m["source"] == "alert"]
    return render(
        request,
        "portfolios/alerts.html",
        alerts=found,
        next_cursor=page.get("next_cursor"),
        problem=answer.problem,
    )
