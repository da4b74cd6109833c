"""The SVG charts: accessible, escaped, and faithful to the numbers."""

from __future__ import annotations

import re

import pytest

from campaigns import charts

pytestmark = pytest.mark.embedded

HOSTILE = '<script>alert("x")</script>'


def test_timeline_chart_is_an_image_labelled_by_its_title_and_description():
    svg = charts.timeline_chart(
        title="Impressions", description="Two days", labels=["1 Nov", "2 Nov"],
        series=[charts.Series("Impressions", [10, 30])], chart_id="c1",
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Impressions</title>' in svg
    assert '<desc id="c1-desc">Two days</desc>' in svg


def test_timeline_chart_draws_one_point_per_label_per_series():
    svg = charts.timeline_chart(
        title="T", labels=["a", "b", "c"],
        series=[charts.Series("One", [1, 2, 3]), charts.Series("Two", [5, 0, 5])],
    )
    assert svg.count("<circle") == 6
    assert svg.count("<polyline") == 2


def test_charts_escape_every_text():
    svg = charts.bar_chart(title=HOSTILE, bars=[charts.Bar(HOSTILE, 3, note=HOSTILE)])
    svg += charts.timeline_chart(title=HOSTILE, labels=[HOSTILE],
                                 series=[charts.Series(HOSTILE, [1])])
    svg += charts.heatmap(title=HOSTILE, rows=[HOSTILE], columns=[HOSTILE], values={(0, 0): 1})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_charts_refuse_colours_that_are_not_hex():
    svg = charts.bar_chart(title="T", bars=[charts.Bar("A", 1, color='red" onload="x')])
    assert "onload" not in svg
    assert 'fill="#555555"' in svg


def test_bar_chart_bars_are_proportional_to_values():
    svg = charts.bar_chart(title="T", bars=[charts.Bar("A", 100), charts.Bar("B", 50)])
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(widths[1] * 2)


def test_bar_chart_shows_the_display_text_instead_of_the_value():
    svg = charts.bar_chart(title="T", bars=[charts.Bar("A", 0, display="—")])
    assert ">—<" in svg


def test_heatmap_marks_empty_cells_and_shades_by_value():
    svg = charts.heatmap(title="T", rows=["Mon"], columns=["00", "01", "02"],
                         values={(0, 0): 10, (0, 1): 5})
    assert svg.count("<rect") == 3
    assert 'fill-opacity="1.00"' in svg
    assert "Mon 02: no data" in svg


def test_charts_without_data_say_so():
    assert "No figures to chart." in charts.timeline_chart(title="T", labels=[], series=[])
    assert "No figures to chart." in charts.bar_chart(title="T", bars=[])


def test_number_formats_axis_labels_compactly():
    assert [charts.number(v) for v in (950, 1234, 25_000, 1_500_000)] == [
        "950", "1,234", "25k", "1.5M"
    ]
