"""The stack's own secrets: generated once per stack, kept next to its data.

`<state dir>/secrets.json` (mode 0600) holds the key the gateway signs client
addresses with (shared with the services), identity's key-encryption key and
billing's field-encryption key. Generated at first use, never committed (the
cache folder is git-ignored), deleted with the stack's data (`down --wipe`):
the keys and the data they encrypt live and die together.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from .config import StackConfig

FILE_NAME = "secrets.json"


def _key_ring_entry() -> str:
    """`<kid>:<base64 of 32 bytes>`, the format of `chassis.crypto` key rings."""
    return f"{secrets.token_hex(4)}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def _generate() -> dict[str, str]:
    return {
        "client_address_key": secrets.token_urlsafe(32),
        "identity_key_encryption_key": _key_ring_entry(),
        "billing_field_encryption_key": _key_ring_entry(),
        "ratings_field_encryption_key": _key_ring_entry(),
    }


def stack_secrets(config: StackConfig) -> dict[str, str]:
    """The stack's secrets, created on first use (missing ones are added)."""
    path: Path = config.state_dir / FILE_NAME
    found: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    wanted = _generate()
    if set(wanted) <= set(found):
        return found
    values = {**wanted, **found}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(values, file, indent=2)
    os.replace(path.with_suffix(".tmp"), path)
    return values
