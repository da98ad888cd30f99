"""FormErrors: the API's problem shown on the form it concerns: each field error next to
its field (by the form field's name), the rest above the form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from portal.ports import ApiProblem


def field_id(name: str) -> str:
    """The HTML id of a form field: `billing_address.city` -> `f-billing_address-city`."""
    return "f-" + name.replace(".", "-")


@dataclass
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @classmethod
    def from_problem(cls, problem: ApiProblem | None, form_fields: Iterable[str] | None = None) -> FormErrors:
        """The problem's field errors by name. Given the form's field names, an error of a
        field the form does not have is shown above the form instead (with its name); a
        problem without field errors is its `detail` above the form."""
        if problem is None:
            return cls()
        known = set(form_fields) if form_fields is not None else None
        errors = cls()
        for name, message in problem.field_errors.items():
            if known is None or name in known:
                errors.fields[name] = message
            else:
                errors.general.append(f"{name}: {message}")
        if not problem.field_errors:
            errors.general.append(problem.detail)
        return errors

    @classmethod
    def of(cls, general: Iterable[str] = (), **fields: str) -> FormErrors:
        """Errors the portal finds itself (`FormErrors.of(password_confirmation="...")`)."""
        return cls(fields=dict(fields), general=list(general))

    def for_field(self, name: str) -> str | None:
        return self.fields.get(name)

    def add(self, name: str, message: str) -> None:
        self.fields[name] = message

    def merge(self, other: FormErrors) -> FormErrors:
        return FormErrors({**self.fields, **other.fields}, [*self.general, *other.general])

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def items(self) -> Iterable[tuple[str, str]]:
        return self.fields.items()


def form_values(form: Mapping[str, object], *names: str) -> dict[str, str]:
    """The text values of those fields, stripped ('' when absent or a file)."""
    return {name: value.strip() if isinstance(value := form.get(name), str) else "" for name in names}
