"""The commissaire directory read from a JSON file (by default the shipped SAMPLE offices)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from recovery.domain.jurisdiction import Office

SAMPLE_OFFICES = Path(__file__).with_name("sample_offices.json")


class FileDirectory:
    """Implements `recovery.ports.CommissaireDirectory` from a file `{"offices": [{...}, ...]}`."""

    def __init__(self, path: Path = SAMPLE_OFFICES) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self._offices = {o.office_id: o for o in (Office(**entry) for entry in raw["offices"])}
        for office in self._offices.values():
            office.court_of_appeal  # noqa: B018 (an office in an unknown department fails here, at start)

    async def offices_in(self, court_of_appeal: str) -> Sequence[Office]:
        return [o for o in self._offices.values() if o.court_of_appeal == court_of_appeal]

    async def get(self, office_id: str) -> Office | None:
        return self._offices.get(office_id)
