"""Security headers on every answer of the portal: a strict Content-Security-Policy (no
inline script or style anywhere: every script and style is a file of /static), nosniff,
no referrer (a page's address never leaves the site), no framing, and no caching of pages
that may show a person's data."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from chassis.asgi import HttpMiddleware, RawHeaders, on_response_start, with_headers

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
STATIC_PREFIX = "/static/"


class SecurityHeadersMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        static = str(scope.get("path", "")).startswith(STATIC_PREFIX)
        added = ((b"cache-control", b"public, max-age=3600" if static else b"no-store"), *HEADERS)

        def secured(_status: int, headers: RawHeaders) -> RawHeaders:
            return with_headers(headers, added)

        await self.app(scope, receive, on_response_start(send, secured))
