"""The one send wrapper (`chassis.asgi`): the start of an answer edited, nothing else touched."""

from __future__ import annotations

from starlette.types import Message

from chassis.asgi import RawHeaders, on_response_start, with_headers


def test_added_headers_replace_any_of_the_same_name_whatever_its_case() -> None:
    headers = [(b"X-Content-Type-Options", b"sniff"), (b"content-type", b"text/plain"), (b"x-request-id", b"old")]
    result = with_headers(headers, [(b"x-content-type-options", b"nosniff")], drop={b"x-request-id"})
    assert result == [(b"content-type", b"text/plain"), (b"x-content-type-options", b"nosniff")]


async def test_only_the_start_is_edited_and_none_keeps_the_headers() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    seen: list[int] = []

    def edit(status: int, headers: RawHeaders) -> RawHeaders | None:
        seen.append(status)
        return None if status == 204 else with_headers(headers, [(b"x-a", b"1")])

    wrapped = on_response_start(send, edit)
    await wrapped({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"0"), (b"x-b", b"2")]})
    await wrapped({"type": "http.response.body", "body": b"x-a"})
    await wrapped({"type": "http.response.start", "status": 204, "headers": [(b"x-a", b"0")]})
    assert seen == [200, 204]
    assert sent[0]["headers"] == [(b"x-b", b"2"), (b"x-a", b"1")]
    assert sent[1] == {"type": "http.response.body", "body": b"x-a"}
    assert sent[2]["headers"] == [(b"x-a", b"0")]
