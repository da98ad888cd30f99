"""The in-memory `LinkTokens` of the handler unit tests keeps the same rules as the Mongo one
(the same checks run on the real Mongo server in test_tokens.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from chassis.tokens import InMemoryTokens
from libs.chassis.tests.tokens_contract import CHECKS, Make


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
async def test_the_fake_keeps_the_rules(check: Callable[[Make], Awaitable[None]]) -> None:
    await check(InMemoryTokens)
