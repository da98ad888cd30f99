"""Through the gateway, ratings as a credit manager uses it (issue #12's "Done when"): connect a
provider account, search a company, open its credit file and its 24-month history, sync it; build a
50-company portfolio across ten countries, duplicate it, export it; "check new events" with its
progress to the end; a change found emits RatingUpdated v2 and the alerts land in the owner's
mailbox, which the owner exports; a legacy account migrates and finds its portfolio. Every bad input
gets a clear 4xx."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts import Envelope
from contracts.events.identity import AccountMigrated
from contracts.events.ratings import AlertRaised, PortfolioChanged, RatingUpdatedV2
from devstack.stack import Stack
from ratings.adapters.providers import LocalProvider
from ratings.adapters.providers.local import REFUSED_PASSWORD
from ratings.settings import RatingsSettings
from tests.e2e.helpers import (
    PASSWORD,
    activated_creditor,
    activation_link,
    an_hour_ago,
    bearer,
    events_matching,
    eventually,
    find_event,
    import_legacy_account,
    legacy_portfolios,
    mongo,
    new_email,
    problem,
    support_headers,
)

pytestmark = pytest.mark.e2e
API = "/api/ratings"
DIRECTORY = LocalProvider(companies_per_country=RatingsSettings().local_provider_companies_per_country).directory
COUNTRIES = sorted({c.id.country for c in DIRECTORY})


async def connected(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    answer = await http.put(
        f"{API}/provider-account", json={"username": "me@example.fr", "password": "pw"}, headers=headers
    )
    assert answer.status_code == 200, answer.text


async def run_check(http: httpx.AsyncClient, headers: dict[str, str], portfolio_id: str) -> dict[str, Any]:
    started = await http.post(f"{API}/portfolios/{portfolio_id}/checks", json={}, headers=headers)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["total"] > 0
    seen_progress: list[int] = []

    async def finished() -> dict[str, Any] | None:
        answer = await http.get(f"{API}/portfolios/{portfolio_id}/checks/{job['job_id']}", headers=headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        seen_progress.append(body["done"])
        return body if body["state"] == "done" else None

    done: dict[str, Any] = await eventually(finished, timeout=120, interval=0.3)
    assert seen_progress == sorted(seen_progress)  # progress never goes back
    assert done["done"] == done["total"] == job["total"]
    return done


async def test_a_credit_manager_watches_companies_across_countries(running_services: Stack) -> None:
    stack = running_services
    french = DIRECTORY.in_country("FR")[0]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, headers = await activated_creditor(stack, http)
        account = (await http.get("/api/identity/accounts/me", headers=headers)).json()["account_id"]

        # Without a provider account: a 409 that says how to connect one.
        refused = problem(await http.post(f"{API}/companies/FR/{french.id.number}/sync", headers=headers), 409)
        assert "provider-account" in refused["detail"]
        assert refused["type"].endswith("no-provider-account")
        wrong = await http.put(
            f"{API}/provider-account", json={"username": "me", "password": REFUSED_PASSWORD}, headers=headers
        )
        assert problem(wrong, 422)["errors"][0]["field"] == "password"
        await connected(http, headers)
        shown = (await http.get(f"{API}/provider-account", headers=headers)).json()
        assert shown["username"] == "me@example.fr"
        assert "password" not in shown

        # Search by number and by name.
        by_number = await http.get(
            f"{API}/companies", params={"country": "FR", "number": french.id.number}, headers=headers
        )
        assert by_number.status_code == 200, by_number.text
        assert [c["company_id"] for c in by_number.json()] == [french.id.key]
        word = french.name.split()[0]
        by_name = await http.get(f"{API}/companies", params={"country": "FR", "name": word}, headers=headers)
        assert french.id.key in [c["company_id"] for c in by_name.json()]

        # The credit file and its 24-month history, then "sync now".
        opened = await http.get(f"{API}/companies/FR/{french.id.number}", headers=headers)
        assert opened.status_code == 200, opened.text
        file = opened.json()
        assert file["name"] == french.name
        assert file["rating"]["common"] in {"A", "B", "C", "D", "E", "NR"}
        assert file["rating"]["description"]
        assert set(file["trends"]) == {"profitability", "liquidity", "net_worth", "payment"}
        assert file["credit_limit"] is None or file["credit_limit"]["currency"] == "EUR"
        history = (await http.get(f"{API}/companies/FR/{french.id.number}/history", headers=headers)).json()
        assert len(history["national_score"]) >= 24
        assert len(history["credit_limit_cents"]) == len(history["national_score"])
        yearly = await http.get(
            f"{API}/companies/FR/{french.id.number}/history",
            params={"period": "year", "aggregate": "mean"},
            headers=headers,
        )
        assert yearly.status_code == 200
        assert all(p["value"] is None or 0 <= p["value"] <= 100 for p in yearly.json()["national_score"])
        assert 2 <= len(yearly.json()["national_score"]) <= 3
        synced = await http.post(f"{API}/companies/FR/{french.id.number}/sync", headers=headers)
        assert synced.status_code == 200, synced.text
        assert synced.json()["synchronised_at"] > file["synchronised_at"]

        # Bad inputs: clear 4xx, field by field.
        assert (
            "check digits" in problem(await http.get(f"{API}/companies/FR/732829321", headers=headers), 422)["detail"]
        )
        assert problem(
            await http.get(f"{API}/companies", params={"country": "XX", "name": "Acme"}, headers=headers), 422
        )
        assert problem(await http.get(f"{API}/companies", params={"country": "FR"}, headers=headers), 422)
        bad_period = await http.get(
            f"{API}/companies/FR/{french.id.number}/history", params={"period": "week"}, headers=headers
        )
        assert problem(bad_period, 422)["errors"][0]["field"].endswith("period")
        assert problem(await http.get(f"{API}/portfolios", headers={}), 401)
        bad_portfolio = await http.post(
            f"{API}/portfolios",
            json={"name": " ", "companies": [{"country": "FR", "registration_number": "123"}]},
            headers=headers,
        )
        assert {e["field"] for e in problem(bad_portfolio, 422)["errors"]} == {"companies.0.registration_number"}
        assert problem(await http.post(f"{API}/portfolios", json={"name": " "}, headers=headers), 422)
        assert problem(await http.get(f"{API}/portfolios/nope", headers=headers), 404)

        # A portfolio of 50 companies across ten countries, duplicated, exported.
        picked = [c for country in COUNTRIES for c in DIRECTORY.in_country(country)[:5]]
        assert len(picked) == 50
        assert len(COUNTRIES) == 10
        refs = [{"country": c.id.country, "registration_number": c.id.number, "name": c.name} for c in picked]
        created = await http.post(
            f"{API}/portfolios",
            json={"name": "Clients clés", "alert_on_new_event": True, "companies": refs},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        portfolio = created.json()
        assert portfolio["company_count"] == 50
        copy = await http.post(f"{API}/portfolios/{portfolio['portfolio_id']}/duplicate", json={}, headers=headers)
        assert copy.status_code == 201, copy.text
        assert copy.json()["company_count"] == 50
        assert copy.json()["name"] == "Clients clés (copy)"
        listed = (await http.get(f"{API}/portfolios", headers=headers)).json()
        assert {p["portfolio_id"] for p in listed} == {portfolio["portfolio_id"], copy.json()["portfolio_id"]}
        deleted = await http.delete(f"{API}/portfolios/{copy.json()['portfolio_id']}", headers=headers)
        assert deleted.status_code == 204
        not_csv = await http.post(
            f"{API}/portfolios/{portfolio['portfolio_id']}/import",
            content=b"{}",
            headers={**headers, "Content-Type": "application/json"},
        )
        assert problem(not_csv, 415)

        # Check new events: the first check sets every company's file; progress to the end.
        first = await run_check(http, headers, portfolio["portfolio_id"])
        assert first["counts"]["failed"] == 0

        # Three companies as they were stored two months ago: the next check finds their changes.
        changed = picked[:3]
        client = mongo(stack)
        try:
            companies = client[RatingsSettings().mongo_db or "ratings"]["companies"]
            for company in changed:
                stored = await companies.find_one({"_id": company.id.key})
                assert stored is not None
                older = 1 if (stored["file"]["national_score"] or 0) > 50 else 99
                await companies.update_one(
                    {"_id": company.id.key},
                    {
                        "$set": {
                            "file.national_score": older,
                            "last_event_at": datetime.now(UTC) - timedelta(days=70),
                        }
                    },
                )
        finally:
            await client.close()
        second = await run_check(http, headers, portfolio["portfolio_id"])
        by_company = {o["company_id"]: o for o in second["outcomes"]}
        assert {by_company[c.id.key]["outcome"] for c in changed} == {"new_events"}
        assert second["counts"]["new_events"] >= 3
        shown_portfolio = (await http.get(f"{API}/portfolios/{portfolio['portfolio_id']}", headers=headers)).json()
        states = {e["company_id"]: e for e in shown_portfolio["companies"]}
        assert {states[c.id.key]["state"] for c in changed} == {"new_events"}
        assert all(states[c.id.key]["last_event_date"] for c in changed)
        assert shown_portfolio["last_monitored_at"] is not None

        exported = await http.get(f"{API}/portfolios/{portfolio['portfolio_id']}/export", headers=headers)
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        lines = exported.text.splitlines()
        assert len(lines) == 51
        assert lines[0].startswith("country,registration_number,name,rating")

    # On the bus: RatingUpdated v2 with old and new values, PortfolioChanged, one alert per new event.
    for company in changed:
        key = company.id.key

        def is_the_change(e: Envelope, key: str = key) -> bool:
            return e.subject == key and e.payload["previous_national_score"] in (1, 99)

        updated = await find_event(stack, RatingUpdatedV2.topic, is_the_change)
        assert updated.version == 2
        assert updated.payload["country"] == company.id.country
        assert updated.payload["national_score"] != updated.payload["previous_national_score"]
    assert await find_event(stack, PortfolioChanged.topic, lambda e: e.subject == portfolio["portfolio_id"])
    alerts = await events_matching(
        stack, AlertRaised.topic, lambda e: e.payload["portfolio_id"] == portfolio["portfolio_id"]
    )
    assert len(alerts) >= 3
    assert {a.payload["owner_id"] for a in alerts} == {account}
    # One alert id per new event; an event found again (the files set back above) repeats its id.
    unique = {a.payload["alert_id"]: a for a in alerts}
    assert {f"{a.payload['company_country']}-{a.payload['company_number']}" for a in alerts} >= {
        c.id.key for c in changed
    }

    # The alerts in the owner's in-app mailbox (identity), each once; the mailbox exported.
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:

        async def filed() -> list[dict[str, Any]] | None:
            answer = await http.get("/api/identity/accounts/me/mailbox", params={"limit": 100}, headers=headers)
            assert answer.status_code == 200, answer.text
            got = [m for m in answer.json()["messages"] if m["source"] == "alert"]
            return got if len(got) >= len(unique) else None

        messages = await eventually(filed, timeout=60)
        assert sorted(m["subject"] for m in messages) == sorted(a.payload["title"] for a in unique.values())
        exported = await http.get("/api/identity/accounts/me/mailbox/export", headers=headers)
        assert exported.status_code == 200, exported.text
        assert len([m for m in exported.json()["messages"] if m["source"] == "alert"]) == len(messages)
        mbox = await http.get("/api/identity/accounts/me/mailbox/export", params={"format": "mbox"}, headers=headers)
        assert mbox.status_code == 200
        assert mbox.text.count("\nFrom ") + mbox.text.startswith("From ") >= len(messages)


async def test_a_legacy_account_migrates_and_finds_its_portfolio(running_services: Stack) -> None:
    stack = running_services
    legacy_id = f"CI-{uuid.uuid4().hex[:8]}"
    login = f"legacy-{legacy_id}".lower()
    companies = [DIRECTORY.in_country("FR")[1], DIRECTORY.in_country("BE")[1]]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        support = await support_headers(stack, http)
        monitored = an_hour_ago()
        portfolios = legacy_portfolios(companies, monitored)
        _, someone = await activated_creditor(stack, http)
        assert problem(await http.put(f"{API}/legacy-imports/{legacy_id}", json=portfolios, headers=someone), 403)
        bad = {"portfolios": [{"name": "x", "companies": [{"country": "FR", "registration_number": "1"}]}]}
        assert problem(await http.put(f"{API}/legacy-imports/{legacy_id}", json=bad, headers=support), 422)
        imported = await http.put(f"{API}/legacy-imports/{legacy_id}", json=portfolios, headers=support)
        assert imported.status_code == 200, imported.text
        assert imported.json()["attached_to"] is None

        account = {"legacy_id": legacy_id, "login": login, "company_name": "DUPONT SA", "mailbox": []}
        await import_legacy_account(http, support, account, password="ancien-mdp")
        ticket = await http.post("/api/identity/legacy/sessions", json={"login": login, "password": "ancien-mdp"})
        token = ticket.json()["migration_token"]
        email = new_email()
        body = {"migration_token": token, "email": email, "password": PASSWORD, "password_confirmation": PASSWORD}
        assert (await http.post("/api/identity/legacy/migrations", json=body)).status_code == 202
        confirmation = await stack.mailbox.wait_for(email, lambda m: "Confirmez" in m.subject, timeout=30)
        assert (await http.get(activation_link(confirmation.text))).status_code == 200
        session = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
        headers = bearer(session.json()["access_token"])
        me = (await http.get("/api/identity/accounts/me", headers=headers)).json()
        await find_event(stack, AccountMigrated.topic, lambda e: e.subject == me["account_id"])

        async def attached() -> list[dict[str, Any]]:
            listed: list[dict[str, Any]] = (await http.get(f"{API}/portfolios", headers=headers)).json()
            return listed

        mine = await eventually(attached, timeout=60)
        assert [p["name"] for p in mine] == ["Mon portefeuille CREANCEinfo"]
        full = (await http.get(f"{API}/portfolios/{mine[0]['portfolio_id']}", headers=headers)).json()
        assert [e["company_id"] for e in full["companies"]] == [c.id.key for c in companies]
        assert full["alert_on_new_event"] is True
        assert datetime.fromisoformat(full["last_monitored_at"]) == monitored
        again = await http.put(f"{API}/legacy-imports/{legacy_id}", json=portfolios, headers=support)
        assert problem(again, 409)["type"].endswith("legacy-attached")
