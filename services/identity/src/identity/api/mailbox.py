"""The caller's in-app mailbox: list, read, mark, delete, export (JSON, mbox).
Only the caller's own messages: another account's message id is not found."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from chassis.auth import Caller, CurrentCaller
from chassis.errors import Forbidden, invalid_field
from chassis.openapi import problems
from identity.adapters.mbox import MBOX_MEDIA_TYPE, render_mbox
from identity.api import problems as p
from identity.api.deps import IdentityDep
from identity.api.mailbox_schemas import AllReadOut, MailboxExportOut, MarkIn, MessageOut, MessagePage
from identity.domain.mailbox import MAX_PAGE, PageInvalid, page_request
from identity.handlers.mailbox.delete_message import delete_message
from identity.handlers.mailbox.export_mailbox import export_mailbox
from identity.handlers.mailbox.list_messages import list_messages
from identity.handlers.mailbox.mark_all_read import mark_all_read
from identity.handlers.mailbox.mark_message import mark_message
from identity.handlers.mailbox.read_message import read_message
from identity.ports import MailboxStore

router = APIRouter(prefix="/accounts/me/mailbox", tags=["mailbox"])
ERRORS = problems(*p.AUTH, p.NOT_A_PERSON)
NOT_FOUND = problems(*p.AUTH, p.NOT_A_PERSON, p.MESSAGE_NOT_FOUND)
MERCHANT_ROLE = "merchant"


def mailbox_of(request: Request) -> MailboxStore:
    store: MailboxStore = request.app.state.mailbox
    return store


def owner(caller: Caller) -> str:
    """The mailbox is a person's: an API client (merchant token) has none."""
    if caller.has_role(MERCHANT_ROLE):
        raise Forbidden("an API client has no mailbox: log in as the user", code="not-a-user")
    return caller.account_id


@router.get(
    "", response_model=MessagePage, operation_id="list_mailbox", responses=problems(*p.AUTH, p.NOT_A_PERSON, p.REFUSED)
)
async def list_page(
    request: Request,
    caller: CurrentCaller,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Messages per page.")] = 20,
    cursor: Annotated[str | None, Query(max_length=400, description="`next_cursor` of the previous page.")] = None,
    unread: Annotated[bool, Query(description="Only unread messages.")] = False,
) -> MessagePage:
    """A page of the caller's mailbox, newest first, with the unread count."""
    account_id = owner(caller)
    try:
        paging = page_request(limit, cursor, unread)
    except PageInvalid as refused:
        raise invalid_field(refused.field, refused.message, str(refused)) from refused
    page = await list_messages(mailbox_of(request), account_id, paging)
    return MessagePage(
        messages=[MessageOut.of(m) for m in page.messages],
        unread=page.unread,
        total=page.total,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/export",
    response_model=MailboxExportOut,
    operation_id="export_mailbox",
    responses={
        200: {
            "description": "Every message, oldest first: JSON (`format=json`) or mbox (`format=mbox`, RFC 4155)",
            "content": {MBOX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problems(*p.AUTH, p.NOT_A_PERSON, p.REFUSED),
    },
)
async def export(
    request: Request,
    caller: CurrentCaller,
    identity: IdentityDep,
    format: Annotated[Literal["json", "mbox"], Query(description="json or mbox")] = "json",
) -> Response:
    """Export the caller's whole mailbox, as a download."""
    account_id = owner(caller)
    exported = await export_mailbox(mailbox_of(request), account_id, identity.now())
    stamp = exported.exported_at.strftime("%Y%m%dT%H%M%SZ")
    if format == "mbox":
        return Response(
            await asyncio.to_thread(render_mbox, exported.messages),
            media_type=MBOX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="mailbox-{stamp}.mbox"'},
        )
    body = MailboxExportOut(
        account_id=account_id, exported_at=exported.exported_at, messages=[MessageOut.of(m) for m in exported.messages]
    )
    return Response(
        body.model_dump_json(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="mailbox-{stamp}.json"'},
    )


@router.post("/read-all", response_model=AllReadOut, operation_id="mark_mailbox_read", responses=ERRORS)
async def read_all(request: Request, caller: CurrentCaller, identity: IdentityDep) -> AllReadOut:
    """Mark every unread message of the caller's mailbox read."""
    return AllReadOut(marked=await mark_all_read(mailbox_of(request), owner(caller), identity.now()))


@router.get("/{message_id}", response_model=MessageOut, operation_id="read_mailbox_message", responses=NOT_FOUND)
async def read(message_id: str, request: Request, caller: CurrentCaller, identity: IdentityDep) -> MessageOut:
    """Open one message of the caller's mailbox: it is marked read."""
    return MessageOut.of(await read_message(mailbox_of(request), owner(caller), message_id, identity.now()))


@router.patch(
    "/{message_id}",
    response_model=MessageOut,
    operation_id="mark_mailbox_message",
    responses=NOT_FOUND,
)
async def mark(
    message_id: str, body: MarkIn, request: Request, caller: CurrentCaller, identity: IdentityDep
) -> MessageOut:
    """Mark one message read or unread."""
    marked = await mark_message(mailbox_of(request), owner(caller), message_id, read=body.read, now=identity.now())
    return MessageOut.of(marked)


@router.delete(
    "/{message_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_mailbox_message",
    responses=NOT_FOUND,
)
async def delete(message_id: str, request: Request, caller: CurrentCaller, identity: IdentityDep) -> Response:
    """Delete one message for good."""
    await delete_message(mailbox_of(request), owner(caller), message_id, identity.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
