"""The credit file's SVG charts: the score axis is 0-100 and no point is ever drawn above it
(seed 003's bug), gaps break the line, every point is in the SVG with its figure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portal.pages.charts import (
    BOTTOM,
    HEIGHT,
    TOP,
    ChartPoint,
    Tick,
    axis_ticks,
    line_chart,
    nice_ceiling,
    score_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def months(values: list[float | None]) -> list[ChartPoint]:
    return [ChartPoint(f"m{i}", v, "-" if v is None else f"{v:g}") for i, v in enumerate(values)]


def circles(svg: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    return [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in root.iter(f"{SVG}circle")]


def test_a_score_is_drawn_on_a_fixed_0_100_axis_and_never_above_100() -> None:
    svg = str(score_chart(months([0, 50, 100, 250, -5]), chart_id="s", title="Score", description="d"))
    ys = [y for _, y in circles(svg)]
    top_y, bottom_y = TOP, HEIGHT - BOTTOM
    assert ys[0] == pytest.approx(bottom_y)
    assert ys[1] == pytest.approx((top_y + bottom_y) / 2)
    assert ys[2] == pytest.approx(top_y)
    # A value above 100 (a summed quarter, the seed's bug) cannot leave the frame: drawn at 100 at most.
    assert ys[3] == pytest.approx(top_y)
    assert ys[4] == pytest.approx(bottom_y)
    assert all(top_y <= y <= bottom_y for y in ys)
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert labels[:6] == ["0", "20", "40", "60", "80", "100"]


def test_the_svg_names_itself_and_each_point_for_assistive_technology() -> None:
    svg = str(score_chart(months([40, 42]), chart_id="score-chart", title="Score <mensuel>", description="desc"))
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "score-chart-title score-chart-desc"
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}title").text == "Score <mensuel>"  # type: ignore[union-attr]
    assert [t.text for c in root.iter(f"{SVG}circle") for t in c.iter(f"{SVG}title")] == ["m0: 40", "m1: 42"]


def test_a_month_without_data_breaks_the_line() -> None:
    svg = str(score_chart(months([10, 20, None, 30, 40]), chart_id="s", title="t", description="d"))
    lines = list(ET.fromstring(svg).iter(f"{SVG}polyline"))
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    assert len(circles(svg)) == 4


def test_amounts_get_a_round_axis_top() -> None:
    assert nice_ceiling(0) == 1
    assert nice_ceiling(110_000) == 200_000
    assert nice_ceiling(5_000_000) == 5_000_000
    assert nice_ceiling(2_300) == 2_500
    assert axis_ticks(200_000) == [0, 40_000, 80_000, 120_000, 160_000, 200_000]
    svg = str(
        line_chart(
            months([110_000, 200_000]),
            chart_id="l",
            title="t",
            description="d",
            top=200_000,
            ticks=[Tick(v, f"{v:.0f}") for v in axis_ticks(200_000)],
        )
    )
    assert circles(svg)[1][1] == pytest.approx(TOP)
    assert re.search(r">200000<", svg)


def test_the_last_month_is_labelled_inside_the_frame_and_never_overlapped() -> None:
    svg = str(score_chart(months([50.0] * 24), chart_id="s", title="t", description="d"))
    texts = [t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text and t.text.startswith("m")]
    assert [t.text for t in texts] == ["m0", "m3", "m6", "m9", "m12", "m15", "m18", "m23"]
    assert texts[-1].get("text-anchor") == "end"
