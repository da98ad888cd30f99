"""The in-memory store keeps the CaseStore contract (so handler tests on it mean something)."""

from __future__ import annotations

import pytest

from services.recovery.tests.case_store_contract import CaseStoreContract
from services.recovery.tests.fakes import FakeCaseStore


class TestFakeCaseStore(CaseStoreContract):
    @pytest.fixture
    def case_store(self) -> FakeCaseStore:
        return FakeCaseStore()
