from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from contracts import (
    REGISTRY,
    AccountActivated,
    Envelope,
    MemberRightsChanged,
    PersonKind,
    RatingUpdated,
    Right,
    UnknownEventError,
    decode_event,
    topic_of,
)
from contracts.compat import incompatibilities
from contracts.schemas import check, current_schemas

ACTIVATED = AccountActivated(
    account_id="acc-1", email="a@b.fr", person_kind=PersonKind.LEGAL, display_name="ACME", siren="732829320"
)


def test_published_schemas_are_compatible_with_the_models() -> None:
    assert check() == {}


def test_the_required_events_are_registered_with_versioned_topics() -> None:
    names = {cls.event_name for cls in REGISTRY}
    assert {"AccountRegistered", "AccountActivated", "PaymentRejected", "RatingUpdated", "MemberRightsChanged"} <= names
    assert AccountActivated.topic == "creditdesk.identity.account-activated.v1"
    assert topic_of("teams", "MemberRightsChanged", 2) == "creditdesk.teams.member-rights-changed.v2"


def test_envelope_round_trip_keeps_every_field_and_keys_by_subject() -> None:
    cest = timezone(timedelta(hours=2))
    env = Envelope.wrap(ACTIVATED, occurred_at=datetime(2026, 5, 1, 12, 0, tzinfo=cest))
    back = Envelope.model_validate_json(env.to_bytes())
    assert back == env
    assert back.occurred_at == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert back.occurred_at.utcoffset() == timedelta(0)
    assert back.subject == "acc-1"
    assert back.topic == AccountActivated.topic
    assert decode_event(back) == ACTIVATED


def test_envelope_refuses_naive_times() -> None:
    with pytest.raises(ValidationError):
        Envelope(
            event_id=uuid.uuid4(),
            type="X",
            version=1,
            source="identity",
            occurred_at=datetime(2026, 1, 1),
            subject="s",
            payload={},
        )


def test_events_are_frozen_and_ignore_unknown_fields() -> None:
    event = AccountActivated.model_validate({**ACTIVATED.model_dump(), "added_later": 1})
    assert event == ACTIVATED
    with pytest.raises(ValidationError):
        event.email = "other@b.fr"  # type: ignore[misc]


def test_unknown_event_is_a_clear_error() -> None:
    env = Envelope.wrap(ACTIVATED, occurred_at=datetime.now(UTC)).model_copy(update={"version": 9})
    with pytest.raises(UnknownEventError, match="AccountActivated v9"):
        decode_event(env)


def test_score_stays_within_0_and_100() -> None:
    with pytest.raises(ValidationError):
        RatingUpdated(company_id="732829320", provider="p", rating="A", national_score=101, credit_limit_cents=0)


def test_rights_are_a_sorted_set() -> None:
    event = MemberRightsChanged(
        company_id="732829320",
        member_id="m",
        changed_by="a",
        revision=1,
        rights=(Right.MANAGE_FUNDS, Right.ACCESS_TREASURY, Right.MANAGE_FUNDS),
    )
    assert event.rights == (Right.ACCESS_TREASURY, Right.MANAGE_FUNDS)


# --- the compatibility checker itself must catch what it is for -------------


def _schema() -> dict[str, Any]:
    return copy.deepcopy(current_schemas()["PaymentRejected.v1.json"])


def test_adding_an_optional_property_is_compatible() -> None:
    new = _schema()
    new["properties"]["note"] = {"type": "string"}
    assert incompatibilities(_schema(), new) == []


def test_moving_a_definition_behind_a_ref_is_compatible() -> None:
    new = _schema()
    new.setdefault("$defs", {})["Cents"] = new["properties"]["amount_cents"]  # next to the ones it has (PostalAddress)
    new["properties"]["amount_cents"] = {"$ref": "#/$defs/Cents", "description": "reworded"}
    assert incompatibilities(_schema(), new) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].pop("reason"), "reason: property removed"),
        (lambda s: s["required"].append("currency"), "currency: property became required"),
        (lambda s: s["required"].remove("merchant"), "merchant: property is no longer required"),
        (lambda s: s["properties"]["amount_cents"].update(type="string"), "amount_cents"),
        (lambda s: s["properties"]["amount_cents"].update(exclusiveMinimum=10), "exclusiveMinimum"),
        (lambda s: s["properties"]["currency"].update(const="USD"), "currency"),
        (
            lambda s: s["properties"].update(extra={"type": "string"}) or s["required"].append("extra"),
            "extra: property became required",
        ),
    ],
)
def test_incompatible_changes_are_reported(change: Any, expected: str) -> None:
    new = _schema()
    change(new)
    problems = incompatibilities(_schema(), new)
    assert any(expected in p for p in problems), problems


def _published_history() -> list[tuple[str, str, dict[str, Any]]]:
    """(commit, file name, schema) of every version of every published schema
    that git has seen: re-exporting cannot hide a breaking change."""
    import json
    import subprocess
    from pathlib import Path

    from contracts.schemas import PUBLISHED_DIR

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PUBLISHED_DIR, capture_output=True, text=True, check=True).stdout

    try:
        root = Path(git("rev-parse", "--show-toplevel").strip())
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: no publication history to check against")
    relative = PUBLISHED_DIR.resolve().relative_to(root.resolve())
    history = []
    for path in sorted(PUBLISHED_DIR.glob("*.json")):
        for commit in git("log", "--format=%H", "--", str(relative / path.name)).split():
            try:
                text = git("show", f"{commit}:{relative / path.name}")
            except subprocess.CalledProcessError:
                continue  # deleted in that commit
            history.append((commit[:10], path.name, json.loads(text)))
    return history


def test_no_published_version_of_a_schema_is_broken_by_the_models() -> None:
    current = current_schemas()
    problems = [
        f"{name} as published in {commit}: {problem}"
        for commit, name, published in _published_history()
        if name in current
        for problem in incompatibilities(published, current[name])
    ]
    assert problems == []
