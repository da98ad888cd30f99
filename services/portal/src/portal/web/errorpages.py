"""Pages for what a page raises: login needed, service unavailable, CSRF refused, not found."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.errors import CsrfRefused, LoginRequired, ServiceUnavailable
from portal.web.session import login_url, next_of
from portal.web.templating import render


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        # After a refused POST the form is gone: back to the page itself once logged in.
        target = next_of(request) if request.method == "GET" else "/"
        if request.headers.get("hx-request"):
            # htmx follows HX-Redirect with a full page load.
            return Response(status_code=204, headers={"HX-Redirect": login_url(target)})
        return RedirectResponse(login_url(target), status_code=303)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        response = render(request, "errors/unavailable.html", status=503)
        response.headers["Retry-After"] = exc.retry_after or "5"
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return render(request, "errors/forbidden.html", status=403)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        template = "errors/not_found.html" if exc.status_code == 404 else "errors/error.html"
        return render(request, template, status=exc.status_code, status_code=exc.status_code)
