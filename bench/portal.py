"""The portal's pages, timed as a browser gets them (on loopback, so the figures are the
portal's server time plus what it waits for behind it): the login page (a template and
an anonymous session), the home page after login (a session read, one API call through
the gateway to billing), and the login form post (CSRF check, identity's argon2id
verification through the gateway, a new session, the billing profile). One request at a
time: a page's own latency, not the machine's throughput."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from bench.stats import latency_summary
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, merchant

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def _timed(send: Any, count: int) -> dict[str, Any]:
    timings: list[float] = []
    statuses: dict[int, int] = {}
    for _ in range(count):
        started = time.perf_counter()
        answer = await send()
        timings.append(time.perf_counter() - started)
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    return {"requests": count, "statuses": statuses, **latency_summary(timings)}


async def bench_portal(stack: Stack, pages: int = 200, posts: int = 40) -> dict[str, Any]:
    portal = stack.service_url("portal")
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as api:
        email, _auth = await merchant(stack, api)  # onboarded: home is the home, not the onboarding

    async with httpx.AsyncClient(base_url=portal, timeout=30) as anonymous:
        await anonymous.get("/login")  # warm-up; the session cookie is kept from here on
        login_page = await _timed(lambda: anonymous.get("/login"), pages)

    async def log_in() -> httpx.Response:
        async with httpx.AsyncClient(base_url=portal, timeout=30) as browser:
            token = _csrf((await browser.get("/login")).text)
            started = time.perf_counter()
            answer = await browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
            post_times.append(time.perf_counter() - started)
            return answer

    post_times: list[float] = []
    statuses: dict[int, int] = {}
    for _ in range(posts):
        answer = await log_in()
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    login_post = {"requests": posts, "statuses": statuses, **latency_summary(post_times)}

    async with httpx.AsyncClient(base_url=portal, timeout=30) as browser:
        token = _csrf((await browser.get("/login")).text)
        logged = await browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert logged.status_code == 303, logged.text
        assert (await browser.get("/")).status_code == 200
        home = await _timed(lambda: browser.get("/"), pages)

    return {
        "what": "server time of the portal's main pages, one request at a time, on loopback",
        "login_page": login_page,
        "home_after_login": home,
        "login_form_post": login_post,
    }
