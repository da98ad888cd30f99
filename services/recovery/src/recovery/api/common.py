"""What the three audiences' routes share: loading a case as its handlers do, calling a handler with
the domain's refusals turned into problems, and serving a stored document with its SHA-256."""

from __future__ import annotations

import hashlib
from base64 import b64encode
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import Response

from chassis.errors import NotFound
from recovery.api.problems import case_refused, claim_refused, no_such_case
from recovery.domain.cases import Case, CaseError
from recovery.domain.claims import ClaimRefused
from recovery.ports import CaseNotFound, RecoveryPorts

T = TypeVar("T")


async def load(ports: RecoveryPorts, case_id: str) -> Case:
    try:
        return await ports.cases.get(case_id)
    except CaseNotFound:
        raise no_such_case(case_id) from None


async def decided(case_id: str, call: Awaitable[T]) -> T:
    """Await a handler, its refusals as problem+json."""
    try:
        return await call
    except CaseNotFound:
        raise no_such_case(case_id) from None
    except ClaimRefused as refused:
        raise claim_refused(refused) from None
    except CaseError as error:
        raise case_refused(error, case_id) from None


async def document_response(ports: RecoveryPorts, document_id: str, *, name: str, media_type: str) -> Response:
    """The document's bytes; its SHA-256 in `X-Content-SHA256` (hex) and `Repr-Digest` (RFC 9530)."""
    try:
        content = await ports.documents.get(document_id)
    except KeyError:
        raise NotFound(f"no document {document_id}", code="document-not-found") from None
    digest = hashlib.sha256(content).digest()
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "document"
    return Response(
        content,
        media_type=media_type,
        headers={
            "X-Content-SHA256": digest.hex(),
            "Repr-Digest": f"sha-256=:{b64encode(digest).decode()}:",
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "private, no-store",
        },
    )


DOCUMENT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document's bytes (PDF, JPEG or PNG); its SHA-256 in X-Content-SHA256 and Repr-Digest",
        "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
        "headers": {
            "X-Content-SHA256": {"description": "SHA-256 of the body, hex", "schema": {"type": "string"}},
            "Repr-Digest": {"description": "RFC 9530 digest of the body", "schema": {"type": "string"}},
        },
    }
}
