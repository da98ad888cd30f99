"""Export every service's OpenAPI and AsyncAPI documents to docs/.

    python -m devstack.docs    (make docs)

Each service also serves them live at /openapi.json and /asyncapi.json, and the
gateway merges the OpenAPI documents at its own /openapi.json. Building an app
connects to nothing (clients connect in the lifespan), so this needs no stack.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from .config import find_repo_root

SERVICES = ("identity", "billing", "recovery", "ratings", "teams")


def export(target: Path | None = None) -> list[Path]:
    out = target or find_repo_root() / "docs"
    written: list[Path] = []
    for name in (*SERVICES, "gateway"):
        app: Any = importlib.import_module(f"{name}.app").create_app()
        documents: dict[str, Any] = {"openapi": app.openapi()}
        if name != "gateway":
            documents["asyncapi"] = app.state.asyncapi()
        for kind, document in documents.items():
            path = out / kind / f"{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in export():
        print(path)
