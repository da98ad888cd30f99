"""The credit file (seed 003): search a company, its file (rating, score, limit, solvency index,
trends, provider link), the monthly score and credit-limit charts drawn server-side in SVG, the
last update and the manual sync; and the provider account the sync needs."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency
from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.pages.charts import ChartPoint, Tick, axis_ticks, line_chart, nice_ceiling, score_chart
from portal.pages.kit import (
    TREND_ARROWS,
    LoggedIn,
    api_of,
    country_options,
    errors_of,
    form_of,
    locale_of,
    rating_description,
    refusal,
    render,
    translate,
)
from portal.web.responses import see_other
from portal.web.session import safe_next

router = APIRouter()
API = "/api/ratings"


def month_points(series: list[dict[str, Any]], locale: str, shown: Any) -> list[ChartPoint]:
    points = []
    for point in series:
        start = date.fromisoformat(point["period_start"][:10])
        value = point["value"]
        points.append(ChartPoint(format_date(start, "MMM yyyy", locale=locale), value, shown(value)))
    return points


def charts(history: dict[str, Any], locale: str, _: Any) -> dict[str, Any]:
    """The two charts and their tables' rows from ratings' monthly history."""
    currency = history.get("currency") or "EUR"
    nothing = _("no data")
    scores = month_points(history["national_score"], locale, lambda v: nothing if v is None else f"{v}/100")
    limits_cents = [p["value"] for p in history["credit_limit_cents"] if p["value"] is not None]
    top_units = nice_ceiling(max(limits_cents, default=0) / 100)

    def money(value: int | None) -> str:
        return nothing if value is None else format_currency(value / 100, currency, locale=locale)

    limits = [
        ChartPoint(p.label, None if cents is None else cents / 100, money(cents))
        for p, cents in zip(
            month_points(history["credit_limit_cents"], locale, str),
            [q["value"] for q in history["credit_limit_cents"]],
            strict=True,
        )
    ]
    ticks = [Tick(v, format_compact_currency(v, currency, locale=locale)) for v in axis_ticks(top_units)]
    return {
        "score_svg": score_chart(
            scores,
            chart_id="score-chart",
            title=_("National score, monthly"),
            description=_("National score from 0 to 100, one point per month; the table below gives the figures."),
        ),
        "limit_svg": line_chart(
            limits,
            chart_id="limit-chart",
            title=_("Credit limit, monthly"),
            description=_("Credit limit, one point per month; the table below gives the figures."),
            top=top_units,
            ticks=ticks,
        ),
        "rows": [
            {"month": s.label, "score": s.shown, "limit": lim.shown} for s, lim in zip(scores, limits, strict=False)
        ],
    }


@router.get("/credit-files")
async def search(request: Request, session: LoggedIn) -> Response:
    country = request.query_params.get("country", "FR")
    number = request.query_params.get("number", "").strip()
    name = request.query_params.get("name", "").strip()
    results: list[dict[str, Any]] | None = None
    errors = errors_of(None)
    needs_account = False
    if "country" in request.query_params:
        params = {"country": country, **({"number": number} if number else {}), **({"name": name} if name else {})}
        answer = await api_of(request).call(session, "GET", f"{API}/companies", params=params)
        if answer.problem is None:
            results = answer.body
        else:
            errors = errors_of(answer.problem)
            needs_account = answer.status == 409
    return render(
        request,
        "ratings/search.html",
        countries=country_options(request),
        country=country,
        number=number,
        name=name,
        results=results,
        errors=errors,
        needs_account=needs_account,
    )


@router.get("/credit-files/{country}/{number}")
async def credit_file(request: Request, country: str, number: str, session: LoggedIn) -> Response:
    api = api_of(request)
    path = f"{API}/companies/{quote(country)}/{quote(number)}"
    answer = await api.call(session, "GET", path)
    if answer.problem is not None:
        return refusal(request, "ratings/unavailable.html", answer)
    history = await api.call(session, "GET", f"{path}/history", params={"period": "month", "aggregate": "last"})
    _ = translate(request)
    file = answer.body
    return render(
        request,
        "ratings/file.html",
        file=file,
        description=rating_description(file["rating"]["common"], _),
        arrows=TREND_ARROWS,
        chart=None if history.problem else charts(history.body, locale_of(request), _),
        history_problem=history.problem,
    )


@router.post("/credit-files/{country}/{number}/sync")
async def sync(request: Request, country: str, number: str, session: LoggedIn) -> Response:
    path = f"{API}/companies/{quote(country)}/{quote(number)}"
    answer = await api_of(request).call(session, "POST", f"{path}/sync")
    _ = translate(request)
    if answer.problem is None:
        session.flash(_("The credit file was updated from the provider."))
        return see_other(f"/credit-files/{quote(country)}/{quote(number)}")
    return refusal(request, "ratings/unavailable.html", answer, back=f"/credit-files/{quote(country)}/{quote(number)}")


@router.get("/provider-account")
async def provider_account(request: Request, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "GET", f"{API}/provider-account")
    account = answer.body if answer.problem is None else None
    return render(
        request,
        "ratings/provider_account.html",
        account=account,
        errors=errors_of(None),
        username="",
        next=request.query_params.get("next", ""),
    )


@router.post("/provider-account")
async def connect_provider_account(request: Request, session: LoggedIn) -> Response:
    form = await form_of(request)
    username = str(form.get("username", "")).strip()
    body = {"username": username, "password": str(form.get("password", ""))}
    answer = await api_of(request).call(session, "PUT", f"{API}/provider-account", json=body)
    target = str(form.get("next", ""))
    if answer.problem is None:
        _ = translate(request)
        session.flash(_("Your provider account is connected."))
        # Back to the page that needed the account, if it is one of this site's.
        return see_other(target if safe_next(target) == target else "/provider-account")
    return render(
        request,
        "ratings/provider_account.html",
        status=answer.status,
        account=None,
        errors=errors_of(answer.problem),
        username=username,
        next=target,
    )


@router.post("/provider-account/delete")
async def forget_provider_account(request: Request, session: LoggedIn) -> Response:
    await api_of(request).call(session, "DELETE", f"{API}/provider-account")
    _ = translate(request)
    session.flash(_("Your provider account was disconnected."))
    return see_other("/provider-account")
