"""Fixtures of recovery's unit tests: fakes of every port, a settable clock, the sample offices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recovery.adapters.directory import FileDirectory
from recovery.domain.jurisdiction import Office
from recovery.ports import RecoveryPorts
from services.recovery.tests.fakes import FakeCaseStore, FakeDirectory, FakeDocumentStore, FakePostalPort
from tests.clock import SettableClock

# Metz's district holds Moselle (57) only: three offices, two of them in the shipped sample file.
METZ_OFFICES = [
    Office("metz-a", "Étude A", "Maître A", "1 rue A", "57000", "Metz", "57"),
    Office("metz-b", "Étude B", "Maître B", "2 rue B", "57000", "Metz", "57"),
    Office("thionville-c", "Étude C", "Maître C", "3 rue C", "57100", "Thionville", "57"),
    Office("paris-d", "Étude D", "Maître D", "4 rue D", "75004", "Paris", "75"),
]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def store() -> FakeCaseStore:
    return FakeCaseStore()


@pytest.fixture
def ports(store: FakeCaseStore, clock: SettableClock) -> RecoveryPorts:
    return RecoveryPorts(
        cases=store,
        directory=FakeDirectory(METZ_OFFICES),
        documents=FakeDocumentStore(),
        postal=FakePostalPort(clock),
        clock=clock,
    )


@pytest.fixture
def sample_directory() -> FileDirectory:
    return FileDirectory()
