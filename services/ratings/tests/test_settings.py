"""Ratings' settings: the key ring of provider passwords is required outside development and test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from chassis.crypto import new_key_entry
from ratings.settings import RatingsSettings


def test_production_refuses_to_start_without_a_key_ring() -> None:
    with pytest.raises(ValidationError, match="RATINGS_FIELD_ENCRYPTION_KEY"):
        RatingsSettings(environment="production", kafka_sasl_password="x" * 24)


def test_a_malformed_key_ring_is_refused_with_its_reason() -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        RatingsSettings(environment="test", field_encryption_key="k1:c2hvcnQ=")


def test_the_policy_follows_the_settings() -> None:
    settings = RatingsSettings(
        environment="test",
        field_encryption_key=new_key_entry("k1"),
        check_concurrency=3,
        monitoring_cadence_hours=6,
    )
    policy = settings.policy()
    assert policy.check_concurrency == 3
    assert policy.monitoring_cadence == timedelta(hours=6)
    assert settings.field_cipher.current == "k1"
