from __future__ import annotations

from datetime import UTC, datetime

from opentelemetry.sdk.trace import TracerProvider

from chassis.outbox import OUTBOX_FIELD, Outbox
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
    assert update["$set"] == {"a": 1}
    assert update["$push"]["history"] == "x"
    assert len(update["$push"][OUTBOX_FIELD]["$each"]) == 2


def test_a_new_document_carries_its_events() -> None:
    document = Outbox(FixedClock()).new_document({"_id": "acc-7"}, EVENT)
    assert document["_id"] == "acc-7"
    assert len(document[OUTBOX_FIELD]) == 1
