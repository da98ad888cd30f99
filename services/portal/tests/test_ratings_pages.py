"""The credit file, portfolio, mailbox and migration pages on an in-memory fake of the gateway
port (`portal.ports.Api`) and of the session store: what each page asks the API, and how it
shows the answers (charts, errors next to their fields, the 409 without a provider account, the
check's progress fragment for htmx, downloads). The real stack is in tests/browser/."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from portal.ports import Session
from portal.settings import PortalSettings
from portal.store.sessions import new_session

from .fakes import FakeApi, MemorySessions, ok, problem


@dataclass
class Browser:
    client: TestClient
    api: FakeApi
    sessions: MemorySessions
    session_id: str

    @property
    def session(self) -> Session:
        """The browser's session as the store holds it now (a test may change it there)."""
        return self.sessions.saved[self.session_id]

    def post(self, path: str, form: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.session.csrf_secret, **(form or {})}, **kwargs)


@pytest.fixture
def browser() -> Browser:
    api = FakeApi(strict=True)
    sessions = MemorySessions()
    app = create_app(PortalSettings(environment="test"), api=api, sessions=sessions)
    session = new_session(datetime.now(UTC), timedelta(hours=1))
    session.access_token, session.email, session.roles = "token", "jeanne@example.fr", ["member"]
    sessions.saved[session.id] = replace(session, new=False)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(app.state.portal.settings.session_cookie, session.id)
    return Browser(client, api, sessions, session.id)


FILE = {
    "company_id": "FR-732829320",
    "country": "FR",
    "registration_number": "732829320",
    "name": "CEGID",
    "rating": {"common": "A", "description": "Very low risk", "provider_value": "82"},
    "national_score": 82,
    "credit_limit": {"cents": 500_000_000, "currency": "EUR"},
    "solvency_index": 80,
    "trends": {"profitability": "down", "liquidity": "up", "net_worth": "up", "payment": "flat"},
    "provider": "local",
    "provider_url": "https://provider.example/FR-X-732829320",
    "synchronised_at": "2025-07-08T10:00:00+00:00",
}
COMPANY = "/api/ratings/companies/FR/732829320"


def history(scores: list[int | None]) -> dict[str, Any]:
    months = [f"{2024 + (i // 12)}-{(i % 12) + 1:02d}-01" for i in range(len(scores))]
    return {
        "company_id": "FR-732829320",
        "period": "month",
        "aggregate": "last",
        "currency": "EUR",
        "national_score": [{"period_start": m, "value": s} for m, s in zip(months, scores, strict=True)],
        "credit_limit_cents": [
            {"period_start": m, "value": None if s is None else s * 10_000_00}
            for m, s in zip(months, scores, strict=True)
        ],
    }


def test_the_credit_file_shows_its_figures_and_two_monthly_charts_with_their_table(browser: Browser) -> None:
    scores: list[int | None] = [60 + (i % 5) for i in range(23)] + [None]
    browser.api.replies[("GET", COMPANY)] = ok(FILE)
    browser.api.replies[("GET", f"{COMPANY}/history")] = ok(history(scores))
    page = browser.client.get("/credit-files/FR/732829320")
    assert page.status_code == 200, page.text
    assert browser.api.calls[1]["params"] == {"period": "month", "aggregate": "last"}
    html = page.text
    assert "CEGID" in html
    assert "Risque très faible" in html  # the rating's description, in French
    assert "82/100" in html
    assert "5\u202f000\u202f000,00\xa0€" in html  # the limit, formatted for fr
    assert html.count('role="img"') == 2
    assert 'id="score-chart"' in html
    assert 'id="limit-chart"' in html
    rows = re.findall(r"<tr><th scope=\"row\">", html)
    assert len(rows) == 24  # one table row per month, the month without data included
    assert "pas de données" in html
    assert 'action="/credit-files/FR/732829320/sync"' in html


