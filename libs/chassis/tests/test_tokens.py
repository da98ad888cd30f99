"""Single-use link tokens on the real local Mongo server; time is a settable clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chassis.tokens import TOKENS, Tokens, adopt_embedded, hash_token
from libs.chassis.tests.tokens_contract import CHECKS, Make
from tests.clock import SettableClock

pytestmark = pytest.mark.infra
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


async def test_only_the_hash_is_stored_and_a_token_opens_its_own_purpose_only(db: Any) -> None:
    clock = SettableClock(T0)
    tokens = Tokens(db, clock=clock)
    token = await tokens.issue("debtor-space", "case-1", expires_at=T0 + timedelta(days=30))
    stored = await db[TOKENS].find_one({})
    assert stored["_id"] == hash_token(token) != token
    assert token not in str(stored)
    record = await tokens.peek("debtor-space", token)
    assert record is not None
    assert record.subject == "case-1"
    assert await tokens.peek("activation", token) is None
    assert await tokens.peek("debtor-space", token + "x") is None


async def test_a_token_is_used_once_and_peeking_does_not_use_it(db: Any) -> None:
    tokens = Tokens(db, clock=SettableClock(T0))
    token = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=1))
    assert await tokens.peek("p", token) is not None
    assert await tokens.peek("p", token) is not None
    first = await tokens.consume("p", token)
    assert first is not None
    assert first.used_at == T0
    assert await tokens.consume("p", token) is None
    assert await tokens.peek("p", token) is None
    found = await tokens.find("p", token)  # why it fails: used
    assert found is not None
    assert found.used_at == T0
    assert await tokens.find("p", "unknown") is None


async def test_of_concurrent_uses_exactly_one_wins(db: Any) -> None:
    tokens = Tokens(db, clock=SettableClock(T0))
    token = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=1))
    results = await asyncio.gather(*(tokens.consume("p", token) for _ in range(8)))
    assert sum(r is not None for r in results) == 1


async def test_a_token_expires_at_its_instant_and_revoke_ends_a_subjects_tokens(db: Any) -> None:
    clock = SettableClock(T0)
    tokens = Tokens(db, clock=clock)
    token = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=1))
    other = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=2))
    clock.advance(hours=1)
    assert await tokens.peek("p", token) is None
    assert await tokens.consume("p", token) is None
    assert await tokens.peek("p", other) is not None
    assert await tokens.revoke("p", "s") == 1
    assert await tokens.peek("p", other) is None
    with pytest.raises(ValueError, match="expire after"):
        await tokens.issue("p", "s", expires_at=clock.now())


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
async def test_the_mongo_tokens_keep_the_rules(db: Any, check: Callable[[Make], Awaitable[None]]) -> None:
    await check(lambda clock: Tokens(db, clock=clock))


async def test_hashes_kept_in_documents_are_adopted_once_and_their_links_still_open(db: Any) -> None:
    clock = SettableClock(T0)
    tokens = Tokens(db, clock=clock)
    token = "a-link-mailed-before-the-move"
    until = T0 + timedelta(hours=1)
    await db["accounts"].insert_many(
        [
            {"_id": "a-1", "activation": {"hash": hash_token(token), "expires_at": until, "sent_at": T0}},
            {"_id": "a-2", "activation": {"expires_at": until, "sent_at": T0}},
        ]
    )
    args = ("accounts", "activation.hash", "activation")
    assert await adopt_embedded(db, *args, expires="activation.expires_at", issued="activation.sent_at") == 1
    assert await adopt_embedded(db, *args, expires="activation.expires_at", issued="activation.sent_at") == 0
    assert await db["accounts"].find_one({"_id": "a-1"}) == {
        "_id": "a-1",
        "activation": {"expires_at": until, "sent_at": T0},
    }
    record = await tokens.consume("activation", token)
    assert record is not None
    assert (record.subject, record.issued_at, record.expires_at) == ("a-1", T0, until)
    assert await tokens.consume("activation", token) is None
