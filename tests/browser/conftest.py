"""Browser tests of the web portal: a real Chromium (Debian's, driven by Playwright) on
the whole test stack (every service, the gateway and the portal as real processes).

Every test in this folder is marked `browser` and `e2e` and runs in the session's event
loop (one Chromium for the session). Fixtures:

- `portal_url`: the portal of the test stack.
- `browser`: the session's headless Chromium (`/usr/bin/chromium`).
- `page`: a fresh context (cookies) per test, locale fr-FR, desktop size, `base_url` =
  the portal (so `await page.goto("/login")` works); `phone_page`: the same at 375x812.
  Both fail the test at teardown if the page logged a Content-Security-Policy violation
  (an inline script or style somewhere).
- `shot`: `await shot(page, "name")` saves `artifacts/screenshots/<test>/<name>.png`.
- `axe`: `await axe(page)` runs the vendored axe-core on the page, writes every result to
  `artifacts/axe/<test>.json` and fails on any `serious` or `critical` violation.
- `http`: an httpx client on the gateway (API shortcuts of `helpers.py`).
Mail and SMS are read from the stack's sinks with `helpers.inbox` / `helpers.sms_code`.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Playwright, ViewportSize, async_playwright, expect

from devstack.stack import Stack

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "artifacts"
AXE_SOURCE = HERE / "vendor" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=375, height=812)
# Browser steps wait at most this long (a loaded machine: 8 helpers on 2 cores).
STEP_TIMEOUT_MS = 30_000
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
expect.set_options(timeout=STEP_TIMEOUT_MS)


# Every test of this folder carries these marks; the root conftest reads this line to leave the
# whole folder (and playwright) uncollected when `-m` can select none of them (`make test-unit`).
FOLDER_MARKS = [pytest.mark.browser, pytest.mark.e2e]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            for mark in FOLDER_MARKS:
                item.add_marker(mark)
            # Before pytest-asyncio's own marker: the session's loop, where the browser lives.
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


def test_slug(node: pytest.Item | Any) -> str:
    return re.sub(r"[^\w.-]+", "_", str(node.name)).strip("_")


@pytest.fixture(scope="session")
def portal_url(running_services: Stack) -> str:
    return running_services.service_url("portal")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright_driver() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright_driver: Playwright) -> AsyncIterator[Browser]:
    chromium = await playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    yield chromium
    await chromium.close()


async def _open(browser: Browser, portal_url: str, viewport: ViewportSize) -> tuple[BrowserContext, Page, list[str]]:
    context = await browser.new_context(
        base_url=portal_url, locale="fr-FR", viewport=viewport, timezone_id="Europe/Paris"
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = await context.new_page()
    violations: list[str] = []

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", console)
    return context, page, violations


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, portal_url: str) -> AsyncIterator[Page]:
    context, opened, violations = await _open(browser, portal_url, DESKTOP)
    yield opened
    await context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest_asyncio.fixture(loop_scope="session")
async def phone_page(browser: Browser, portal_url: str) -> AsyncIterator[Page]:
    context, opened, violations = await _open(browser, portal_url, PHONE)
    yield opened
    await context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Awaitable[Path]]:
    folder = ARTIFACTS / "screenshots" / test_slug(request.node)

    async def save(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (re.sub(r"[^\w.-]+", "_", name) + ".png")
        await page.screenshot(path=str(path), full_page=True)
        return path

    return save


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one readable line each."""
    lines = []
    for violation in violations:
        if violation.get("impact") in BLOCKING_IMPACTS:
            targets = [", ".join(node.get("target", [])) for node in violation.get("nodes", [])][:5]
            lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return lines


@pytest.fixture
def axe(request: pytest.FixtureRequest) -> Callable[[Page], Awaitable[list[dict[str, Any]]]]:
    results: list[dict[str, Any]] = []
    path = ARTIFACTS / "axe" / f"{test_slug(request.node)}.json"

    async def check(page: Page) -> list[dict[str, Any]]:
        # Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays strict.
        if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
            await page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
        result = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})")
        results.append({"url": page.url, "violations": result["violations"], "incomplete": result["incomplete"]})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        found = blocking(result["violations"])
        assert not found, f"accessibility violations on {page.url}:\n" + "\n".join(found)
        return list(result["violations"])

    return check


@pytest_asyncio.fixture(loop_scope="session")
async def http(running_services: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway's public API, for shortcuts a journey does not test itself."""
    async with httpx.AsyncClient(base_url=running_services.gateway_url, timeout=30) as client:
        yield client
