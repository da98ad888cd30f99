"""The in-app mailbox (identity): the messages page by page (newest first, unread only on
request), one message (reading it marks it read), marking read or unread, everything read,
deleting, and the export as JSON or mbox downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.pages.kit import LoggedIn, api_of, download, form_of, render, translate
from portal.web.responses import see_other

router = APIRouter()
API = "/api/identity/accounts/me/mailbox"
PAGE_SIZE = 20
EXPORTS = {"json": "mailbox.json", "mbox": "mailbox.mbox"}


@router.get("/mailbox")
async def mailbox(request: Request, session: LoggedIn) -> Response:
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    unread_only = request.query_params.get("unread") == "1"
    if unread_only:
        params["unread"] = "true"
    cursor = request.query_params.get("cursor")
    if cursor:
        params["cursor"] = cursor
    answer = await api_of(request).call(session, "GET", API, params=params)
    if answer.problem is not None:
        return render(request, "mailbox/problem.html", status=answer.status, problem=answer.problem)
    return render(request, "mailbox/list.html", page=answer.body, unread_only=unread_only, first_page=not cursor)


@router.get("/mailbox/export")
async def export(request: Request, session: LoggedIn) -> Response:
    kind = request.query_params.get("format", "json")
    if kind not in EXPORTS:
        kind = "json"
    answer = await api_of(request).call(session, "GET", f"{API}/export", params={"format": kind})
    if answer.problem is not None:
        return render(request, "mailbox/problem.html", status=answer.status, problem=answer.problem)
    return download(answer, EXPORTS[kind])


@router.get("/mailbox/{message_id}")
async def message(request: Request, message_id: str, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "GET", f"{API}/{quote(message_id)}")
    if answer.problem is not None:
        return render(request, "mailbox/problem.html", status=answer.status, problem=answer.problem)
    return render(request, "mailbox/message.html", message=answer.body)


@router.post("/mailbox/read-all")
async def read_all(request: Request, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "POST", f"{API}/read-all")
    _ = translate(request)
    if answer.problem is None:
        session.flash(_("%(count)s message(s) marked as read.") % {"count": answer.body["marked"]})
    return see_other("/mailbox")


@router.post("/mailbox/{message_id}/mark")
async def mark(request: Request, message_id: str, session: LoggedIn) -> Response:
    form = await form_of(request)
    read = str(form.get("read", "true")) == "true"
    answer = await api_of(request).call(session, "PATCH", f"{API}/{quote(message_id)}", json={"read": read})
    if answer.problem is not None:
        return render(request, "mailbox/problem.html", status=answer.status, problem=answer.problem)
    _ = translate(request)
    session.flash(_("Message marked as read.") if read else _("Message marked as unread."))
    return see_other("/mailbox")


@router.post("/mailbox/{message_id}/delete")
async def delete(request: Request, message_id: str, session: LoggedIn) -> Response:
    answer = await api_of(request).call(session, "DELETE", f"{API}/{quote(message_id)}")
    if answer.problem is not None:
        return render(request, "mailbox/problem.html", status=answer.status, problem=answer.problem)
    _ = translate(request)
    session.flash(_("The message was deleted."))
    return see_other("/mailbox")
