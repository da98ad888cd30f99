"""Fixtures of ratings' unit tests: fakes of every port and a settable clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratings.ports import RatingsPolicy, RatingsPorts
from services.ratings.tests.fakes import (
    FakeAccounts,
    FakeFiles,
    FakeJobs,
    FakeLegacy,
    FakePortfolios,
    FakeProvider,
    FakeRights,
    new_ids,
)
from tests.clock import SettableClock


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def ports(clock: SettableClock, sleeps: list[float]) -> RatingsPorts:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RatingsPorts(
        files=FakeFiles(),
        portfolios=FakePortfolios(),
        jobs=FakeJobs(),
        accounts=FakeAccounts(),
        legacy=FakeLegacy(),
        provider=FakeProvider(clock),
        rights=FakeRights(),
        clock=clock,
        new_id=new_ids(),  # type: ignore[arg-type]
        policy=RatingsPolicy(check_concurrency=4, check_batch=2),
        sleep=sleep,
    )
