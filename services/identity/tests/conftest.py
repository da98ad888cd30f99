"""Fixtures of identity's service tests (the harness lives in `service_app.py`, imported here
only when a test asks for it, so unit tests never import the whole app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from devstack.stack import Stack

if TYPE_CHECKING:
    from services.identity.tests.service_app import Harness, HarnessFactory


@pytest.fixture
async def make_harness(stack: Stack) -> AsyncIterator[HarnessFactory]:
    from services.identity.tests.service_app import harness_factory

    async for make in harness_factory(stack):
        yield make


@pytest.fixture
async def harness(make_harness: HarnessFactory) -> Harness:
    return await make_harness()
