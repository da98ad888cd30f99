"""Rule failures, each named, so that a client learns every problem at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code, the field it concerns, and a message."""

    code: str
    field: str
    message: str


class RuleViolations(ValueError):
    """Every rule a command broke."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.message}" for v in violations))
        self.violations = tuple(violations)
