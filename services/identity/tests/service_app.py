"""What identity's service tests share: the real app (lifespan included) on the real
local Mongo server and Kafka, called in-process; mails go to the stack's SMTP
sink. Each test gets its own database and consumer group. Loaded by the fixtures of
`conftest.py` only when a test asks for them, so unit tests never import the app."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from chassis.auth import JwksVerifier
from chassis.service import Runtime
from devstack.stack import Stack
from identity.app import create_app
from identity.handlers import Identity
from identity.settings import IdentitySettings
from tests.clock import SettableClock

PASSWORD = "Correct-Horse-9!"
BASE = "http://identity.test"


@dataclass
class Harness:
    http: httpx.AsyncClient
    identity: Identity
    clock: SettableClock
    stack: Stack
    db: Any
    runtime: Runtime

    async def mail(self, to: str, subject_part: str, timeout: float = 30) -> str:
        found = await self.stack.mailbox.wait_for(to, lambda m: subject_part in m.subject, timeout=timeout)
        return found.text

    def mails(self, to: str, subject_part: str) -> int:
        return sum(1 for m in self.stack.mailbox.for_recipient(to) if subject_part in m.subject)

    @staticmethod
    def token_in(text: str, path: str) -> str:
        return token_in(text, path)

    @staticmethod
    def new_email(prefix: str = "svc") -> str:
        return new_email(prefix)

    @staticmethod
    def legal_person(email: str, password: str = PASSWORD) -> dict[str, Any]:
        return legal_person(email, password)

    async def register_and_activate(self, email: str, password: str = PASSWORD) -> str:
        return await register_and_activate(self, email, password)

    async def log_in(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        return await log_in(self, email, password)


def token_in(text: str, path: str) -> str:
    # A query (activation) or a fragment (portal pages: recovery, first connection).
    match = re.search(re.escape(path) + r"[?#]token=([\w-]+)", text)
    assert match, f"no {path} link in:\n{text}"
    return match.group(1)


def new_email(prefix: str = "svc") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.fr"


def legal_person(email: str, password: str = PASSWORD) -> dict[str, Any]:
    return {
        "email": email,
        "password": password,
        "password_confirmation": password,
        "person_kind": "legal",
        "company_name": "ACME Recouvrement",
        "legal_form": "SAS",
        "siret": "73282932000074",
        "address": {"line": "1 avenue des Champs", "postal_code": "75008", "city": "Paris"},
    }


HarnessFactory = Callable[..., Awaitable[Harness]]


async def harness_factory(stack: Stack) -> AsyncIterator[HarnessFactory]:
    """Makes started identity apps (settings overridable); drops their databases and stops them after."""
    managers: list[tuple[LifespanManager, httpx.AsyncClient, Any, str]] = []

    async def make(**overrides: Any) -> Harness:
        name = f"identity_t_{uuid.uuid4().hex[:8]}"
        smtp_host, smtp_port = stack.smtp.host, stack.smtp.port
        settings = IdentitySettings(
            service_name=name,
            environment="test",
            mongo_url=stack.mongo_url,
            kafka_bootstrap_servers=stack.bootstrap_servers,
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            jwks_url=f"{BASE}/.well-known/jwks.json",
            public_base_url="http://gateway.test",
            log_level="WARNING",
            **overrides,
        )
        clock = SettableClock(datetime.now(UTC))
        app = create_app(settings, clock=clock)
        manager = LifespanManager(app, startup_timeout=60, shutdown_timeout=30)
        await manager.__aenter__()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
        runtime = app.state.runtime
        # Routes that need a bearer token verify it against this app's own JWKS.
        runtime.verifier = JwksVerifier(
            settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience, http=http
        )
        managers.append((manager, http, runtime, name))
        return Harness(http, app.state.identity, clock, stack, runtime.db, runtime)

    yield make
    for manager, http, runtime, name in reversed(managers):
        await runtime.mongo.drop_database(name)
        await manager.__aexit__(None, None, None)
        await http.aclose()


async def register_and_activate(h: Harness, email: str, password: str = PASSWORD) -> str:
    answer = await h.http.post("/accounts", json=legal_person(email, password))
    assert answer.status_code == 202, answer.text
    token = token_in(await h.mail(email, "Activez"), "/activation")
    assert (await h.http.get("/accounts/activation", params={"token": token})).status_code == 200
    account = await h.identity.accounts.by_email(email)
    assert account is not None
    return account.account_id


async def log_in(h: Harness, email: str, password: str = PASSWORD) -> dict[str, Any]:
    answer = await h.http.post("/sessions", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
