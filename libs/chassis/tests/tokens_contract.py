"""What every `LinkTokens` keeps (the Mongo `Tokens` and the in-memory fake of the unit tests):
each check takes a factory of the implementation on a settable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from chassis.tokens import LinkTokens
from tests.clock import SettableClock

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
Make = Callable[[SettableClock], LinkTokens]


async def a_token_opens_its_own_purpose_once(make: Make) -> None:
    tokens = make(SettableClock(T0))
    token = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=1))
    assert await tokens.peek("other", token) is None
    assert await tokens.consume("other", token) is None
    peeked = await tokens.peek("p", token)
    assert peeked is not None
    assert peeked.subject == "s"
    used = await tokens.consume("p", token)
    assert used is not None
    assert used.used_at == T0
    assert await tokens.consume("p", token) is None
    assert await tokens.peek("p", token) is None
    found = await tokens.find("p", token)
    assert found is not None
    assert found.used_at == T0
    assert await tokens.find("p", token + "x") is None


async def expiry_and_revocation_keep_the_new_link(make: Make) -> None:
    clock = SettableClock(T0)
    tokens = make(clock)
    old = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=1))
    older = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=1))
    new = await tokens.issue("p", "s", expires_at=T0 + timedelta(hours=2))
    elsewhere = await tokens.issue("p", "t", expires_at=T0 + timedelta(hours=2))
    assert await tokens.revoke("p", "s", keep=new) == 2
    assert await tokens.peek("p", old) is None
    assert await tokens.peek("p", older) is None
    assert await tokens.peek("p", new) is not None
    assert await tokens.peek("p", elsewhere) is not None
    clock.advance(hours=2)
    assert await tokens.peek("p", new) is None
    assert await tokens.consume("p", new) is None
    assert await tokens.revoke("p", "t") == 0  # expired: nothing live to revoke
    with pytest.raises(ValueError, match="expire after"):
        await tokens.issue("p", "s", expires_at=clock.now())


CHECKS = [a_token_opens_its_own_purpose_once, expiry_and_revocation_keep_the_new_link]