def test_the_manual_sync_without_a_provider_account_says_how_to_connect_one(browser: Browser) -> None:
    browser.api.replies[("POST", f"{COMPANY}/sync")] = problem(409, "no provider account: PUT /provider-account")
    page = browser.post("/credit-files/FR/732829320/sync")
    assert page.status_code == 409
    assert 'id="no-provider-account"' in page.text
    assert "Un compte fournisseur est nécessaire" in page.text
    assert 'href="/provider-account?next=/credit-files/FR/732829320"' in page.text


def test_a_sync_done_goes_back_to_the_file_with_a_message(browser: Browser) -> None:
    browser.api.replies[("POST", f"{COMPANY}/sync")] = ok(FILE)
    answer = browser.post("/credit-files/FR/732829320/sync")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/credit-files/FR/732829320"
    assert browser.session.flashes == [("info", "La fiche a été mise à jour auprès du fournisseur.")]


def test_a_refused_provider_password_is_shown_next_to_the_password_field(browser: Browser) -> None:
    browser.api.replies[("PUT", "/api/ratings/provider-account")] = problem(
        422, "rejected", password="the provider refused these credentials"
    )
    page = browser.post("/provider-account", {"username": "me", "password": "wrong-password", "next": ""})
    assert page.status_code == 422
    assert browser.api.calls[0]["json"] == {"username": "me", "password": "wrong-password"}
    assert re.search(r'id="f-password"[^>]*aria-describedby="f-password-error"[^>]*aria-invalid="true"', page.text)
    assert 'id="f-password-error">the provider refused these credentials<' in page.text


def test_a_connected_account_returns_to_the_page_that_needed_it_and_never_elsewhere(browser: Browser) -> None:
    browser.api.replies[("PUT", "/api/ratings/provider-account")] = ok({"username": "me"})
    back = browser.post("/provider-account", {"username": "me", "password": "pw", "next": "/credit-files/FR/1"})
    assert back.headers["location"] == "/credit-files/FR/1"
    away = browser.post("/provider-account", {"username": "me", "password": "pw", "next": "//evil.example/"})
    assert away.headers["location"] == "/provider-account"


PORTFOLIO = {
    "portfolio_id": "p1",
    "name": "Clients clés",
    "owner_id": "a1",
    "provider": "local",
    "active": True,
    "alert_on_new_event": True,
    "company_space": None,
    "last_monitored_at": "2025-07-29T14:37:05+00:00",
    "company_count": 1,
    "version": 3,
    "companies": [
        {
            "company_id": "FR-732829320",
            "country": "FR",
            "registration_number": "732829320",
            "name": "CEGID",
            "last_event_date": "2025-07-01T08:45:56+00:00",
            "rating": "A",
            "rating_description": "Very low risk",
            "credit_limit": {"cents": 500_000_000, "currency": "EUR"},
            "state": "up_to_date",
        }
    ],
}


def test_a_bad_company_number_is_shown_next_to_the_number_field(browser: Browser) -> None:
    browser.api.replies[("POST", "/api/ratings/portfolios/p1/companies")] = problem(
        422, "invalid", **{"companies.0.registration_number": "not a valid SIREN: check digits"}
    )
    browser.api.replies[("GET", "/api/ratings/portfolios/p1")] = ok(PORTFOLIO)
    page = browser.post("/portfolios/p1/companies", {"country": "fr", "registration_number": " 123 ", "name": ""})
    assert page.status_code == 422
    assert browser.api.calls[0]["json"] == {"companies": [{"country": "FR", "registration_number": "123"}]}
    assert 'id="f-registration_number-error">not a valid SIREN: check digits<' in page.text
    assert 'href="#f-registration_number"' in page.text  # the summary links to the field
    assert "À jour" in page.text


def test_a_blank_portfolio_name_is_shown_next_to_the_name_field(browser: Browser) -> None:
    browser.api.replies[("POST", "/api/ratings/portfolios")] = problem(422, "invalid", name="the name is empty")
    page = browser.post("/portfolios", {"name": " ", "alert_on_new_event": "yes"})
    assert page.status_code == 422
    assert browser.api.calls[0]["json"] == {"name": " ", "alert_on_new_event": True, "companies": []}
    assert 'id="f-name-error">the name is empty<' in page.text


