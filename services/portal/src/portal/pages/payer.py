"""The payer's self-care pages (seed 002): first connection by the order's email,
schedules in progress and completed with each installment's status, the card on
file and its change under the card rules, and the regularisation of an unpaid
amount in 1, 2 or 3 payments with the accepted and rejected messages.

Every rule is billing's: the pages show what the API answers (its rule errors
next to the field they concern, translated where the message is known)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.pages.payer_teams_common import (
    REGULARISATION_RULES,
    api_of,
    card_body,
    form_of,
    is_problem,
    page,
    translated_errors,
)
from portal.web.responses import see_other
from portal.web.session import current_session, require_login

router = APIRouter()

BILLING = "/api/billing"
IDENTITY = "/api/identity"
# The collections phone number as billing words it in a rejected payment's detail.
PHONE = re.compile(r"(\+?\d[\d .]{6,}\d)\s*$")


def collections_phone(detail: str | None) -> str | None:
    """The number to call, taken from billing's 402 detail (billing's setting)."""
    match = PHONE.search(detail or "")
    return match.group(1) if match else None


def tel_href(phone: str) -> str:
    return "tel:" + re.sub(r"[^\d+]", "", phone)


# --- first connection -----------------------------------------------------------------


@router.get("/first-connection/request")
async def first_connection_request_form(request: Request) -> Response:
    return page(request, "payer/first_connection_request.html", email="", errors=translated_errors(request, None))


async def _first_connection_step(
    request: Request,
    path: str,
    body: dict[str, Any],
    form: dict[str, Any],
    *,
    pages: tuple[str, str],
    done: dict[str, Any] | None = None,
    code_fields: dict[str, str] | None = None,
) -> Response:
    """POST a first-connection form's body as the visitor's session: the next page (`pages[1]`,
    with `done`), or the form (`pages[0]`) again with what it was given and the API's errors next
    to its fields (a 5xx that is no refusal of the form: shown on it, at 200)."""
    session = await current_session(request)
    answer = await api_of(request).call(session, "POST", f"{IDENTITY}/customers/{path}", json=body)
    if is_problem(answer):
        errors = translated_errors(request, answer, code_fields=code_fields)
        status = answer.status if answer.status < 500 else 200
        return page(request, pages[0], status=status, errors=errors, **form)
    return page(request, pages[1], **(done or {}))


@router.post("/first-connection/request")
async def first_connection_request(request: Request) -> Response:
    form = await form_of(request)
    email = str(form.get("email", "")).strip()
    pages = ("payer/first_connection_request.html", "payer/first_connection_sent.html")
    given = {"email": email}
    return await _first_connection_step(request, "first-connection", given, given, pages=pages, done=given)


@router.get("/first-connection")
async def first_connection_form(request: Request) -> Response:
    return page(request, "payer/first_connection.html", token="", errors=translated_errors(request, None))


@router.post("/first-connection")
async def first_connection(request: Request) -> Response:
    form = await form_of(request)
    token = str(form.get("token", "")).strip()
    body = {
        "token": token,
        "password": str(form.get("password", "")),
        "password_confirmation": str(form.get("password_confirmation", "")),
    }
    pages = ("payer/first_connection.html", "payer/first_connection_done.html")
    code_fields = {"first-connection-token-invalid": "token"}
    path = "first-connection/complete"
    return await _first_connection_step(request, path, body, {"token": token}, pages=pages, code_fields=code_fields)


# --- schedules ------------------------------------------------------------------------


async def _details(request: Request, session: Any, summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    api = api_of(request)
    answers = await asyncio.gather(
        *(api.call(session, "GET", f"{BILLING}/schedules/{s['schedule_id']}") for s in summaries)
    )
    return [a.body for a in answers if not is_problem(a)]


@router.get("/payer/schedules")
async def schedules(request: Request, state: str = "in_progress") -> Response:
    session = await require_login(request)
    if state not in ("in_progress", "completed"):
        state = "in_progress"
    answer = await api_of(request).call(session, "GET", f"{BILLING}/schedules/mine", params={"state": state})
    if is_problem(answer):
        return page(
            request,
            "payer/schedules.html",
            status=answer.status,
            state=state,
            schedules=[],
            errors=translated_errors(request, answer),
        )
    found = await _details(request, session, list(answer.body or []))
    return page(request, "payer/schedules.html", state=state, schedules=found, errors=translated_errors(request, None))


async def _schedule(request: Request, schedule_id: str) -> tuple[Any, Any, Response | None]:
    """The logged-in payer's session and schedule, or the not-found page (not theirs, or none)."""
    session = await require_login(request)
    answer = await api_of(request).call(session, "GET", f"{BILLING}/schedules/{schedule_id}")
    if is_problem(answer):
        return session, None, page(request, "payer/not_found.html", status=404)
    return session, answer.body, None


