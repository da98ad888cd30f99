"""Forwarding of `/api/<service>/<path>` to the service, over one pooled client per service.

What is forwarded: method, path (as the client encoded it), query string, body
(streamed), and headers minus hop-by-hop ones. What the gateway adds:
`X-Request-ID`, `X-Caller-Id` (only from a verified token; a client's own is
always dropped), `X-Forwarded-For/-Proto/-Host` (the incoming ones kept only from a
trusted proxy), the client's address signed for the services
(`X-Creditdesk-Client` + `-Signature`, `chassis.clientaddress`), and a W3C `traceparent` whose
parent is the gateway's client span for the call. The response comes back
with its status, headers (minus hop-by-hop ones) and body unchanged, streamed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Histogram
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from yarl import URL

from chassis.auth import Caller
from chassis.clientaddress import CLIENT_HEADER, SIGNATURE_HEADER, Network, client_address, is_proxy, signed_headers
from chassis.clock import Clock, SystemClock
from chassis.errors import NotFound, Problem, Unavailable
from gateway.settings import GatewaySettings

log = logging.getLogger("gateway.proxy")

# RFC 9110 section 7.6.1, plus the non-standard ones still seen in the wild.
HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"trailers", b"upgrade", b"host"}
)
# Never taken from the client: set by the gateway itself. (`Expect: 100-continue` was
# answered by the gateway's own server; the upstream client sends the body at once.)
GATEWAY_SET = frozenset(
    {
        b"x-caller-id",
        b"x-request-id",
        b"traceparent",
        b"tracestate",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        CLIENT_HEADER.encode(),
        SIGNATURE_HEADER.encode(),
        b"expect",
    }
)
# Added by the gateway's own HTTP server (uvicorn) to every response; passing the
# upstream's too would send them twice.
SERVER_SET = frozenset({b"date", b"server"})

_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def is_hop_by_hop(name: bytes) -> bool:
    name = name.lower()
    return name in HOP_BY_HOP or name.startswith(b"proxy-")


def connection_tokens(headers: RawHeaders) -> set[bytes]:
    """Header names listed in `Connection`: hop-by-hop for this message only."""
    tokens: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            tokens.update(token.strip().lower() for token in value.split(b",") if token.strip())
    return tokens


RawHeaders = list[tuple[bytes, bytes]]


def end_to_end(headers: RawHeaders, *, drop: frozenset[bytes] = frozenset()) -> RawHeaders:
    listed = connection_tokens(headers)
    return [
        (name, value)
        for name, value in headers
        if not is_hop_by_hop(name) and name.lower() not in listed and name.lower() not in drop
    ]


def upstream_timeout(settings: GatewaySettings, total: float | None = None) -> aiohttp.ClientTimeout:
    """Connect (a pooled connection or a new one) within the connect timeout, else nothing was
    sent: 503. Then each read of the answer within the upstream timeout, else 504."""
    return aiohttp.ClientTimeout(
        total=total,
        connect=settings.upstream_connect_timeout_seconds,
        sock_read=settings.upstream_timeout_seconds if total is None else total,
    )


def client_ip(request: Request, trusted_proxies: tuple[Network, ...]) -> str:
    """The client's address (`chassis.clientaddress`): the socket peer, or the nearest
    X-Forwarded-For entry that is not a trusted proxy when the peer is one."""
    peer = request.client.host if request.client else None
    # No key: the gateway never takes a signed address from outside (it drops those headers).
    return client_address(request.headers, peer, key=None, trusted_proxies=trusted_proxies)


def upstream_target(request: Request, service: str) -> str:
    """Path and query to request from the service: the client's, minus `/api/<service>`.

    The raw path is used when the server provides it, so percent-encoding
    (e.g. an encoded `/` inside an id) reaches the service as the client sent it.
    """
    prefix = f"/api/{service}/"
    path: str | None = None
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        text = raw.decode("latin-1").split("?", 1)[0]
        if text.startswith(prefix):
            path = text[len(prefix) - 1 :]
    if path is None:
        path = "/" + quote(str(request.path_params.get("path", "")), safe=_PATH_SAFE)
    if any(segment in (".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E") for segment in path.split("/")):
        raise Problem("the path must not contain '.' or '..' segments", code="dot-segments")
    query = request.scope.get("query_string", b"")
    if isinstance(query, bytes) and query:
        return f"{path}?{query.decode('latin-1')}"
    return path


def forwarded_request_headers(
    request: Request,
    *,
    caller: Caller | None,
    request_id: str,
    trusted_proxies: tuple[Network, ...],
    client_key: bytes | None,
    clock: Clock,
) -> list[tuple[bytes, bytes]]:
    headers = end_to_end(list(request.headers.raw), drop=GATEWAY_SET)
    peer = request.client.host if request.client else "unknown"
    from_proxy = bool(trusted_proxies) and is_proxy(peer, trusted_proxies)  # no address parsed without proxies
    prior = request.headers.get("x-forwarded-for", "").strip() if from_proxy else ""
    chain = f"{prior}, {peer}" if prior else peer
    headers.append((b"x-forwarded-for", chain.encode("latin-1")))
    proto = request.headers.get("x-forwarded-proto") if from_proxy else None
    # The scope's scheme, not `request.url.scheme`: building the whole URL to read it cost more than the header.
    headers.append((b"x-forwarded-proto", (proto or request.scope.get("scheme", "http")).encode("latin-1")))
    host = request.headers.get("x-forwarded-host") if from_proxy else None
    host = host or request.headers.get("host")
    if host:
        headers.append((b"x-forwarded-host", host.encode("latin-1")))
    if client_key:
        headers.extend(signed_headers(client_ip(request, trusted_proxies), client_key, clock.now()))
    headers.append((b"x-request-id", request_id.encode("latin-1")))
    if caller is not None:
        headers.append((b"x-caller-id", caller.account_id.encode("utf-8")))
    return headers


def _has_body(request: Request) -> bool:
    if "transfer-encoding" in request.headers:
        return True
    length = request.headers.get("content-length", "").strip()
    return bool(length) and length != "0"


class _Body:
    """The client's body streamed to the service, keeping what stopped it: the gateway's own
    refusal (a body above its limit) or the client going away, which the upstream client only
    reports as a broken send."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self.stopped_by: Exception | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._request.stream():
                if chunk:
                    yield chunk
        except (Problem, HTTPException) as refusal:  # e.g. chassis.httpguard's BodyTooLarge
            self.stopped_by = refusal
            raise
        except ClientDisconnect:
            self.stopped_by = Problem("the client closed the request", status=499)
            raise


