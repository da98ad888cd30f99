"""Prometheus alert rules: loaded by the Prometheus config, mounted by compose,
about metrics the services really export, each with its runbook section."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from chassis.metrics import ServiceMetrics

REPO_ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO_ROOT / "infra" / "prometheus"
RUNBOOK = REPO_ROOT / "docs" / "runbook.md"


def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def exported_names() -> set[str]:
    names = set()
    for metric in ServiceMetrics("probe").registry.collect():
        names.add(metric.name)
        if metric.type == "counter":  # exported with the suffix, even before a first sample
            names.add(f"{metric.name}_total")
        names.update(sample.name for sample in metric.samples)
    return names


def test_the_alert_rules_are_loaded_and_mounted() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert "alerts.yml" in config["rule_files"]
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert "./infra/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in compose["services"]["prometheus"]["volumes"]


def test_parked_entries_page_an_operator() -> None:
    [parked] = [rule for rule in rules() if rule["alert"] == "OutboxEntriesParked"]
    assert "outbox_parked_entries" in parked["expr"]
    assert parked["labels"]["severity"] == "page"


def test_every_rule_is_about_an_exported_metric_and_has_a_runbook_section() -> None:
    exported, runbook = exported_names(), RUNBOOK.read_text(encoding="utf-8")
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", runbook, re.M)}
    for rule in rules():
        metrics = set(re.findall(r"\b([a-z_]+)\b(?=\s*[\[{)> ])", rule["expr"])) - {"max", "sum", "by", "increase"}
        metrics -= {"job", "relay", "topic"}
        assert metrics, rule["alert"]
        assert metrics <= exported, (rule["alert"], metrics - exported)
        assert rule["annotations"]["runbook"].split("#")[1] in anchors, rule["alert"]
