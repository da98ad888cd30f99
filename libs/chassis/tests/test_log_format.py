"""The JSON log line, written field by field, is the line `json.dumps` of its fields wrote."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from chassis.requestid import CURRENT_REQUEST_ID
from chassis.telemetry import JsonLogFormatter

# Instants whose milliseconds round across a boundary, and plain ones.
INSTANTS = (1_790_000_000.0, 1_790_000_000.9995, 1_790_000_000.99999999, 1_790_000_059.0005, 1_790_012_345.123456)


def expected_line(record: logging.LogRecord, service: str, request_id: str | None) -> str:
    entry: dict[str, Any] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "service": service,
        "logger": record.name,
        "message": record.getMessage(),
    }
    if request_id:
        entry["request_id"] = request_id
    for key in ("event_id", "event_type", "topic", "request_id"):
        if hasattr(record, key):
            entry[key] = getattr(record, key)
    return json.dumps(entry, default=str)


@pytest.mark.parametrize("created", INSTANTS)
@pytest.mark.parametrize("request_id", [None, "req-1"])
def test_a_line_is_what_json_dumps_writes(created: float, request_id: str | None) -> None:
    formatter = JsonLogFormatter("gatéway")
    record = logging.LogRecord("uvicorn.accèss", logging.WARNING, "", 0, 'say "%s"\t☃', ("a\nb",), None)
    record.created = created
    record.event_id = 7  # not a string: as json.dumps writes it
    record.topic = {"name": "x"}
    token = CURRENT_REQUEST_ID.set(request_id)
    try:
        line = formatter.format(record)
    finally:
        CURRENT_REQUEST_ID.reset(token)
    assert line == expected_line(record, "gatéway", request_id)
    assert json.loads(line)["message"] == 'say "a\nb"\t☃'


def test_the_exception_is_in_the_line() -> None:
    formatter = JsonLogFormatter("svc")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "", 0, "failed", None, sys.exc_info())
    parsed = json.loads(formatter.format(record))
    assert parsed["message"] == "failed"
    assert "ValueError: boom" in parsed["exception"]
