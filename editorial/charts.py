"""Bar and line charts drawn on the server: one layout, two renderers — SVG for pages, PNG for Word.

`layout(chart)` turns a chart's data into shapes (rectangles, lines, text) in a 720-unit-wide
drawing; `svg(chart)` writes those shapes as inline SVG markup (no script, no style attributes, so
the site's Content Security Policy has nothing to allow; text and axes take the page's colour), and
`png(chart)` paints the same shapes with Pillow in Noto Sans CJK SC for the Word report, which cannot
take SVG. The picture on the page and the one in the report therefore always agree. Each bar and
point carries its value as a tooltip in the SVG; pages show every chart's data as a table as well.
"""

import io
import math
import subprocess
from dataclasses import dataclass, field
from functools import cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageDraw, ImageFont

WIDTH = 640
FONT_SIZE = 14
SMALL = 12
FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
INK = "#1f2328"  # text and axes in the PNG; the SVG uses the page's own colour
GRID = "#d0d7de"
# Colours with enough contrast on white and on the admin's dark theme.
BLUE = "#2f6db5"
RED = "#c8312b"
GREEN = "#2b8a4b"


class ChartError(Exception):
    """A chart picture could not be drawn; the message is for editors."""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]
    color: str = BLUE


@dataclass(frozen=True)
class Chart:
    """What to draw: vertical `columns`, horizontal `bars` or `lines` of one or more series over labels."""

    slug: str
    title: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    dimension: str = ""  # what the labels are (栏目, 月份 …): the first column of the chart's table
    drawn: int | None = None  # draw only the first `drawn` labels (the table still lists them all)

    def __post_init__(self):
        if self.kind not in ("columns", "bars", "lines"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if any(len(series.values) != len(self.labels) for series in self.series):
            raise ValueError("every series needs one value per label")

    @property
    def rows(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """The data as table rows: each label with its value in every series."""
        return tuple(
            (label, tuple(series.values[index] for series in self.series)) for index, label in enumerate(self.labels)
        )

    @property
    def picture(self) -> "Chart":
        """The chart as drawn: its first `drawn` labels only."""
        if self.drawn is None or len(self.labels) <= self.drawn:
            return self
        return Chart(
            slug=self.slug,
            title=self.title,
            kind=self.kind,
            labels=self.labels[: self.drawn],
            series=tuple(Series(s.name, s.values[: self.drawn], s.color) for s in self.series),
            unit=self.unit,
            dimension=self.dimension,
        )

    @property
    def is_cut(self) -> bool:
        return self.picture is not self

    @property
    def is_empty(self) -> bool:
        return not any(value for series in self.series for value in series.values)

    @property
    def summary(self) -> str:
        """One sentence for screen readers: what the chart shows and its largest values."""
        parts = []
        for series in self.series:
            if not any(series.values):
                parts.append(f"{series.name}均为 0")
                continue
            top = max(series.values)
            names = "、".join(label for label, value in zip(self.labels, series.values, strict=True) if value == top)
            parts.append(f"{series.name}最多的是{names}（{top}{self.unit}）")
        kind = {"columns": "柱状图", "bars": "条形图", "lines": "折线图"}[self.kind]
        return f"{kind}，{self.title}：{'；'.join(parts)}。数据见下表。"


# ---------------------------------------------------------------------------------------------
# Shapes


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    tip: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str  # a colour, or "ink"/"grid"
    width: float = 1


@dataclass(frozen=True)
class Path:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    fill: str
    tip: str = ""


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle, end; the y is the text's vertical middle
    size: int = FONT_SIZE
    fill: str = "ink"


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    shapes: list = field(default_factory=list)


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """About how wide text is: a CJK character is a square, other characters a bit over half of one."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in text)


def nice_scale(maximum: int, ticks: int = 5) -> tuple[int, int]:
    """An axis for counts up to `maximum`: (step, top), the step a whole 1, 2 or 5 × 10ⁿ."""
    if maximum <= 0:
        return 1, ticks
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, round(step))
    return step, math.ceil(maximum / step) * step


def _tip(chart: Chart, series: Series, label: str, value: int) -> str:
    prefix = f"{series.name} · " if len(chart.series) > 1 else ""
    return f"{prefix}{label}：{value}{chart.unit}"


def _legend(chart: Chart, shapes: list, *, y: float, x: float) -> None:
    if len(chart.series) < 2:
        return
    for series in chart.series:
        shapes.append(Rect(x, y - 5, 10, 10, series.color))
        shapes.append(Text(x + 14, y, series.name, size=SMALL))
        x += 14 + text_width(series.name, SMALL) + 18


def layout(chart: Chart) -> Drawing:
    """The chart's shapes, in a drawing WIDTH units wide."""
    chart = chart.picture
    if chart.kind == "bars":
        return _layout_bars(chart)
    return _layout_columns_or_lines(chart)


def _layout_columns_or_lines(chart: Chart) -> Drawing:
    shapes: list = []
    maximum = max((value for series in chart.series for value in series.values), default=0)
    step, top = nice_scale(maximum)
    left = max(text_width(str(top), SMALL), 12) + 14
    legend = 26 if len(chart.series) > 1 else 8
    plot_top, plot_height, right = legend + 10, 200, 10
    bottom = plot_top + plot_height
    plot_width = WIDTH - left - right
    _legend(chart, shapes, y=legend / 2 + 4, x=left)
    for tick in range(0, top + 1, step):
        y = bottom - plot_height * tick / top
        shapes.append(Line(left, y, WIDTH - right, y, "grid" if tick else "ink"))
        shapes.append(Text(left - 6, y, str(tick), anchor="end", size=SMALL))
    count = max(len(chart.labels), 1)
    slot = plot_width / count
    label_size = FONT_SIZE if max((text_width(label) for label in chart.labels), default=0) < slot - 4 else SMALL
    for index, label in enumerate(chart.labels):
        shapes.append(Text(left + slot * (index + 0.5), bottom + 14, label, anchor="middle", size=label_size))
    if chart.kind == "columns":
        group = min(slot * 0.7, 28 * len(chart.series))
        bar = group / max(len(chart.series), 1)
        for index, label in enumerate(chart.labels):
            start = left + slot * index + (slot - group) / 2
            for number, series in enumerate(chart.series):
                value = series.values[index]
                height = plot_height * value / top
                x = start + bar * number
                shapes.append(
                    Rect(x + 1, bottom - height, bar - 2, height, series.color, _tip(chart, series, label, value))
                )
                if value:
                    shapes.append(Text(x + bar / 2, bottom - height - 8, str(value), anchor="middle", size=SMALL))
    else:
        for series in chart.series:
            points = tuple(
                (left + slot * (index + 0.5), bottom - plot_height * value / top)
                for index, value in enumerate(series.values)
            )
            shapes.append(Path(points, series.color))
            for (x, y), label, value in zip(points, chart.labels, series.values, strict=True):
                shapes.append(Dot(x, y, 4, series.color, _tip(chart, series, label, value)))
    return Drawing(WIDTH, int(bottom + 28), shapes)


def _layout_bars(chart: Chart) -> Drawing:
    shapes: list = []
    maximum = max((value for series in chart.series for value in series.values), default=0)
    step, top = nice_scale(maximum)
    legend = 26 if len(chart.series) > 1 else 4
    label_width = max((text_width(label) for label in chart.labels), default=0) + 12
    value_room = text_width(str(maximum), SMALL) + 10
    left, right = label_width, value_room + 6
    plot_width = WIDTH - left - right
    row = 14 + 13 * len(chart.series)
    plot_top = legend + 6
    bottom = plot_top + row * len(chart.labels)
    _legend(chart, shapes, y=legend / 2 + 2, x=left)
    for tick in range(0, top + 1, step):
        x = left + plot_width * tick / top
        shapes.append(Line(x, plot_top, x, bottom, "grid" if tick else "ink"))
        shapes.append(Text(x, bottom + 12, str(tick), anchor="middle", size=SMALL))
    bar = (row - 8) / max(len(chart.series), 1)
    for index, label in enumerate(chart.labels):
        y = plot_top + row * index
        shapes.append(Text(left - 8, y + row / 2, label, anchor="end"))
        for number, series in enumerate(chart.series):
            value = series.values[index]
            width = plot_width * value / top
            bar_top = y + 4 + bar * number
            shapes.append(Rect(left, bar_top, width, bar - 1, series.color, _tip(chart, series, label, value)))
            if value:
                shapes.append(Text(left + width + 5, bar_top + bar / 2, str(value), size=SMALL))
    return Drawing(WIDTH, int(bottom + 24), shapes)


# ---------------------------------------------------------------------------------------------
# SVG

_ANCHORS = {"start": "start", "middle": "middle", "end": "end"}


def _svg_colour(colour: str) -> str:
    return {"ink": "currentColor", "grid": "currentColor"}.get(colour, colour)


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def svg(chart: Chart) -> SafeString:
    """The chart as inline SVG markup, labelled for screen readers by its title and summary."""
    drawing = layout(chart)
    title_id, desc_id = f"chart-{chart.slug}-title", f"chart-{chart.slug}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="digest-chart" viewBox="0 0 {drawing.width} {drawing.height}" '
        f'width="{drawing.width}" height="{drawing.height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" data-chart="{escape(chart.slug)}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.summary)}</desc>',
    ]
    for shape in drawing.shapes:
        parts.append(_svg_shape(shape))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above and in _svg_shape


def _svg_shape(shape) -> str:
    if isinstance(shape, Rect):
        tip = f"<title>{escape(shape.tip)}</title>" if shape.tip else ""
        return (
            f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(max(shape.width, 0))}" '
            f'height="{_n(max(shape.height, 0))}" fill="{shape.fill}">{tip}</rect>'
        )
    if isinstance(shape, Line):
        opacity = ' stroke-opacity="0.18"' if shape.stroke == "grid" else ' stroke-opacity="0.6"'
        return (
            f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}" '
            f'stroke="{_svg_colour(shape.stroke)}" stroke-width="{_n(shape.width)}"{opacity}/>'
        )
    if isinstance(shape, Path):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return (
            f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{_n(shape.width)}" stroke-linejoin="round"/>'
        )
    if isinstance(shape, Dot):
        tip = f"<title>{escape(shape.tip)}</title>" if shape.tip else ""
        return (
            f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.radius)}" fill="{shape.fill}">{tip}</circle>'
        )
    if isinstance(shape, Text):
        return (
            f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" text-anchor="{_ANCHORS[shape.anchor]}" '
            f'dominant-baseline="central" font-size="{shape.size}" fill="{_svg_colour(shape.fill)}">'
            f"{escape(shape.text)}</text>"
        )
    raise TypeError(f"cannot draw {shape!r}")


