"""Fixtures of teams' service tests (the harness lives in `service_app.py`, imported here only when
a test asks for it, so unit tests never import the whole app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devstack.stack import Stack

if TYPE_CHECKING:
    from services.teams.tests.service_app import Harness


@pytest.fixture
async def svc(stack: Stack, tmp_path: Path) -> AsyncIterator[Harness]:
    from services.teams.tests.service_app import running

    async for harness in running(stack, tmp_path / "sms"):
        yield harness
