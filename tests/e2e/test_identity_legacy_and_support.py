"""Through the gateway: support staff (role granted by the admin command)
import a legacy-portal account; its user logs in with the old credentials,
exports the old mailbox, migrates to an email and a new password, confirms the
email by link and logs in normally; AccountMigrated carries the legacy id.
Support then changes the account's identity data, audited."""

from __future__ import annotations

import argparse
import json
import uuid

import httpx
import pytest

from contracts.events.identity import AccountDetailsChanged, AccountMigrated
from devstack.stack import Stack
from identity import admin
from identity.domain.legacy import pbkdf2_hash
from identity.settings import IdentitySettings
from tests.e2e.helpers import PASSWORD, activation_link, bearer, find_event, legal_person, new_email

pytestmark = pytest.mark.e2e
API = "/api/identity"


async def test_a_legacy_user_migrates_through_the_gateway_and_support_edits_the_account(
    running_services: Stack,
) -> None:
    stack = running_services
    agent_email = new_email()
    legacy_id = f"CI-{uuid.uuid4().hex[:8]}"
    login = f"legacy-{legacy_id}".lower()
    line = json.dumps(
        {
            "legacy_id": legacy_id,
            "login": login,
            "password_hash": pbkdf2_hash("ancien-mdp", "sel", 1000),
            "company_name": "DUPONT SA",
            "contract_reference": "CTR-2019-0042",
            "mailbox": [{"received_at": "2024-03-01T08:00:00+00:00", "subject": "Alerte", "body": "Score en baisse"}],
        }
    )
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        assert (await http.post(f"{API}/accounts", json=legal_person(agent_email))).status_code == 202
        mail = await stack.mailbox.wait_for(agent_email, lambda m: "Activez" in m.subject, timeout=30)
        assert (await http.get(activation_link(mail.text))).status_code == 200
        settings = IdentitySettings(environment="test", mongo_url=stack.mongo_url)
        assert await admin.run(argparse.Namespace(command="grant-support", email=agent_email), settings) == 0
        agent = (await http.post(f"{API}/sessions", json={"email": agent_email, "password": PASSWORD})).json()
        agent_headers = bearer(agent["access_token"])

        imported = await http.post(
            f"{API}/admin/legacy-imports", content=line, headers={**agent_headers, "Content-Type": "text/plain"}
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["imported"] == 1

        ticket = await http.post(f"{API}/legacy/sessions", json={"login": login, "password": "ancien-mdp"})
        assert ticket.status_code == 200, ticket.text
        token = ticket.json()["migration_token"]
        export = await http.post(f"{API}/legacy/mailbox/export", json={"migration_token": token})
        assert [m["subject"] for m in export.json()["messages"]] == ["Alerte"]

        email = new_email()
        body = {"migration_token": token, "email": email, "password": PASSWORD, "password_confirmation": PASSWORD}
        assert (await http.post(f"{API}/legacy/migrations", json=body)).status_code == 202
        confirmation = await stack.mailbox.wait_for(email, lambda m: "Confirmez" in m.subject, timeout=30)
        assert (await http.get(activation_link(confirmation.text))).status_code == 200

        session = await http.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
        assert session.status_code == 200
        headers = bearer(session.json()["access_token"])
        me = (await http.get(f"{API}/accounts/me", headers=headers)).json()
        assert me["legacy_id"] == legacy_id
        assert len((await http.get(f"{API}/accounts/me/legacy-mailbox", headers=headers)).json()["messages"]) == 1

        # The user cannot change identity data; support can, and it is audited.
        change = {"reason": "Kbis reçu", "company_name": "DUPONT Groupe"}
        assert (
            await http.patch(f"{API}/admin/accounts/{me['account_id']}", json=change, headers=headers)
        ).status_code == 403
        changed = await http.patch(f"{API}/admin/accounts/{me['account_id']}", json=change, headers=agent_headers)
        assert changed.status_code == 200, changed.text
        trail = (await http.get(f"{API}/admin/accounts/{me['account_id']}/audit", headers=agent_headers)).json()
        assert trail[0]["actor_email"] == agent_email

    migrated = await find_event(stack, AccountMigrated.topic, lambda e: e.subject == me["account_id"])
    assert migrated.payload["legacy_id"] == legacy_id
    assert migrated.payload["contract_reference"] == "CTR-2019-0042"
    details = await find_event(stack, AccountDetailsChanged.topic, lambda e: e.subject == me["account_id"])
    assert details.payload["display_name"] == "DUPONT Groupe"