# ---------------------------------------------------------------------------------------------
# PNG

_PIL_ANCHORS = {"start": "lm", "middle": "mm", "end": "rm"}


@cache
def _font_file(bold: bool) -> tuple[str, int]:
    """Noto Sans CJK SC's file and index in its collection, as fontconfig knows it."""
    pattern = "Noto Sans CJK SC:bold" if bold else "Noto Sans CJK SC:regular"
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", pattern], capture_output=True, text=True, check=True, timeout=10
        ).stdout.split("\n")
        path, index = found[0], int(found[1])
        if ImageFont.truetype(path, FONT_SIZE, index=index).getname()[0] == "Noto Sans CJK SC":
            return path, index
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        pass
    raise ChartError("没有找到图表字体 Noto Sans CJK SC（Debian 软件包 fonts-noto-cjk），无法生成图片。")


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path, index = _font_file(bold)
    return ImageFont.truetype(path, size, index=index)


def png(chart: Chart, *, scale: int = 2) -> bytes:
    """The chart as a PNG picture (white background), `scale` pixels per drawing unit."""
    drawing = layout(chart)
    image = Image.new("RGB", (drawing.width * scale, drawing.height * scale), "white")
    draw = ImageDraw.Draw(image)

    def colour(name: str) -> str:
        return {"ink": INK, "grid": GRID}.get(name, name)

    for shape in drawing.shapes:
        if isinstance(shape, Rect):
            if shape.width > 0 and shape.height > 0:
                draw.rectangle(
                    [
                        shape.x * scale,
                        shape.y * scale,
                        (shape.x + shape.width) * scale,
                        (shape.y + shape.height) * scale,
                    ],
                    fill=shape.fill,
                )
        elif isinstance(shape, Line):
            draw.line(
                [shape.x1 * scale, shape.y1 * scale, shape.x2 * scale, shape.y2 * scale],
                fill=colour(shape.stroke),
                width=max(1, round(shape.width * scale)),
            )
        elif isinstance(shape, Path):
            draw.line(
                [(x * scale, y * scale) for x, y in shape.points],
                fill=shape.stroke,
                width=round(shape.width * scale),
                joint="curve",
            )
        elif isinstance(shape, Dot):
            r = shape.radius * scale
            draw.ellipse(
                [shape.x * scale - r, shape.y * scale - r, shape.x * scale + r, shape.y * scale + r], fill=shape.fill
            )
        elif isinstance(shape, Text):
            draw.text(
                (shape.x * scale, shape.y * scale),
                shape.text,
                fill=colour(shape.fill),
                font=_font(shape.size * scale),
                anchor=_PIL_ANCHORS[shape.anchor],
            )
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()
