"""The offset-file clock end-to-end tests use to move a running service's time, and its guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from chassis.clock import OffsetFileClock, write_clock_offset
from chassis.settings import ServiceSettings


def test_no_file_is_the_system_time(tmp_path: Path) -> None:
    clock = OffsetFileClock(tmp_path / "offset")
    before = datetime.now(UTC)
    now = clock.now()
    assert before <= now <= datetime.now(UTC)


def test_the_file_moves_time_forward_and_never_back(tmp_path: Path) -> None:
    path = tmp_path / "offset"
    clock = OffsetFileClock(path)
    write_clock_offset(path, timedelta(days=16))
    assert clock.now() - datetime.now(UTC) > timedelta(days=15, hours=23)
    write_clock_offset(path, timedelta(days=1))
    assert clock.offset() == timedelta(days=16)
    write_clock_offset(path, timedelta(days=47))
    assert clock.offset() == timedelta(days=47)


def test_a_garbled_file_keeps_the_last_good_offset(tmp_path: Path) -> None:
    path = tmp_path / "offset"
    clock = OffsetFileClock(path)
    write_clock_offset(path, timedelta(seconds=90))
    assert clock.offset() == timedelta(seconds=90)
    path.write_text("ninety")
    assert clock.offset() == timedelta(seconds=90)


def test_production_refuses_the_offset_file(tmp_path: Path) -> None:
    assert ServiceSettings(service_name="x", clock_offset_file=tmp_path / "o").clock_offset_file == tmp_path / "o"
    with pytest.raises(ValidationError, match="production"):
        ServiceSettings(service_name="x", environment="production", clock_offset_file=tmp_path / "o")
