"""Export the JSON Schemas of the envelope and of every event, and check that
the current models are compatible with the exported (published) ones.

    python -m contracts.schemas export [DIR]   # after a deliberate change
    python -m contracts.schemas check [DIR]    # in tests and CI
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import contracts.events  # noqa: F401  (registers every event)
from contracts.compat import incompatibilities
from contracts.envelope import Envelope
from contracts.registry import REGISTRY

PUBLISHED_DIR = Path(__file__).resolve().parents[2] / "schemas"


def current_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, for the envelope and each event version."""
    schemas: dict[str, dict[str, Any]] = {"Envelope.v1.json": Envelope.model_json_schema()}
    for cls in REGISTRY:
        schema = cls.model_json_schema()
        schema["x-event"] = {
            "name": cls.event_name,
            "version": cls.event_version,
            "owner": cls.event_owner,
            "topic": cls.topic,
            "subject": cls.subject_field,
        }
        schemas[f"{cls.event_name}.v{cls.event_version}.json"] = schema
    return schemas


def export(directory: Path = PUBLISHED_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current_schemas().items():
        path = directory / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def check(directory: Path = PUBLISHED_DIR) -> dict[str, list[str]]:
    """Problems per schema file; an event with no published schema yet is a
    problem too (export it so that it becomes a promise)."""
    problems: dict[str, list[str]] = {}
    for name, schema in current_schemas().items():
        path = directory / name
        if not path.exists():
            problems[name] = ["not published: run `python -m contracts.schemas export`"]
            continue
        found = incompatibilities(json.loads(path.read_text()), schema)
        if found:
            problems[name] = found
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    directory = Path(argv[1]) if len(argv) > 1 else PUBLISHED_DIR
    if command == "export":
        for path in export(directory):
            print(path)
        return 0
    if command == "check":
        problems = check(directory)
        for name, found in problems.items():
            for problem in found:
                print(f"{name}: {problem}")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
