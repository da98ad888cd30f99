"""What the recovery end-to-end tests share: a claim, its filing form, the test stack's clock,
commissaire accounts, the debtor's link as a person reads it in the mail, a PDF's text."""

from __future__ import annotations

import copy
import io
import json
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from pypdf import PdfReader

from chassis.clock import OffsetFileClock, write_clock_offset
from devstack.services import clock_offset_file
from devstack.stack import Stack
from recovery.api.schemas import EXAMPLE_CLAIM
from tests.e2e.helpers import PASSWORD, bearer, eventually, new_email, support_headers

# A proof as a creditor scans it: a PDF by its first bytes.
INVOICE_PDF = b"%PDF-1.4\n% Facture F-2026-001, Quincaillerie Lorraine SARL\n%%EOF\n"


def claim(debtor_email: str, **changes: Any) -> dict[str, Any]:
    """A Metz hardware shop owes the creditor two invoices, 2,012.34 EUR in all: recovery's API
    example, filed by the creditor for themself under a new case id."""
    body = {k: v for k, v in copy.deepcopy(EXAMPLE_CLAIM).items() if k not in ("company_id", "creditor_trader")}
    debtor = body["debtor"]
    assert isinstance(debtor, dict)
    body["debtor"] = {**debtor, "email": debtor_email}
    return {**body, "case_id": f"e2e-{uuid.uuid4().hex[:16]}", **changes}


def filing_form(body: dict[str, Any], documents: list[tuple[str, bytes]] | None = None) -> dict[str, Any]:
    files = documents if documents is not None else [("facture-F-2026-001.pdf", INVOICE_PDF)]
    return {
        "data": {"claim": json.dumps(body)},
        "files": [("documents", (name, content, "application/pdf")) for name, content in files],
    }


def move_clock(stack: Stack, **delta: float) -> timedelta:
    """Move the test stack's recovery and billing time forward (chassis.clock.OffsetFileClock):
    the services read the offset file on their next `now()`. Returns the new total offset."""
    path = clock_offset_file(stack.config)
    offset = OffsetFileClock(path).offset() + timedelta(**delta)
    write_clock_offset(path, offset)
    return offset


async def commissaire_headers(stack: Stack, http: httpx.AsyncClient, office_id: str) -> dict[str, str]:
    """A commissaire de justice of `office_id`, as identity makes one: support creates the account
    bound to the office, the invitation mail's link sets the password, the commissaire logs in (the
    token carries the role `commissaire` and the `office_id` claim)."""
    support = await support_headers(stack, http)
    email = new_email()
    form = {"email": email, "civility": "mrs", "first_name": "Claire", "last_name": "Exemple", "office_id": office_id}
    created = await http.post("/api/identity/admin/commissaires", json=form, headers=support)
    assert created.status_code == 201, created.text
    mail = await stack.mailbox.wait_for(email, lambda m: "commissaire de justice" in m.subject, timeout=30)
    match = re.search(r"/commissaire-activation[?#]token=([\w-]+)", mail.text)
    assert match, f"no activation link in:\n{mail.text}"
    body = {"token": match.group(1), "password": PASSWORD, "password_confirmation": PASSWORD}
    activated = await http.post("/api/identity/commissaires/activation", json=body)
    assert activated.status_code == 200, activated.text
    login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return bearer(login.json()["access_token"])


DEBTOR_LINK = re.compile(r"https?://\S*debtor\S*")


def debtor_token(text: str) -> str:
    """The token of the debtor-space link in a mail, wherever the link carries it (its fragment,
    which never reaches a server, a `token` parameter, or its last path segment)."""
    match = DEBTOR_LINK.search(text)
    assert match, f"no debtor-space link in:\n{text}"
    url = urlsplit(match.group(0).rstrip(".,;)>"))
    for part in (url.fragment, url.query):
        token = parse_qs(part).get("token")
        if token:
            return token[0]
    if url.fragment:
        return url.fragment
    return url.path.rstrip("/").rsplit("/", 1)[-1]


def pdf_text(content: bytes) -> str:
    """The text of a PDF as a reader extracts it, whitespace runs as one space."""
    assert content.startswith(b"%PDF-")
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


async def case_when(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], done: Any, timeout: float = 60
) -> dict[str, Any]:
    """Poll a case's view until `done(case)` holds (the bus and the sweeper work asynchronously)."""

    async def probe() -> dict[str, Any] | None:
        answer = await http.get(path, headers=headers)
        if answer.status_code != 200:
            return None
        case: dict[str, Any] = answer.json()
        return case if done(case) else None

    found: dict[str, Any] = await eventually(probe, timeout=timeout)
    return found
