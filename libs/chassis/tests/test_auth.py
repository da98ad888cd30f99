from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chassis.auth import INVALID_TOKEN, JwksVerifier
from chassis.errors import Unauthorized
from chassis.revocation import RevocationList
from contracts import SessionsRevoked


def jwk(key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "EdDSA"}


class KeyServer:
    """Serves a JWKS over an in-process HTTP transport and counts fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {"k1": Ed25519PrivateKey.generate()}
        self.fetches = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        return httpx.Response(200, json={"keys": [jwk(k, kid) for kid, k in self.keys.items()]})

    def token(self, kid: str = "k1", **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": "creditdesk-identity",
            "aud": "creditdesk",
            "sub": "acc-1",
            "email": "a@b.fr",
            "roles": ["support"],
            "iat": now,
            "exp": now + 60,
            **overrides,
        }
        return jwt.encode(claims, self.keys[kid], algorithm="EdDSA", headers={"kid": kid})


@pytest.fixture
def server() -> KeyServer:
    return KeyServer()


def verifier(server: KeyServer) -> JwksVerifier:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    return JwksVerifier(
        "http://identity/.well-known/jwks.json",
        issuer="creditdesk-identity",
        audience="creditdesk",
        min_refresh_seconds=0,
        http=http,
    )


async def test_a_valid_token_gives_the_caller(server: KeyServer) -> None:
    caller = await verifier(server).verify(server.token())
    assert (caller.account_id, caller.email, caller.roles) == ("acc-1", "a@b.fr", ("support",))
    assert caller.has_role("support")


async def test_keys_are_cached(server: KeyServer) -> None:
    v = verifier(server)
    for _ in range(5):
        await v.verify(server.token())
    assert server.fetches == 1


async def test_a_rotated_key_is_fetched_once_when_first_seen(server: KeyServer) -> None:
    v = verifier(server)
    await v.verify(server.token())
    server.keys["k2"] = Ed25519PrivateKey.generate()
    assert (await v.verify(server.token("k2"))).account_id == "acc-1"
    assert server.fetches == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda s: s.token(exp=int(time.time()) - 5),
        lambda s: s.token(aud="someone-else"),
        lambda s: s.token(iss="forger"),
        lambda s: s.token()[:-4] + "AAAA",
        lambda s: "not-a-jwt",
    ],
)
async def test_bad_tokens_are_refused_with_one_fixed_message(server: KeyServer, make: Any) -> None:
    # Never the JWT library's text (which check failed): one clear answer.
    with pytest.raises(Unauthorized) as refused:
        await verifier(server).verify(make(server))
    assert refused.value.detail == INVALID_TOKEN


async def test_a_revoked_session_is_refused(server: KeyServer) -> None:
    revocations = RevocationList(timedelta(minutes=15))
    v = verifier(server)
    v.revocations = revocations
    token = server.token(sid="s-1")
    assert (await v.verify(token)).session_id == "s-1"
    revocations.add(
        SessionsRevoked(account_id="acc-1", session_ids=["s-1"], revoked_at=datetime.now(UTC), reason="logout")
    )
    with pytest.raises(Unauthorized) as refused:
        await v.verify(token)
    assert refused.value.detail == INVALID_TOKEN


async def test_a_token_from_an_unknown_key_is_refused(server: KeyServer) -> None:
    stranger = KeyServer()
    stranger.keys = {"k9": Ed25519PrivateKey.generate()}
    with pytest.raises(Unauthorized, match="invalid or expired"):
        await verifier(server).verify(stranger.token("k9"))
