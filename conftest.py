"""Session fixtures shared by every test folder.

Integration and end-to-end tests run on the real local Kafka and MongoDB-wire
server of the `test` profile (ports +10000 from the development ones), started
here once per session, so a running `make up` stack is never disturbed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devstack.config import StackConfig
from devstack.stack import Stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that move the test stack's clock (chassis.clock.OffsetFileClock only moves forward) run
    after every other, so that no test depends on whether they ran before it. The sort is stable."""
    items.sort(key=lambda item: item.get_closest_marker("moves_clock") is not None)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Kafka, the Mongo server and the SMTP sink of the test profile."""
    stack = Stack(StackConfig.for_profile("test"))
    stack.start_infra()
    yield stack
    if os.environ.get("CREDITDESK_KEEP_STACK") != "1":
        stack.stop_all()


@pytest.fixture(scope="session")
def running_services(stack: Stack) -> Stack:
    """Every service and the gateway as real processes on the test infra."""
    stack.start_services()
    return stack
