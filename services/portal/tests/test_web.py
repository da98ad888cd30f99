"""The portal's web layer without a stack: CSRF, the API's problems on forms, the access
log without query strings, the security headers, sessions renewed at login."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from portal.adapters.api import field_name, parse_problem
from portal.app import create_app
from portal.settings import PortalSettings
from portal.web.accesslog import AccessLogMiddleware
from portal.web.forms import FormErrors, field_id
from portal.web.security import CSP

from .fakes import FakeApi, MemorySessions, answer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def sessions() -> MemorySessions:
    return MemorySessions()


@pytest.fixture
def client(api: FakeApi, sessions: MemorySessions) -> TestClient:
    settings = PortalSettings(environment="test", cookie_secure=False)
    return TestClient(create_app(settings, api=api, sessions=sessions), follow_redirects=False)


def token_of(page: str) -> str:
    found = CSRF.search(page)
    assert found
    return found.group(1)


# --- CSRF ------------------------------------------------------------------------------


def test_a_form_post_without_the_csrf_token_is_refused_with_a_page(client: TestClient) -> None:
    client.get("/login")
    refused = client.post("/lang", data={"lang": "en", "next": "/"})
    assert refused.status_code == 403
    assert "Formulaire expiré" in refused.text
    assert "lang" not in refused.cookies


def test_a_form_post_with_the_session_token_passes(client: TestClient) -> None:
    token = token_of(client.get("/login").text)
    switched = client.post("/lang", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    assert switched.cookies["lang"] == "en"
    assert "Log in" in client.get("/login").text


def test_htmx_sends_the_token_as_a_header(client: TestClient) -> None:
    token = token_of(client.get("/login").text)
    assert client.post("/lang", data={"lang": "en"}, headers={"X-CSRF-Token": token}).status_code == 303
    assert client.post("/lang", data={"lang": "en"}, headers={"X-CSRF-Token": token + "x"}).status_code == 403


def test_another_sessions_token_is_refused(api: FakeApi, sessions: MemorySessions) -> None:
    app = create_app(PortalSettings(environment="test"), api=api, sessions=sessions)
    first, second = TestClient(app, follow_redirects=False), TestClient(app, follow_redirects=False)
    token = token_of(first.get("/login").text)
    second.get("/login")
    assert second.post("/lang", data={"lang": "en", "csrf_token": token}).status_code == 403


def test_a_post_without_any_session_is_refused(client: TestClient) -> None:
    assert client.post("/login", data={"email": "a@b.fr", "password": "x", "csrf_token": "guess"}).status_code == 403


# --- sessions ------------------------------------------------------------------------------


def test_login_renews_the_session_and_keeps_the_tokens_on_the_server(
    client: TestClient, api: FakeApi, sessions: MemorySessions
) -> None:
    api.replies[("POST", "/api/identity/sessions")] = answer(200, {"access_token": "A1", "refresh_token": "R1"})
    api.replies[("GET", "/api/identity/accounts/me")] = answer(
        200,
        {"account_id": "acc", "email": "a@b.fr", "account_kind": "customer", "roles": [], "display_name": "Ana"},
    )
    token = token_of(client.get("/login").text)
    anonymous = client.cookies["portal_session"]
    logged = client.post("/login", data={"email": "a@b.fr", "password": "pw", "csrf_token": token})
    assert logged.status_code == 303
    assert logged.headers["location"] == "/"
    cookie = logged.cookies["portal_session"]
    assert cookie != anonymous  # no fixation
    assert anonymous not in sessions.saved
    assert sessions.saved[cookie].access_token == "A1"
    assert sessions.saved[cookie].roles == ["customer"]
    assert "A1" not in logged.text
    assert "R1" not in str(logged.headers)
    set_cookie = logged.headers["set-cookie"].lower()
    assert "httponly" in set_cookie
    assert "samesite=lax" in set_cookie


def test_a_former_portals_login_is_sent_to_the_migration_screen(client: TestClient, api: FakeApi) -> None:
    api.replies[("POST", "/api/identity/sessions")] = answer(
        409,
        {"type": "https://creditdesk.dev/problems/legacy-migration-required", "status": 409, "detail": "migrate"},
    )
    token = token_of(client.get("/login").text)
    sent = client.post("/login", data={"email": "old@b.fr", "password": "pw", "csrf_token": token})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/migration"
    assert "abord votre compte" in client.get("/migration").text


def test_cookies_are_secure_outside_development() -> None:
    assert PortalSettings(environment="production").secure_cookies
    assert PortalSettings(environment="test").secure_cookies
    assert not PortalSettings(environment="development").secure_cookies
    assert not PortalSettings(environment="production", cookie_secure=False).secure_cookies


def test_a_logged_in_page_sends_anonymous_people_to_the_login_page(client: TestClient) -> None:
    answer = client.get("/onboarding?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/onboarding%3Fx%3D1"


def test_a_redirect_after_login_stays_on_the_site(client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        page = client.get("/login", params={"next": target}).text
        assert 'name="next" value="/"' in page


# --- the API's problems on forms ----------------------------------------------------------------


def test_field_names_from_api_locations() -> None:
    assert field_name(["body", "iban"]) == "iban"
    assert field_name("body.iban") == "iban"
    assert field_name("billing_address.city") == "billing_address.city"
    assert field_name(["body", "items", 0, "amount"]) == "items.0.amount"
    assert field_name(["query", "token"]) == "token"


def test_a_validation_problem_maps_each_error_to_its_field() -> None:
    problem = parse_problem(
        422,
        {
            "status": 422,
            "code": "validation",
            "detail": "siret: is not a valid SIRET; password: must contain a digit",
            "errors": [
                {"field": "siret", "message": "is not a valid SIRET"},
                {"field": "password", "message": "must contain a digit"},
                {"field": "password", "message": "must contain a special character"},
                {"field": "address.city", "message": "Field required"},
                {"field": "body", "message": "line 1, column 3: expecting value"},
            ],
        },
    )
    assert problem.code == "validation"
    errors = FormErrors.from_problem(problem, ["siret", "password", "address.city"])
    assert errors.for_field("siret") == "is not a valid SIRET"
    assert errors.for_field("password") == "must contain a digit; must contain a special character"
    assert errors.for_field("address.city") == "Field required"
    assert errors.general == ["body: line 1, column 3: expecting value"]  # no such field: above the form
    assert field_id("address.city") == "f-address-city"


def test_fastapis_own_validation_shape_is_read_too() -> None:
    problem = parse_problem(422, {"detail": [{"loc": ["body", "iban"], "msg": "Field required"}]})
    assert problem.field_errors == {"iban": "Field required"}


def test_a_problem_without_field_errors_is_shown_above_the_form() -> None:
    problem = parse_problem(409, {"status": 409, "detail": "the profile changed meanwhile", "code": "profile-busy"})
    errors = FormErrors.from_problem(problem, ["iban"])
    assert not errors.fields
    assert errors.general == ["the profile changed meanwhile"]
    assert FormErrors.from_problem(None) == FormErrors()
    assert not FormErrors()


def test_an_api_error_is_shown_next_to_its_field(client: TestClient, api: FakeApi) -> None:
    api.replies[("POST", "/api/identity/accounts")] = answer(
        422,
        {
            "status": 422,
            "code": "validation",
            "detail": "x",
            "errors": [{"field": "siret", "message": "is not a valid SIRET (14 digits with a valid checksum)"}],
        },
    )
    token = token_of(client.get("/register").text)
    form = {"csrf_token": token, "person_kind": "legal", "email": "a@b.fr", "siret": "123"}
    page = client.post("/register", data=form)
    assert page.status_code == 422
    assert 'id="f-siret" name="siret" type="text" value="123"' in page.text
    assert 'aria-describedby="f-siret-hint f-siret-error" aria-invalid="true"' in page.text
    assert "n&#39;est pas un SIRET valide" in page.text  # translated, escaped once
    assert '<a href="#f-siret">' in page.text


# --- access log and headers ------------------------------------------------------------------------


def test_the_access_log_never_writes_a_query_string(caplog: pytest.LogCaptureFixture) -> None:
    inner = FastAPI()

    @inner.get("/recovery")
    async def recovery() -> dict[str, str]:
        return {"ok": "yes"}

    app = AccessLogMiddleware(inner)
    with caplog.at_level(logging.INFO, logger="portal.access"):
        answer = TestClient(app).get("/recovery?token=secret-token&email=a%40b.fr")
    assert answer.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.access"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /recovery 200 ")
    assert "secret" not in lines[0]
    assert "?" not in lines[0]
    assert "a@b" not in lines[0]


def test_every_page_carries_the_strict_csp(client: TestClient) -> None:
    for path in ("/login", "/static/portal.css", "/nowhere"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert "'unsafe-inline'" not in CSP
    assert client.get("/login").headers["cache-control"] == "no-store"


def test_templates_have_no_inline_script_or_style(client: TestClient) -> None:
    page = client.get("/register").text
    assert "<script>" not in page
    assert "<style" not in page
    assert " style=" not in page
    assert " onclick=" not in page
