"""Fuzzing of every route of the merged OpenAPI document, through the gateway
on the real stack: whatever a client sends, the answer is never a 5xx.

Schemathesis generates the requests from the schema; its pytest plugin does not
support this pytest version, so each operation's strategy is driven by
hypothesis directly."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from devstack.stack import Stack

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 25


def test_no_input_makes_a_server_error(running_services: Stack) -> None:
    schema = schemathesis.openapi.from_url(f"{running_services.gateway_url}/openapi.json")
    assert not schema.raw_schema.get("x-unavailable-services"), "every service must be up to be fuzzed"
    server_errors: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err would mean the merged document is invalid: raise
        if operation.path.endswith("/ready"):
            continue  # its 503 means a dependency is down: that is its answer
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            response = case.call(timeout=30)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
                )

        call()
    assert operations >= 10
    assert server_errors == []
    # The requests reached the services rather than the gateway's limiter.
    assert statuses[429] < sum(statuses.values()) / 10, statuses
