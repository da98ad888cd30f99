"""Is a new JSON Schema of an event compatible with the published one?

Within a version, the published schema is a promise both ways: consumers built
on the new schema read messages written under the old one, and consumers built
on the old schema read messages written under the new one (they ignore unknown
fields). So the only change allowed is a new *optional* property; anything else
(a property removed, made required, retyped, an enum or a constraint changed)
needs a new version.
"""

from __future__ import annotations

import json
from typing import Any

Schema = dict[str, Any]

# Words that document a schema without changing which documents it accepts.
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "deprecated", "$comment"})


def _resolve(node: Any, root: Schema) -> Any:
    """Inline local `$ref`s so that moving a definition is not a change."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local references are supported, not {ref}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _resolve({**target, **rest}, root)
        return {k: _resolve(v, root) for k, v in node.items() if k not in _ANNOTATIONS and k != "$defs"}
    if isinstance(node, list):
        return [_resolve(v, root) for v in node]
    return node


def _canonical(node: Any) -> str:
    return json.dumps(node, sort_keys=True)


def _compare(old: Any, new: Any, path: str, problems: list[str]) -> None:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        if _canonical(old) != _canonical(new):
            problems.append(f"{path}: changed from {_canonical(old)} to {_canonical(new)}")
        return
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            problems.append(f"{path}.{name}: property removed")
        else:
            _compare(old_props[name], new_props[name], f"{path}.{name}", problems)
    # Added properties need no check of their own: only "became required" below can break.
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    problems.extend(f"{path}.{name}: property became required" for name in sorted(newly_required))
    no_longer_required = set(old.get("required", [])) - set(new.get("required", []))
    problems.extend(f"{path}.{name}: property is no longer required" for name in sorted(no_longer_required))
    for key in sorted((old.keys() | new.keys()) - {"properties", "required"}):
        if key not in new:
            problems.append(f"{path}: '{key}' removed")
        elif key not in old:
            problems.append(f"{path}: '{key}' added")
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            _compare(old[key], new[key], f"{path}/{key}", problems)
        elif _canonical(old[key]) != _canonical(new[key]):
            if key in {"anyOf", "oneOf", "allOf", "prefixItems"} and len(old[key]) == len(new[key]):
                for i, (o, n) in enumerate(zip(old[key], new[key], strict=True)):
                    _compare(o, n, f"{path}/{key}[{i}]", problems)
            else:
                problems.append(f"{path}: '{key}' changed from {_canonical(old[key])} to {_canonical(new[key])}")


def incompatibilities(published: Schema, current: Schema) -> list[str]:
    """Every reason why `current` cannot replace `published` within a version."""
    problems: list[str] = []
    _compare(_resolve(published, published), _resolve(current, current), "$", problems)
    return problems