def test_an_uploaded_csv_is_sent_as_the_body_and_its_refusal_shown_next_to_the_file_field(browser: Browser) -> None:
    browser.api.replies[("POST", "/api/ratings/portfolios/p1/import")] = problem(415, "the CSV is not UTF-8")
    browser.api.replies[("GET", "/api/ratings/portfolios/p1")] = ok(PORTFOLIO)
    page = browser.client.post(
        "/portfolios/p1/import",
        data={"csrf_token": browser.session.csrf_secret},
        files={"file": ("clients.csv", b"country;registration_number\nFR;732829320\n", "application/vnd.ms-excel")},
    )
    assert page.status_code == 415
    sent = browser.api.calls[0]
    assert sent["content"] == b"country;registration_number\nFR;732829320\n"
    assert sent["headers"] == {"Content-Type": "text/csv"}
    assert 'id="f-file-error">the CSV is not UTF-8<' in page.text


def test_the_export_is_a_download(browser: Browser) -> None:
    csv = b"country,registration_number,name\r\nFR,732829320,CEGID\r\n"
    browser.api.replies[("GET", "/api/ratings/portfolios/p1/export")] = ok(
        None, content=csv, headers={"content-type": "text/csv; charset=utf-8"}
    )
    answer = browser.client.get("/portfolios/p1/export")
    assert answer.content == csv
    assert answer.headers["content-disposition"] == "attachment; filename*=UTF-8''portfolio-p1.csv"


def job(done: int, total: int, state: str) -> dict[str, Any]:
    return {
        "job_id": "j1",
        "portfolio_id": "p1",
        "state": state,
        "done": done,
        "total": total,
        "counts": {"unchanged": done, "new_events": 0, "failed": 0, "pending": total - done},
        "outcomes": [],
        "alert_on_new_event": True,
        "created_at": "2025-07-29T14:37:05+00:00",
        "finished_at": None,
    }


