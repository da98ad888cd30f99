"""The home page: where a logged-in person lands (the first login goes to onboarding)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from portal.pages.onboarding import next_step
from portal.web.session import SessionDep
from portal.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, session: SessionDep) -> HTMLResponse:
    step = await next_step(request, session) if session.has_role("member") else None
    return render(request, "home/index.html", onboarding_step=step)
