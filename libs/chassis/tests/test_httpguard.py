"""Body size limit and security headers (chassis.httpguard) on a small app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel

from chassis.errors import install_problem_handlers
from chassis.httpguard import BodySizeLimitMiddleware, SecurityHeadersMiddleware, document_body_limit


class Item(BaseModel):
    name: str


def app_with_limit(limit: int = 1024) -> tuple[FastAPI, list[int]]:
    app = FastAPI()
    read: list[int] = []
    install_problem_handlers(app)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        body = await request.body()
        read.append(len(body))
        return {"length": len(body)}

    @app.post("/items")
    async def item(body: Item) -> Item:
        return body

    @app.post("/documents/upload")
    async def upload(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=limit, per_path={"/documents/*": 4 * limit, "/items": 2 * limit}
    )
    app.add_middleware(SecurityHeadersMiddleware)
    document_body_limit(app)
    return app, read


async def test_a_declared_length_above_the_limit_is_refused_before_the_route_reads() -> None:
    app, read = app_with_limit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        answer = await http.post("/echo", content=b"x" * 1025)
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["title"] == "Content Too Large"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert read == []
        assert (await http.post("/echo", content=b"x" * 1024)).json() == {"length": 1024}
        assert (await http.post("/documents/upload", content=b"x" * 4000)).status_code == 200  # a prefix
        assert (await http.post("/items", json={"name": "x" * 1500})).status_code == 200  # an exact path
        assert (await http.post("/items/", json={"name": "x" * 1500})).status_code == 413


async def test_a_streamed_body_is_cut_once_it_passes_the_limit() -> None:
    app, read = app_with_limit()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 300

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        answer = await http.post("/echo", content=chunks())
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
        assert read == []


async def test_every_response_says_nosniff_and_the_openapi_documents_413() -> None:
    app, _ = app_with_limit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        assert (await http.get("/nothing-here")).headers["x-content-type-options"] == "nosniff"
        document = (await http.get("/openapi.json")).json()
    assert "413" in document["paths"]["/items"]["post"]["responses"]