def test_check_new_events_shows_a_progress_that_htmx_refreshes_until_the_job_ends(browser: Browser) -> None:
    browser.api.replies[("POST", "/api/ratings/portfolios/p1/checks")] = ok(job(0, 4, "running"), status=202)
    started = browser.post("/portfolios/p1/checks")
    assert started.headers["location"] == "/portfolios/p1/checks/j1"
    browser.api.replies[("GET", "/api/ratings/portfolios/p1/checks/j1")] = ok(job(1, 4, "running"))
    page = browser.client.get("/portfolios/p1/checks/j1")
    assert '<progress id="check-bar" max="4" value="1">' in page.text
    assert 'hx-get="/portfolios/p1/checks/j1"' in page.text
    assert 'href="/portfolios/p1/checks/j1"' in page.text  # the refresh link without JavaScript
    assert "<html" in page.text
    fragment = browser.client.get("/portfolios/p1/checks/j1", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="check-progress"')
    assert "<html" not in fragment.text
    browser.api.replies[("GET", "/api/ratings/portfolios/p1/checks/j1")] = ok(job(4, 4, "done"))
    finished = browser.client.get("/portfolios/p1/checks/j1", headers={"HX-Request": "true"})
    assert "hx-get" not in finished.text
    assert "4 entreprises vérifiées sur 4" in finished.text


def test_check_new_events_without_a_provider_account_says_how_to_connect_one(browser: Browser) -> None:
    browser.api.replies[("POST", "/api/ratings/portfolios/p1/checks")] = problem(409, "no provider account")
    page = browser.post("/portfolios/p1/checks")
    assert page.status_code == 409
    assert 'href="/provider-account?next=/portfolios/p1"' in page.text


MESSAGE = {
    "message_id": "m1",
    "source": "alert",
    "received_at": "2025-07-29T14:37:05+00:00",
    "sender": "alertes@creditdesk.dev",
    "subject": "CEGID : note A → B",
    "body": "La note de CEGID passe de A à B.",
    "link": None,
    "details": {
        "company_country": "FR",
        "company_number": "732829320",
        "company_name": "CEGID",
        "portfolio_id": "p1",
        "old_value": "A",
        "new_value": "B",
        "kind": "rating_changed",
    },
    "read": False,
    "read_at": None,
}


def test_the_mailbox_lists_pages_and_exports_as_downloads(browser: Browser) -> None:
    mailbox = "/api/identity/accounts/me/mailbox"
    browser.api.replies[("GET", mailbox)] = ok({"messages": [MESSAGE], "unread": 1, "total": 1, "next_cursor": "c2"})
    page = browser.client.get("/mailbox")
    assert browser.api.calls[0]["params"] == {"limit": 20}
    assert "CEGID : note A → B" in page.text
    assert 'href="/mailbox?cursor=c2"' in page.text
    browser.client.get("/mailbox?unread=1&cursor=c2")
    assert browser.api.calls[1]["params"] == {"limit": 20, "unread": "true", "cursor": "c2"}
    browser.api.replies[("GET", f"{mailbox}/export")] = ok(
        None, content=b"From x\n", headers={"content-type": "application/mbox"}
    )
    mbox = browser.client.get("/mailbox/export?format=mbox")
    assert browser.api.calls[2]["params"] == {"format": "mbox"}
    assert mbox.headers["content-disposition"] == "attachment; filename*=UTF-8''mailbox.mbox"
    assert mbox.content == b"From x\n"


def test_marking_and_deleting_a_message(browser: Browser) -> None:
    mailbox = "/api/identity/accounts/me/mailbox"
    browser.api.replies[("PATCH", f"{mailbox}/m1")] = ok({**MESSAGE, "read": False})
    assert browser.post("/mailbox/m1/mark", {"read": "false"}).status_code == 303
    assert browser.api.calls[0]["json"] == {"read": False}
    browser.api.replies[("DELETE", f"{mailbox}/m1")] = ok(None, status=204)
    assert browser.post("/mailbox/m1/delete").headers["location"] == "/mailbox"
    browser.api.replies[("GET", f"{mailbox}/m1")] = problem(404, "no such message")
    assert browser.client.get("/mailbox/m1").status_code == 404


def test_the_migration_goes_from_the_old_login_to_the_new_identifiers(browser: Browser) -> None:
    browser.session.access_token = None  # an anonymous visitor
    browser.api.replies[("POST", "/api/identity/legacy/sessions")] = ok(
        {"migration_token": "T-1", "company_name": "DUPONT SA", "expires_in": 1800, "next": "/legacy/migrations"}
    )
    page = browser.post("/migration", {"login": " dupont.sa ", "password": "ancien"})
    assert browser.api.calls[0]["json"] == {"login": "dupont.sa", "password": "ancien"}
    assert 'name="migration_token" value="T-1"' in page.text
    assert "DUPONT SA" in page.text
    browser.api.replies[("POST", "/api/identity/legacy/migrations")] = problem(
        422, "invalid", password_confirmation="the passwords differ"
    )
    refused = browser.post(
        "/migration/account",
        {"migration_token": "T-1", "email": "j@example.fr", "password": "A-good-1!", "password_confirmation": "x"},
    )
    assert refused.status_code == 422
    assert 'id="f-password_confirmation-error">the passwords differ<' in refused.text
    assert 'name="migration_token" value="T-1"' in refused.text
    browser.api.replies[("POST", "/api/identity/legacy/migrations")] = ok({"status": "sent"}, status=202)
    sent = browser.post(
        "/migration/account",
        {
            "migration_token": "T-1",
            "email": "j@example.fr",
            "password": "A-good-1!",
            "password_confirmation": "A-good-1!",
        },
    )
    assert sent.status_code == 200
    assert "j@example.fr" in sent.text


def test_a_wrong_old_password_and_an_expired_ticket(browser: Browser) -> None:
    browser.api.replies[("POST", "/api/identity/legacy/sessions")] = problem(401, "wrong login or password")
    page = browser.post("/migration", {"login": "dupont.sa", "password": "nope"})
    assert page.status_code == 401
    assert 'value="dupont.sa"' in page.text
    browser.api.replies[("POST", "/api/identity/legacy/mailbox/export")] = problem(400, "invalid ticket")
    expired = browser.post("/migration/mailbox-export", {"migration_token": "old"})
    assert expired.status_code == 400
    assert 'href="/migration"' in expired.text
