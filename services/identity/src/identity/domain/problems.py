"""What a rule finds wrong with a command: field -> its problems (empty when acceptable), and
the refusal a use case raises with them (the API answers it as a 422 naming every problem)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FieldProblems = dict[str, list[str]]


def field_errors(problems: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """One `{"field", "message"}` per problem: the `errors` of a 422 `validation` answer."""
    return [{"field": field, "message": message} for field, messages in problems.items() for message in messages]


class Refused(ValueError):
    """A command its rules refuse (a registration, a new password)."""

    def __init__(self, errors: FieldProblems) -> None:
        super().__init__("; ".join(f"{field}: {', '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors

    def field_errors(self) -> list[dict[str, str]]:
        return field_errors(self.errors)
