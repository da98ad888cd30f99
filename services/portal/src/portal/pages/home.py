"""The home page: where a logged-in person lands (the first login goes to onboarding)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from portal.web.session import SessionDep
from portal.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "home/index.html")
