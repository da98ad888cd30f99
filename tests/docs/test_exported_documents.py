"""The exported OpenAPI and AsyncAPI documents in docs/ are those the code
serves: run `make docs` after changing a route or an event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devstack.docs import SERVICES, export

# A real adapter at work (PDF rendering, an HTTP server, the OpenAPI export): in `make test`, not `make test-unit`.
pytestmark = pytest.mark.adapter

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("docs")
    export(target)
    return target


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_openapi_is_current(current: Path, name: str) -> None:
    assert _load(DOCS / "openapi" / f"{name}.json") == _load(current / "openapi" / f"{name}.json"), (
        f"docs/openapi/{name}.json is stale: run `make docs`"
    )


@pytest.mark.parametrize("name", SERVICES)
def test_asyncapi_is_current_and_describes_every_event(current: Path, name: str) -> None:
    exported = _load(DOCS / "asyncapi" / f"{name}.json")
    assert exported == _load(current / "asyncapi" / f"{name}.json"), (
        f"docs/asyncapi/{name}.json is stale: run `make docs`"
    )
    for channel in exported.get("channels", {}).values():
        assert channel["address"].startswith("creditdesk.")
        assert channel.get("description"), f"{channel['address']} has no description"


def _load(path: Path) -> Any:
    return json.loads(path.read_text())
