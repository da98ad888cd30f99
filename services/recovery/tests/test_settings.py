"""The procedure's counts are settings, with the documented defaults."""

from __future__ import annotations

import pytest

from recovery.domain.cases import ProcedurePolicy
from recovery.settings import RecoverySettings


def test_the_defaults_are_the_procedures() -> None:
    assert RecoverySettings().procedure_policy() == ProcedurePolicy()
    assert ProcedurePolicy().amicable_days == 15
    assert ProcedurePolicy().answer_months == 1


def test_the_counts_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERY_OFFICE_ANSWER_DAYS", "5")
    monkeypatch.setenv("RECOVERY_PROOF_MAX_COUNT", "3")
    policy = RecoverySettings().procedure_policy()
    assert (policy.office_answer_days, policy.proof_max_count, policy.amicable_days) == (5, 3, 15)
