"""Fixtures: a real upstream HTTP server on 127.0.0.1, signing keys, and gateways in front of it.

The upstream plays every service (identity's JWKS included): an echo route
reporting what it received, a slow route, /ready, and FastAPI's own
/openapi.json with models that reference each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import httpx
import jwt
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gateway.app import create_app
from gateway.settings import SERVICES, GatewaySettings

KID = "test-key-1"
ISSUER = "creditdesk-identity"
AUDIENCE = "creditdesk"


class Tag(BaseModel):
    name: str


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    lives: int = 9


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool = True


class Item(BaseModel):
    id: str
    tags: list[Tag] = []
    pet: Annotated[Cat | Dog, Field(discriminator="kind")] | None = None


@dataclass
class Upstream:
    """State of the fake service, readable and settable by tests."""

    url: str = ""
    private_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    seen: list[dict[str, Any]] = field(default_factory=list)
    openapi_fetches: int = 0
    ready_status: int = 200

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "EdDSA"}]}

    def token(
        self,
        sub: str = "acc-1",
        *,
        kid: str = KID,
        expires_in: float = 300,
        key: Ed25519PrivateKey | None = None,
        audience: str = AUDIENCE,
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "email": f"{sub}@example.test",
            "roles": ["member"],
            "iss": ISSUER,
            "aud": audience,
            "iat": now - 10,
            "exp": int(now + expires_in),
        }
        return jwt.encode(claims, key or self.private_key, algorithm="EdDSA", headers={"kid": kid})

    def requests_to(self, prefix: str) -> list[dict[str, Any]]:
        return [seen for seen in self.seen if seen["path"].startswith(prefix)]


def upstream_app(state: Upstream) -> FastAPI:
    app = FastAPI(title="fake service", openapi_tags=[{"name": "items", "description": "Items."}])

    @app.middleware("http")
    async def count_openapi(request: Request, call_next: Any) -> Any:
        if request.url.path == "/openapi.json":
            state.openapi_fetches += 1
        return await call_next(request)

    @app.get("/.well-known/jwks.json", include_in_schema=False)
    async def jwks() -> dict[str, Any]:
        return state.jwks()

    @app.get("/ready", operation_id="ready", tags=["operations"])
    async def ready() -> JSONResponse:
        return JSONResponse({"status": "ready"}, status_code=state.ready_status)

    @app.post("/items", operation_id="create_item", tags=["items"], status_code=201)
    async def create_item(item: Item) -> Item:
        return item

    @app.get("/items/{item_id}", operation_id="get_item", tags=["items"])
    async def get_item(item_id: str) -> Item:
        return Item(id=item_id)

    @app.get("/slow", include_in_schema=False)
    async def slow(seconds: float = 2.0) -> dict[str, str]:
        await asyncio.sleep(seconds)
        return {"status": "late"}

    @app.api_route(
        "/echo/{path:path}",
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    async def echo(path: str, request: Request) -> Response:
        body = await request.body()
        record = {
            "method": request.method,
            "path": request.scope["raw_path"].decode("latin-1"),
            "query": request.scope["query_string"].decode("latin-1"),
            "body": body.decode("utf-8", "replace"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.headers.raw],
        }
        state.seen.append(record)
        status = int(request.headers.get("x-echo-status", "200"))
        response = JSONResponse(record, status_code=status)
        response.headers["x-upstream"] = "fake"
        response.headers["keep-alive"] = "timeout=5"
        response.headers["proxy-authenticate"] = "Basic"
        response.headers["x-hop"] = "1"
        response.headers["connection"] = "x-hop"
        response.headers.append("set-cookie", "a=1; Path=/")
        response.headers.append("set-cookie", "b=2; Path=/")
        return response

    return app


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Inside pytest: leave signal handling to pytest.
        yield


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _QuietServer(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "upstream server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
async def upstream() -> AsyncIterator[Upstream]:
    state = Upstream()
    async with serve(upstream_app(state)) as url:
        state.url = url
        yield state


@pytest.fixture
def upstream_state(upstream: Upstream) -> Iterator[Upstream]:
    """The shared upstream, reset around each test."""
    upstream.seen.clear()
    upstream.ready_status = 200
    yield upstream
    upstream.ready_status = 200


def gateway_settings(upstream: Upstream, *, down: tuple[str, ...] = (), **overrides: Any) -> GatewaySettings:
    urls = {f"{name}_url": closed_port_url() if name in down else upstream.url for name in SERVICES}
    values: dict[str, Any] = {
        "environment": "test",
        "jwks_url": upstream.url + "/.well-known/jwks.json",
        "upstream_connect_timeout_seconds": 1.0,
        "upstream_timeout_seconds": 5.0,
        **urls,
        **overrides,
    }
    return GatewaySettings(**values)


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient

    def from_ip(self, ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(ip, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


GatewayFactory = Callable[..., contextlib.AbstractAsyncContextManager[Gateway]]


@pytest.fixture
def gateway(upstream_state: Upstream) -> GatewayFactory:
    """`async with gateway(down=("teams",), rate_limit_burst=3) as gw:` a started gateway."""

    @contextlib.asynccontextmanager
    async def start(*, down: tuple[str, ...] = (), **overrides: Any) -> AsyncIterator[Gateway]:
        app = create_app(gateway_settings(upstream_state, down=down, **overrides))
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app, client=("192.0.2.10", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
                yield Gateway(app=app, client=client)

    return start
