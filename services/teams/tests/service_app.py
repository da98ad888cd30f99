"""What teams' service tests share: a teams app on the real local Kafka and Mongo server (loaded by
the `svc` fixture of `conftest.py` only when a test asks for it, so unit tests never import the app).

Tokens are signed with a key served to the app's verifier in-process (the
identity service is not part of these tests); accounts reach teams' view as
identity's AccountActivated would bring them.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chassis.auth import JwksVerifier
from contracts.events.common import PersonKind
from contracts.events.identity import AccountActivated
from devstack.stack import Stack
from teams.adapters.sms import read_sink
from teams.app import create_app
from teams.ports import Teams
from teams.settings import TeamsSettings
from teams.store.accounts import AccountView
from tests.clock import SettableClock
from tests.e2e.helpers import eventually, find_event

KID = "teams-test"
SIREN = "732829320"  # ACME's SIREN in the e2e helpers
ADMIN_MOBILE = "+33612345678"
# An extract of the trade register as a claimant uploads it (a PDF, by its magic bytes).
KBIS = base64.b64encode(b"%PDF-1.4\n% Extrait Kbis ACME Recouvrement\n%%EOF\n").decode()


@dataclass
class Harness:
    stack: Stack
    settings: TeamsSettings
    clock: SettableClock
    http: httpx.AsyncClient = field(init=False)
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    teams: Teams = field(init=False)

    @property
    def sms_dir(self) -> Path:
        return Path(self.settings.sms_sink_dir)

    def jwks(self, request: httpx.Request) -> httpx.Response:
        public = jwt.algorithms.OKPAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return httpx.Response(200, json={"keys": [{**public, "kid": KID, "use": "sig", "alg": "EdDSA"}]})

    def auth(self, account_id: str, email: str, roles: tuple[str, ...] = ()) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": "creditdesk-identity",
            "aud": "creditdesk",
            "sub": account_id,
            "email": email,
            "roles": list(roles),
            "iat": now,
            "exp": now + 600,
        }
        return {"Authorization": "Bearer " + jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": KID})}

    async def account(
        self, *, legal: bool = True, siren: str | None = SIREN, email: str | None = None
    ) -> tuple[str, str, dict[str, str]]:
        """A new activated account known to teams: (account id, email, auth headers)."""
        account_id = uuid.uuid4().hex
        email = email or f"svc-{account_id[:10]}@example.fr"
        view = self.teams.accounts
        assert isinstance(view, AccountView)  # the app's adapter, which the bus feeds
        await view.apply(
            AccountActivated(
                account_id=account_id,
                email=email,
                person_kind=PersonKind.LEGAL if legal else PersonKind.NATURAL,
                display_name="ACME Recouvrement" if legal else "Paul Martin",
                siren=siren if legal else None,
            )
        )
        return account_id, email, self.auth(account_id, email)

    def support(self) -> dict[str, str]:
        """Headers of a support agent (role `support` in the token)."""
        agent = uuid.uuid4().hex
        return self.auth(agent, f"support-{agent[:8]}@example.fr", roles=("support",))

    async def claim(self, headers: dict[str, str], siren: str = SIREN, mobile: str = ADMIN_MOBILE) -> httpx.Response:
        return await self.http.post(
            "/companies", json={"siren": siren, "mobile": mobile, "extract": KBIS}, headers=headers
        )

    async def open_space(
        self, headers: dict[str, str], siren: str = SIREN, mobile: str = ADMIN_MOBILE
    ) -> dict[str, Any]:
        """Claim the space with an extract and have support approve it: the caller is its first admin."""
        claimed = await self.claim(headers, siren, mobile)
        assert claimed.status_code == 202, claimed.text
        assert claimed.json()["status"] == "pending"
        approved = await self.http.post(
            f"/claims/{siren}/{claimed.json()['claim_id']}/approval", json={}, headers=self.support()
        )
        assert approved.status_code == 200, approved.text
        space: dict[str, Any] = approved.json()
        return space

    def last_code(self, to: str = ADMIN_MOBILE) -> str:
        messages = [m for m in read_sink(self.sms_dir) if m["to"] == to]
        assert messages, f"no SMS to {to} in {self.sms_dir}"
        match = re.search(r"\b(\d{6})\b", messages[-1]["text"])
        assert match, messages[-1]
        return match.group(1)

    def sms_count(self) -> int:
        return len(read_sink(self.sms_dir))


def settings_for(stack: Stack, sms_dir: Path, **overrides: Any) -> TeamsSettings:
    suffix = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        # Its own consumer group and database: never competes with a running teams.
        "service_name": f"teams-svc-{suffix}",
        "mongo_db": f"teams_svc_{suffix}",
        "environment": "test",
        "mongo_url": stack.mongo_url,
        "kafka_bootstrap_servers": stack.bootstrap_servers,
        "smtp_port": stack.smtp.port,
        "sms_sink_dir": str(sms_dir),
        "public_base_url": "http://gateway.test",
        "outbox_poll_seconds": 0.2,
        **overrides,
    }
    return TeamsSettings(**values)


async def running(stack: Stack, sms_dir: Path, **overrides: Any) -> AsyncIterator[Harness]:
    settings = settings_for(stack, sms_dir, **overrides)
    clock = SettableClock()
    app = create_app(settings, clock)
    harness = Harness(stack, settings, clock)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        runtime = app.state.runtime
        await runtime.verifier.aclose()
        runtime.verifier = JwksVerifier(
            "http://identity.test/.well-known/jwks.json",
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            http=httpx.AsyncClient(transport=httpx.MockTransport(harness.jwks)),
        )
        harness.teams = app.state.teams
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://teams.test") as http:
            harness.http = http
            yield harness
        await runtime.mongo.drop_database(settings.mongo_db)


def problem(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.headers
    body: dict[str, Any] = json.loads(answer.text)
    if code is not None:
        assert body["type"].endswith(f"/{code}"), body
    return body


# Helpers reach the tests through the `svc` fixture (the tests import nothing of this module).
Harness.problem = staticmethod(problem)  # type: ignore[attr-defined]
Harness.find_event = staticmethod(find_event)  # type: ignore[attr-defined]
Harness.eventually = staticmethod(eventually)  # type: ignore[attr-defined]
Harness.SIREN = SIREN  # type: ignore[attr-defined]
Harness.ADMIN_MOBILE = ADMIN_MOBILE  # type: ignore[attr-defined]
Harness.KBIS = KBIS  # type: ignore[attr-defined]
