"""Server-drawn charts (editorial/charts.py): one layout, SVG for pages and PNG for Word, labelled and escaped."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from editorial.charts import BLUE, GREEN, RED, Chart, Series, layout, nice_scale, png, svg

SVG = "{http://www.w3.org/2000/svg}"


def sample(kind: str = "columns", **overrides) -> Chart:
    fields = {
        "slug": "sample",
        "title": "各栏目刊发稿件",
        "kind": kind,
        "labels": ("科创聚焦", "经济热点", "产业动向"),
        "series": (Series("稿件", (12, 30, 0), BLUE),),
        "unit": "篇",
        "dimension": "栏目",
    }
    return Chart(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [(0, (1, 5)), (3, (1, 3)), (7, (2, 8)), (30, (10, 30)), (278, (100, 300)), (1174, (500, 1500))],
)
def test_the_axis_runs_to_a_round_number_in_steps_of_one_two_or_five(maximum, scale):
    assert nice_scale(maximum) == scale


@pytest.mark.parametrize("kind", ["columns", "bars", "lines"])
def test_the_svg_is_well_formed_labelled_for_screen_readers_and_carries_each_value(kind):
    chart = sample(kind, series=(Series("领导批示", (2, 5, 0), RED), Series("被采用", (1, 0, 4), GREEN)))
    root = ET.fromstring(str(svg(chart)))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "各栏目刊发稿件"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "领导批示最多的是经济热点（5篇）" in desc.text and "被采用最多的是产业动向（4篇）" in desc.text
    tips = [element.text for element in root.iter(f"{SVG}title")][1:]
    assert "领导批示 · 经济热点：5篇" in tips and "被采用 · 产业动向：4篇" in tips
    assert len(tips) == 6  # one per value
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"科创聚焦", "经济热点", "产业动向", "领导批示", "被采用"} <= texts


def test_the_svg_needs_nothing_the_content_security_policy_forbids_and_escapes_every_label():
    chart = sample(labels=("<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "&amp;"))
    markup = str(svg(chart))
    assert "<script" not in markup and "<img" not in markup
    root = ET.fromstring(markup)
    assert "<script>alert(1)</script>" in {element.text for element in root.iter(f"{SVG}text")}
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert element.tag.removeprefix(SVG) in {"svg", "title", "desc", "rect", "line", "polyline", "circle", "text"}


def test_bar_lengths_follow_the_values_on_one_scale():
    drawing = layout(sample("bars", series=(Series("稿件", (12, 30, 6), BLUE),)))
    bars = [shape for shape in drawing.shapes if type(shape).__name__ == "Rect"]
    assert [round(bar.width / bars[1].width, 3) for bar in bars] == [0.4, 1.0, 0.2]


def test_a_chart_can_draw_only_its_first_rows_while_its_table_keeps_all():
    chart = sample(
        "bars", labels=tuple(f"省{i}" for i in range(20)), series=(Series("稿件", tuple(range(20, 0, -1))),), drawn=12
    )
    assert chart.is_cut and len(chart.rows) == 20
    assert len(ET.fromstring(str(svg(chart))).findall(f"{SVG}rect")) == 12
    assert not sample().is_cut


def test_the_png_is_the_same_picture_painted_at_twice_the_size():
    chart = sample("lines", series=(Series("领导批示", (2, 5, 0), RED), Series("被采用", (1, 0, 4), GREEN)))
    drawing = layout(chart)
    image = Image.open(io.BytesIO(png(chart)))
    assert image.format == "PNG" and image.size == (drawing.width * 2, drawing.height * 2)
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000)}
    assert (0xC8, 0x31, 0x2B) in colours and (0x2B, 0x8A, 0x4B) in colours  # both lines are drawn
    assert len(colours) > 20  # and text, antialiased


def test_an_empty_chart_says_so_and_a_series_must_match_its_labels():
    assert sample(series=(Series("稿件", (0, 0, 0)),)).is_empty
    assert "稿件均为 0" in sample(series=(Series("稿件", (0, 0, 0)),)).summary
    with pytest.raises(ValueError):
        sample(series=(Series("稿件", (1, 2)),))
    with pytest.raises(ValueError):
        sample("pie")
