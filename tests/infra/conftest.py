"""Session fixture: the `test` profile's Kafka, Mongo and SMTP sink, real processes.

`start_test_stack` is deliberately a plain function over devstack.Stack so it
can move to the root conftest unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack import Stack, StackConfig


def start_test_stack() -> tuple[Stack, dict[str, bool]]:
    """Start (or reuse) the test profile's infrastructure and wait until it answers.

    Returns the stack and, per component, whether this call started it.
    """
    stack = Stack(StackConfig.for_profile("test"))
    return stack, stack.start_infra()


def stop_test_stack(stack: Stack, started: dict[str, bool]) -> None:
    # Only what this session started: a stack brought up with
    # `python -m devstack up --profile test` stays up for the next run.
    for name, was_started in started.items():
        if was_started:
            stack.component(name).stop()


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    stack, started = start_test_stack()
    yield stack
    stop_test_stack(stack, started)
