from __future__ import annotations

from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider

from chassis.mail import build_message, mail_entry
from chassis.outbox import OUTBOX_FIELD, Outbox, OutboxEntry, PermanentFailure, RelayPolicy, pending_marker
from contracts import AccountActivated, Envelope, PersonKind

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


EVENT = AccountActivated(account_id="acc-7", email="a@b.fr", person_kind=PersonKind.NATURAL, display_name="A B")


def test_entries_are_envelopes_keyed_by_subject() -> None:
    [entry] = Outbox(FixedClock()).entries(EVENT)
    envelope = Envelope.model_validate_json(entry["value"])
    assert entry["topic"] == AccountActivated.topic == envelope.topic
    assert entry["key"] == "acc-7" == envelope.subject
    assert entry["id"] == str(envelope.event_id)
    assert envelope.occurred_at == NOW
    assert entry["attempts"] == 0


def test_the_active_trace_is_stored_with_the_event() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        [entry] = Outbox(FixedClock()).entries(EVENT)
    envelope = Envelope.model_validate_json(entry["value"])
    assert envelope.trace is not None
    assert f"{span.get_span_context().trace_id:032x}" in envelope.trace.traceparent
    assert entry["headers"]["traceparent"] == envelope.trace.traceparent


def test_an_update_appends_events_to_what_it_already_pushes() -> None:
    update = Outbox(FixedClock()).update({"$set": {"a": 1}, "$push": {"history": "x"}}, EVENT, EVENT)
    assert update["$set"]["a"] == 1
    assert update["$push"]["history"] == "x"
    assert len(update["$push"][OUTBOX_FIELD]["$each"]) == 2
    # The same write flags the document for the relay's indexed lookup.
    assert update["$set"].keys() == {"a", pending_marker(OUTBOX_FIELD)}


def test_each_write_flags_its_document_with_a_fresh_marker() -> None:
    outbox = Outbox(FixedClock())
    first, second = outbox.update({}, EVENT), outbox.update({}, EVENT)
    marker = pending_marker(OUTBOX_FIELD)
    assert first["$set"][marker] != second["$set"][marker]
    assert marker in outbox.new_document({"_id": "x"}, EVENT)
    assert marker not in outbox.new_document({"_id": "x"})


def test_a_mail_that_cannot_be_built_is_a_permanent_failure() -> None:
    entry = OutboxEntry.from_document(
        mail_entry(to="a@example.org", subject="ACME\r\nBcc: evil@example.org", text="hi", now=NOW)
    )
    with pytest.raises(PermanentFailure, match="cannot be built"):
        build_message(entry, "noreply@creditdesk.dev")


def test_backoff_is_exponential_and_capped() -> None:
    policy = RelayPolicy(backoff_seconds=0.5, max_backoff_seconds=10.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 6, 9)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_new_document_carries_its_events() -> None:
    document = Outbox(FixedClock()).new_document({"_id": "acc-7"}, EVENT)
    assert document["_id"] == "acc-7"
    assert len(document[OUTBOX_FIELD]) == 1
