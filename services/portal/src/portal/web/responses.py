"""Answers of the API handed to the browser as they are: documents (PDF, CSV, mbox)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from portal.ports import ApiAnswer

PASSED_HEADERS = ("content-type", "content-disposition")


def see_other(path: str) -> RedirectResponse:
    """After a form: the browser GETs `path` (303), so a reload never posts the form again."""
    return RedirectResponse(path, status_code=303)


def download(answer: ApiAnswer, filename: str | None = None) -> Response:
    """The API's document with its content type, as an attachment (`filename`, else the API's own name)."""
    headers = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_HEADERS}
    if filename:
        headers["content-disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    headers.setdefault("content-type", "application/octet-stream")
    return Response(answer.content, status_code=answer.status, headers=headers)