@router.get("/payer/schedules/{schedule_id}/card")
async def card_form(request: Request, schedule_id: str) -> Response:
    _session, schedule, missing = await _schedule(request, schedule_id)
    if missing is not None:
        return missing
    return page(request, "payer/card.html", schedule=schedule, values={}, errors=translated_errors(request, None))


def _rule_context(schedule: dict[str, Any]) -> dict[str, str]:
    """The dates the card rules' messages name, from the schedule itself."""
    pending = [i["due_date"] for i in schedule.get("installments", []) if i["status"] in ("pending", "unpaid")]
    return {
        "last_installment": schedule["installments"][-1]["due_date"] if schedule.get("installments") else "",
        "next_debit": schedule.get("next_debit_date") or (pending[0] if pending else ""),
    }


@router.post("/payer/schedules/{schedule_id}/card")
async def change_card(request: Request, schedule_id: str) -> Response:
    session, schedule, missing = await _schedule(request, schedule_id)
    if missing is not None:
        return missing
    form = await form_of(request)
    values = {k: str(form.get(k, "")) for k in ("card.number", "card.expiry_month", "card.expiry_year")}
    body, local = card_body(request, values)
    if local is not None:
        return page(request, "payer/card.html", status=422, schedule=schedule, values=values, errors=local)
    answer = await api_of(request).call(session, "PUT", f"{BILLING}/schedules/{schedule_id}/card", json=body)
    if is_problem(answer):
        errors = translated_errors(request, answer, prefix="card.", rules=_rule_context(schedule))
        return page(request, "payer/card.html", status=answer.status, schedule=schedule, values=values, errors=errors)
    return page(request, "payer/card_changed.html", schedule=schedule, card=answer.body)


@router.get("/payer/schedules/{schedule_id}/regularisation")
async def regularisation_form(request: Request, schedule_id: str) -> Response:
    _session, schedule, missing = await _schedule(request, schedule_id)
    if missing is not None:
        return missing
    return page(
        request,
        "payer/regularisation.html",
        schedule=schedule,
        values={"payments": "1"},
        errors=translated_errors(request, None),
    )


@router.post("/payer/schedules/{schedule_id}/regularisation")
async def regularise(request: Request, schedule_id: str) -> Response:
    session, schedule, missing = await _schedule(request, schedule_id)
    if missing is not None:
        return missing
    form = await form_of(request)
    values = {k: str(form.get(k, "")) for k in ("payments", "card.number", "card.expiry_month", "card.expiry_year")}
    options: dict[str, list[int]] = {str(k): v for k, v in (schedule.get("regularisation_options") or {}).items()}
    body: dict[str, Any] = {"payments": int(values["payments"]) if values["payments"].isdigit() else values["payments"]}
    if values["card.number"].strip():
        card, local = card_body(request, values)
        if local is not None:
            return page(
                request,
                "payer/regularisation.html",
                status=422,
                schedule=schedule,
                values=values,
                errors=local,
            )
        body["card"] = card
    first = (options.get(values["payments"]) or [0])[0]
    answer = await api_of(request).call(session, "POST", f"{BILLING}/schedules/{schedule_id}/regularisation", json=body)
    if answer.status == 402:
        detail = answer.problem.detail if answer.problem else None
        phone = collections_phone(detail)
        return page(
            request,
            "payer/regularisation_rejected.html",
            status=402,
            schedule=schedule,
            amount_cents=first,
            phone=phone,
            phone_href=tel_href(phone) if phone else None,
        )
    if is_problem(answer):
        errors = translated_errors(request, answer, prefix="card.", rule_messages=REGULARISATION_RULES)
        return page(
            request,
            "payer/regularisation.html",
            status=answer.status,
            schedule=schedule,
            values=values,
            errors=errors,
        )
    result = answer.body
    paid = result["regularisation"]["payments"][0]["amount_cents"] if result.get("regularisation") else first
    return page(request, "payer/regularisation_accepted.html", schedule=result, amount_cents=paid)


@router.get("/payer")
async def payer_home(request: Request) -> Response:
    return see_other("/payer/schedules")
