from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chassis.auth import INVALID_TOKEN, JwksVerifier, KeysUnavailable
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


class DownServer(KeyServer):
    """Identity unreachable: every fetch fails (and is counted)."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        raise httpx.ConnectError("connection refused", request=request)


def failing_verifier(server: KeyServer, failure_cache_seconds: float) -> JwksVerifier:
    return JwksVerifier(
        "http://identity/.well-known/jwks.json",
        issuer="creditdesk-identity",
        audience="creditdesk",
        min_refresh_seconds=0,
        failure_cache_seconds=failure_cache_seconds,
        http=httpx.AsyncClient(transport=httpx.MockTransport(server.handle)),
    )


async def test_a_failed_key_fetch_is_remembered_so_requests_fail_fast() -> None:
    down = DownServer()
    v = failing_verifier(down, failure_cache_seconds=3.0)
    for _ in range(5):
        with pytest.raises(KeysUnavailable, match="cannot be fetched"):
            await v.verify(down.token())
    assert down.fetches == 1  # the same 503 for each request, identity asked once


async def test_the_failure_is_forgotten_after_its_delay() -> None:
    down = DownServer()
    v = failing_verifier(down, failure_cache_seconds=0.0)
    for _ in range(3):
        with pytest.raises(KeysUnavailable):
            await v.verify(down.token())
    assert down.fetches == 3


class FlakyServer(KeyServer):
    """Serves keys until told that identity is down."""

    down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.fetches += 1
            raise httpx.ConnectError("connection refused", request=request)
        return super().handle(request)


async def test_with_keys_in_hand_an_unknown_key_does_not_refetch_while_identity_is_down() -> None:
    server = FlakyServer()
    v = failing_verifier(server, failure_cache_seconds=3.0)
    await v.verify(server.token())  # keys cached
    stranger = KeyServer()
    stranger.keys = {"k9": Ed25519PrivateKey.generate()}
    server.down, server.fetches = True, 0
    for _ in range(4):
        with pytest.raises(Unauthorized):  # the fixed 401 text, whatever the cause
            await v.verify(stranger.token("k9"))
    assert server.fetches == 1


async def test_a_token_is_verified_once_for_its_lifetime(server: KeyServer, monkeypatch: pytest.MonkeyPatch) -> None:
    v = verifier(server)
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    token = server.token()
    for _ in range(5):
        caller = await v.verify(token)
        caller.claims["sub"] = "tampered"  # a caller's copy: the cached claims stay as verified
    assert decoded == [token]
    assert (await v.verify(token)).account_id == "acc-1"


async def test_a_cached_token_is_refused_once_it_expires(server: KeyServer) -> None:
    now = [time.time()]
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    v = JwksVerifier(
        "http://identity/.well-known/jwks.json",
        issuer="creditdesk-identity",
        audience="creditdesk",
        http=http,
        wall_clock=lambda: now[0],
    )
    token = server.token(exp=int(now[0]) + 30)
    await v.verify(token)
    now[0] += 31
    with pytest.raises(Unauthorized) as refused:
        await v.verify(token)
    assert refused.value.detail == INVALID_TOKEN


async def test_the_cache_is_bounded(server: KeyServer) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    v = JwksVerifier(
        "http://identity/.well-known/jwks.json",
        issuer="creditdesk-identity",
        audience="creditdesk",
        http=http,
        verified_cache_size=3,
    )
    for n in range(10):
        await v.verify(server.token(sub=f"acc-{n}"))
    assert len(v._verified) == 3
