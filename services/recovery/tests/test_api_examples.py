"""Every example the OpenAPI document shows is a body its model accepts (the examples are plain JSON
in `api/schemas.py`: this is what keeps them true to the models)."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel

from recovery.api import schemas


def _examples() -> list[tuple[type[BaseModel], object]]:
    found: list[tuple[type[BaseModel], object]] = []
    for _, model in inspect.getmembers(schemas, inspect.isclass):
        if issubclass(model, BaseModel) and model.__module__ == schemas.__name__:
            extra = model.model_config.get("json_schema_extra")
            examples = extra.get("examples", []) if isinstance(extra, dict) else []
            assert isinstance(examples, list)
            found.extend((model, example) for example in examples)
    return found


def test_the_models_show_examples() -> None:
    assert {model.__name__ for model, _ in _examples()} >= {"ClaimIn", "CaseOut", "CaseSummary", "DebtorClaimOut"}


@pytest.mark.parametrize(("model", "example"), _examples(), ids=lambda v: getattr(v, "__name__", ""))
def test_an_example_is_a_body_its_model_accepts(model: type[BaseModel], example: object) -> None:
    model.model_validate(example)
