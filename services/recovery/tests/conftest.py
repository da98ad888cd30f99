"""Fixtures of recovery's unit tests: fakes of every port, a settable clock, the sample offices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recovery.adapters.directory import FileDirectory
from recovery.domain.claims import PostalAddress
from recovery.domain.jurisdiction import Office
from recovery.ports import KnownCreditor, RecoveryPorts
from services.recovery.tests.fakes import (
    FakeCaseStore,
    FakeCreditors,
    FakeDebtorLinks,
    FakeDirectory,
    FakeDocumentStore,
    FakeLetterRenderer,
    FakeMandates,
    FakePostalPort,
    FakeRights,
    FakeSagaStore,
)
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


CREDITOR = KnownCreditor(
    "Fournitures Dupont SAS",
    "compta@dupont.example",
    "552100554",
    PostalAddress("5 avenue Foch", "54000", "Nancy", "54"),
)


@pytest.fixture
def ports(store: FakeCaseStore, clock: SettableClock) -> RecoveryPorts:
    """Ports where the creditors "acc" and "acc-creditor" are known to identity and hold a signed mandate."""
    return RecoveryPorts(
        cases=store,
        directory=FakeDirectory(METZ_OFFICES),
        documents=FakeDocumentStore(),
        postal=FakePostalPort(clock),
        clock=clock,
        letters=FakeLetterRenderer(),
        mandates=FakeMandates("acc", "acc-creditor"),
        creditors=FakeCreditors({"acc": CREDITOR, "acc-creditor": CREDITOR}),
        rights=FakeRights(),
        links=FakeDebtorLinks(clock),
        sagas=FakeSagaStore(),
    )


@pytest.fixture
def sample_directory() -> FileDirectory:
    return FileDirectory()