async def _raw_body(upstream: aiohttp.ClientResponse, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.content.iter_any():
            yield chunk
    except (aiohttp.ClientError, TimeoutError) as error:  # the answer broke off midway
        log.warning("%s: answer broken off: %r", service, error)
    finally:
        upstream.release()


@dataclass(frozen=True)
class SmallAnswer:
    """A service's answer to one of the gateway's own small GETs (readiness, OpenAPI), read whole."""

    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise UpstreamError(f"answered {self.status_code}")


class UpstreamError(Exception):
    """A small GET failed: the service is unreachable, too slow or answered an error."""


class UpstreamTimeout(UpstreamError):
    pass


class Upstreams:
    """One pooled HTTP client per service, opened at start and closed at shutdown."""

    def __init__(
        self,
        settings: GatewaySettings,
        *,
        latency: Histogram,
        tracer: trace.Tracer,
    ) -> None:
        self.urls = settings.service_urls
        # Several instances of a service: each call goes to the next one in turn (round robin).
        # A call that could not connect to one (it died) is answered 503 as for a single instance,
        # except a call without a body, which nothing reached: it is tried once on the next one.
        self.instances = settings.instance_urls
        self._turn = dict.fromkeys(self.instances, 0)
        self._trusted_proxies = settings.proxy_networks
        self._client_key = settings.client_key
        self._clock: Clock = SystemClock()
        self._latency = latency
        self._latency_children: dict[tuple[str, str | int], Any] = {}
        self._tracer = tracer
        self._settings = settings
        # aiohttp rather than httpx on the data path: it costs a third of the CPU per forwarded
        # call (bench/README.md). One pooled session per service, made in the running loop;
        # trust_env off: calls between services never go through an HTTP proxy from the environment.
        # No cookie jar: the session's default one kept a service's Set-Cookie (hosts by name, as in
        # compose) and sent it with every later caller's request; it was also filtered on each call.
        self.clients = {
            name: aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=settings.max_connections_per_service, ttl_dns_cache=60),
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=upstream_timeout(settings),
                auto_decompress=False,
                trust_env=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
            )
            for name in self.urls
        }

    def _observe(self, service: str, outcome: str | int, seconds: float) -> None:
        """The upstream latency, by service and status (or failure); the labelled children are kept,
        the histogram's own lookup taking a lock and a tuple of strings every call."""
        child = self._latency_children.get((service, outcome))
        if child is None:
            child = self._latency_children[(service, outcome)] = self._latency.labels(service, str(outcome))
        child.observe(seconds)

    def require(self, service: str) -> str:
        url = self.urls.get(service)
        if url is None:
            known = ", ".join(self.urls)
            raise NotFound(f"no service named {service!r}; known: {known}", code="unknown-service")
        return url

    def pick(self, service: str) -> str:
        """The base URL of the instance whose turn it is."""
        instances = self.instances[service]
        if len(instances) == 1:
            return instances[0]
        turn = self._turn[service] = (self._turn[service] + 1) % len(instances)
        return instances[turn]

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.close()

    async def get(self, service: str, path: str, *, within: float | None = None) -> SmallAnswer:
        """A small GET to the service (readiness, OpenAPI), body read; `within` bounds the whole call.
        UpstreamTimeout when too slow, UpstreamError when unreachable."""
        headers: dict[str, str] = {}
        propagate.inject(headers)
        options: dict[str, Any] = {"headers": headers}
        if within is not None:
            options["timeout"] = upstream_timeout(self._settings, total=within)
        try:
            async with self.clients[service].get(self.pick(service) + path, **options) as answer:
                return SmallAnswer(answer.status, await answer.read())
        except TimeoutError as error:
            raise UpstreamTimeout(f"{service} did not answer in time") from error
        except aiohttp.ClientError as error:
            raise UpstreamError(f"{service} is unreachable: {error!r}") from error

    async def forward(self, request: Request, service: str, *, caller: Caller | None, request_id: str) -> Response:
        self.require(service)
        target = upstream_target(request, service)
        url = self.pick(service) + target
        headers = forwarded_request_headers(
            request,
            caller=caller,
            request_id=request_id,
            trusted_proxies=self._trusted_proxies,
            client_key=self._client_key,
            clock=self._clock,
        )
        client = self.clients[service]
        attributes = {"http.request.method": request.method, "creditdesk.upstream": service, "url.full": url}
        with self._tracer.start_as_current_span(
            f"{request.method} {service}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            # The client span is now current: its context is what the service continues.
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            headers.extend((key.encode("latin-1"), value.encode("latin-1")) for key, value in carrier.items())
            body = _Body(request) if _has_body(request) else None
            started = time.perf_counter()
            # Pairs, not a multidict: aiohttp builds its own from them anyway.
            sent = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
            try:
                try:
                    upstream = await client.request(
                        request.method,
                        URL(url, encoded=True),
                        headers=sent,
                        data=body.chunks() if body is not None else None,
                        allow_redirects=False,
                    )
                except aiohttp.ClientConnectorError:
                    if body is not None or len(self.instances[service]) == 1:
                        raise
                    # Nothing reached that instance (refused: it died): the next one gets the call.
                    url = self.pick(service) + target
                    span.set_attribute("url.full", url)
                    upstream = await client.request(
                        request.method, URL(url, encoded=True), headers=sent, allow_redirects=False
                    )
            except ClientDisconnect as error:
                raise Problem("the client closed the request", status=499) from error
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                if body is not None and body.stopped_by is not None:
                    raise body.stopped_by from error  # the client's side stopped the call, not the service
                outcome, problem = _classify(error, service)
                self._observe(service, outcome, time.perf_counter() - started)
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                log.warning("%s %s: %r", service, outcome, error, extra={"request_id": request_id})
                raise problem from error
            self._observe(service, upstream.status, time.perf_counter() - started)
            span.set_attribute("http.response.status_code", upstream.status)
            if upstream.status >= 500:
                span.set_status(Status(StatusCode.ERROR))

        raw_headers = end_to_end(list(upstream.raw_headers), drop=SERVER_SET)
        length = upstream.headers.get("content-length", "")
        if length.isdigit() and int(length) <= BUFFERED_BODY_LIMIT:
            # Small bodies (most API answers) are read at once: streaming them
            # costs a task group per request for nothing.
            try:
                content = await upstream.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                raise _classify(error, service)[1] from error
            finally:
                upstream.release()
            response = Response(content, status_code=upstream.status)
        else:
            response = StreamingResponse(
                _raw_body(upstream, service), status_code=upstream.status, background=BackgroundTask(upstream.release)
            )
        response.raw_headers = raw_headers
        return response


BUFFERED_BODY_LIMIT = 256 * 1024


def _classify(error: BaseException, service: str) -> tuple[str, Problem]:
    """The metric label and the problem for a failed upstream call.

    Nothing reached the service (refused, unreachable, no pooled connection nor a new one within
    the connect timeout): 503 with `Retry-After`, safe to retry. It took the request but did not
    answer in time: 504. It answered badly (broken connection, bad HTTP): 502.
    """
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return "unreachable", Unavailable(
            f"{service} could not be reached in time (busy or unreachable); nothing was sent to it, retry shortly",
            code="upstream-unreachable",
        )
    if isinstance(error, aiohttp.ClientConnectorError):
        return "unreachable", Unavailable(
            f"{service} is unreachable ({type(error).__name__}); nothing was sent to it, retry shortly",
            code="upstream-unreachable",
        )
    if isinstance(error, TimeoutError):  # aiohttp's read timeouts are TimeoutErrors too
        return "timeout", Problem(f"{service} did not answer in time", status=504, code="upstream-timeout")
    if isinstance(error, ValueError):
        return "bad_request", Problem(f"cannot forward this path: {error}", code="invalid-path")
    return "bad_answer", Problem(
        f"{service} answered badly ({type(error).__name__})",
        status=502,
        code="upstream-bad-answer",
    )
