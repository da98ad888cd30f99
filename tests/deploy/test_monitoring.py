"""The alert rules and dashboards name metrics that the running services export.

A rule on a metric nobody exports never fires: it looks like safety and is
none. Every metric named in the alert rules and the Grafana dashboards must
appear in the `/metrics` of at least one process of the real stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import httpx
import pytest
import yaml

from devstack.stack import Stack

REPO_ROOT = Path(__file__).resolve().parents[2]
PLATFORM_FILES = REPO_ROOT / "deploy" / "helm" / "creditdesk-platform" / "files"
PROCESSES = ("gateway", "identity", "billing", "recovery", "ratings", "teams")
# PromQL words that are not metric names.
PROMQL_WORDS = frozenset(
    {
        "and",
        "or",
        "unless",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "offset",
        "sum",
        "min",
        "max",
        "avg",
        "count",
        "rate",
        "irate",
        "increase",
        "deriv",
        "delta",
        "min_over_time",
        "max_over_time",
        "avg_over_time",
        "histogram_quantile",
        "e",
    }
)
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (label matchers, grouping
    labels, ranges and numbers removed)."""
    text = re.sub(r"\{[^}]*\}", " ", expr)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    text = re.sub(r'"[^"]*"', " ", text)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text))
    return {name for name in names if name not in PROMQL_WORDS}


def alert_expressions() -> list[str]:
    data = yaml.safe_load((PLATFORM_FILES / "alerts.yml").read_text(encoding="utf-8"))
    return [rule["expr"] for group in data["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    exprs = []
    for path in sorted((PLATFORM_FILES / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        exprs += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return exprs


def exported(families: Iterable[str], name: str) -> bool:
    base = next((name.removesuffix(s) for s in HISTOGRAM_SUFFIXES if name.endswith(s)), name)
    return name in families or base in families


def test_the_parser_finds_the_metrics_of_an_expression() -> None:
    expr = 'sum by (job, le) (rate(http_request_duration_seconds_bucket{job="x",status=~"5.."}[5m])) > 0.5'
    assert metric_names(expr) == {"http_request_duration_seconds_bucket"}
    assert metric_names("min_over_time(outbox_backlog[10m]) > 0 and deriv(outbox_backlog[10m]) > 0") == {
        "outbox_backlog"
    }


@pytest.fixture(scope="module")
def families(running_services: Stack) -> set[str]:
    """Every metric family (TYPE line) and sample name the stack's processes export."""
    names: set[str] = set()
    for process in PROCESSES:
        response = httpx.get(f"http://127.0.0.1:{running_services.config.port(process)}/metrics", timeout=10)
        assert response.status_code == 200, f"{process}: /metrics answered {response.status_code}"
        for line in response.text.splitlines():
            if line.startswith("# TYPE "):
                names.add(line.split()[2])
            elif line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


@pytest.mark.infra
def test_every_metric_of_the_alert_rules_is_exported(families: set[str]) -> None:
    missing = sorted({n for expr in alert_expressions() for n in metric_names(expr) if not exported(families, n)})
    assert not missing, f"alert rules name metrics no process exports: {missing}"


@pytest.mark.infra
def test_every_metric_of_the_dashboards_is_exported(families: set[str]) -> None:
    missing = sorted({n for expr in dashboard_expressions() for n in metric_names(expr) if not exported(families, n)})
    assert not missing, f"dashboards name metrics no process exports: {missing}"


def test_parked_entries_page_an_operator() -> None:
    data = yaml.safe_load((PLATFORM_FILES / "alerts.yml").read_text(encoding="utf-8"))
    [parked] = [r for group in data["groups"] for r in group["rules"] if r["alert"] == "OutboxEntriesParked"]
    assert "outbox_parked_entries" in parked["expr"]
    assert parked["labels"]["severity"] == "page"
