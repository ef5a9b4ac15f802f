"""The statistics as the office reads them: the charts, the JSON of `editorial_stats`, and the spreadsheet.

Built from one `statistics.WorkStatistics`; the page, the command, the spreadsheet and the Word
report (`docx_report`) all take their charts and figures from here, so they never disagree.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .charts import BLUE, GREEN, RED, Chart, Series
from .resources import neutralise
from .statistics import Period, WorkStatistics, adoptions_in, instructions_in, placement_label

INSTRUCTIONS, ADOPTIONS = "领导批示", "被采用"
# A bar chart of regions draws the first this many; its table lists every one.
DRAWN_ROWS = 12


def charts(stats: WorkStatistics) -> dict[str, Chart]:
    """The statistics' charts by slug, in the order the page and the report show them."""
    provinces = stats.covered_provinces
    months = tuple(f"{records.month}月" for records in stats.by_month)
    return {
        chart.slug: chart
        for chart in (
            Chart(
                slug="sections",
                title="各栏目刊发稿件",
                kind="columns",
                labels=tuple(tally.name for tally in stats.by_section),
                series=(Series("稿件", tuple(tally.count for tally in stats.by_section), BLUE),),
                unit="篇",
                dimension="栏目",
            ),
            Chart(
                slug="provinces",
                title="各省（区、市）稿件",
                kind="bars",
                labels=tuple(tally.name for tally in provinces),
                series=(Series("稿件", tuple(tally.count for tally in provinces), BLUE),),
                unit="篇",
                dimension="省（区、市）",
                drawn=DRAWN_ROWS,
            ),
            Chart(
                slug="months",
                title="每月领导批示和被采用",
                kind="lines",
                labels=months,
                series=(
                    Series(INSTRUCTIONS, tuple(records.instructions for records in stats.by_month), RED),
                    Series(ADOPTIONS, tuple(records.adoptions for records in stats.by_month), GREEN),
                ),
                dimension="月份",
            ),
            Chart(
                slug="levels",
                title="各级领导批示",
                kind="columns",
                labels=tuple(tally.name for tally in stats.instructions_by_level),
                series=(Series(INSTRUCTIONS, tuple(tally.count for tally in stats.instructions_by_level), RED),),
                unit="件",
                dimension="领导级别",
            ),
            _records_chart("record_sections", "各栏目领导批示和被采用", "columns", "栏目", stats.records_by_section),
            _records_chart(
                "record_provinces", "各省（区、市）领导批示和被采用", "bars", "省（区、市）", stats.records_by_province
            ),
        )
    }


def _records_chart(slug: str, title: str, kind: str, dimension: str, rows) -> Chart:
    return Chart(
        slug=slug,
        title=title,
        kind=kind,
        dimension=dimension,
        drawn=DRAWN_ROWS if kind == "bars" else None,
        labels=tuple(row.name for row in rows),
        series=(
            Series(INSTRUCTIONS, tuple(row.instructions for row in rows), RED),
            Series(ADOPTIONS, tuple(row.adoptions for row in rows), GREEN),
        ),
    )


def period_data(period: Period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "label": period.label}


def as_json(stats: WorkStatistics) -> dict:
    """The figures as plain JSON values (the `editorial_stats --format json` output)."""
    year = stats.period.year
    return {
        "year": year,
        "period": period_data(stats.period),
        "issues": stats.issues,
        "articles": stats.articles,
        "characters": stats.characters,
        "by_section": {tally.name: tally.count for tally in stats.by_section},
        "by_province": {tally.name: tally.count for tally in stats.by_province},
        "delta_cities": {
            province.name: {city.name: city.count for city in province.cities} for province in stats.delta
        },
        "uncovered_cities": list(stats.uncovered_cities),
        "instructions": stats.instructions,
        "adoptions": stats.adoptions,
        "instructions_by_month": {f"{year}-{row.month:02d}": row.instructions for row in stats.by_month},
        "adoptions_by_month": {f"{year}-{row.month:02d}": row.adoptions for row in stats.by_month},
        "instructions_by_level": {tally.name: tally.count for tally in stats.instructions_by_level},
        "instructions_by_section": {row.name: row.instructions for row in stats.records_by_section},
        "adoptions_by_section": {row.name: row.adoptions for row in stats.records_by_section},
        "instructions_by_province": {row.name: row.instructions for row in stats.records_by_province},
        "adoptions_by_province": {row.name: row.adoptions for row in stats.records_by_province},
        "top_articles": [
            {
                "id": article.pk,
                "title": article.title,
                "issue": article.placement,
                "section": article.section,
                "instructions": article.instructions,
                "adoptions": article.adoptions,
            }
            for article in stats.top_articles
        ],
    }


# ---------------------------------------------------------------------------------------------
# The spreadsheet

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def _sheet(workbook: Workbook, title: str, header: list[str], rows) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    widths = [len(name) * 2 + 2 for name in header]
    for row in rows:
        values = [neutralise(value) for value in row]
        sheet.append(values)
        for index, value in enumerate(values):
            widths[index] = min(max(widths[index], len(str(value)) * 2 + 2), 60)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def as_xlsx(stats: WorkStatistics) -> bytes:
    """The figures and the period's instructions and adoptions as an Excel workbook, one table a sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    period = stats.period
    _sheet(
        workbook,
        "概况",
        ["项目", "数量"],
        [
            ("统计时段", period.label),
            ("起止日期", f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"),
            ("出刊期数", stats.issues),
            ("刊发稿件（篇）", stats.articles),
            ("正文字数", stats.characters),
            ("领导批示（件）", stats.instructions),
            ("被采用（次）", stats.adoptions),
            ("未覆盖的长三角城市", "、".join(stats.uncovered_cities) or "无"),
        ],
    )
    _sheet(workbook, "栏目", ["栏目", "稿件（篇）"], [(t.name, t.count) for t in stats.by_section])
    _sheet(workbook, "省份", ["省（区、市）", "稿件（篇）"], [(t.name, t.count) for t in stats.by_province])
    _sheet(
        workbook,
        "长三角城市",
        ["省（市）", "城市", "稿件（篇）"],
        [(province.name, city.name, city.count) for province in stats.delta for city in province.cities],
    )
    _sheet(
        workbook,
        "每月批示和采用",
        ["月份", "领导批示（件）", "被采用（次）"],
        [(f"{period.year}年{row.month}月", row.instructions, row.adoptions) for row in stats.by_month],
    )
    _sheet(workbook, "领导级别", ["领导级别", "批示（件）"], [(t.name, t.count) for t in stats.instructions_by_level])
    _sheet(
        workbook,
        "栏目批示和采用",
        ["栏目", "领导批示（件）", "被采用（次）"],
        [(row.name, row.instructions, row.adoptions) for row in stats.records_by_section],
    )
    _sheet(
        workbook,
        "地区批示和采用",
        ["省（区、市）", "领导批示（件）", "被采用（次）"],
        [(row.name, row.instructions, row.adoptions) for row in stats.records_by_province],
    )
    _sheet(
        workbook,
        "批示最多的稿件",
        ["标题", "期号", "栏目", "领导批示（件）", "被采用（次）"],
        [(a.title, a.placement, a.section, a.instructions, a.adoptions) for a in stats.top_articles],
    )
    _sheet(
        workbook,
        "批示清单",
        ["批示日期", "批示领导", "职务", "领导级别", "批示要点", "稿件标题", "期号"],
        [
            (
                i.date.isoformat(),
                i.leader,
                i.leader_title,
                i.level.name,
                i.gist,
                i.article.title,
                placement(i.article),
            )
            for i in instructions_in(period=period)
        ],
    )
    _sheet(
        workbook,
        "采用清单",
        ["采用日期", "采用单位或刊物", "说明", "稿件标题", "期号"],
        [
            (a.date.isoformat(), a.adopted_by, a.note, a.article.title, placement(a.article))
            for a in adoptions_in(period=period)
        ],
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def placement(article) -> str:
    """Where an article appeared (its issue must be loaded with it)."""
    issue = article.issue
    if issue is None:
        return placement_label(number=None, date=None, status=None)
    return placement_label(number=issue.number, date=issue.date, status=issue.status)


# Shades of the 长三角 coverage table: 0 is "not covered", then 1–4 by quartile of the covered cities' counts
# (relative to the largest, 上海 with all its districts would leave every other city in the palest shade).
HEAT_LEVELS = 4


def heat_thresholds(counts) -> tuple[int, ...]:
    """The counts at which the shades 2, 3 and 4 begin: the quartiles of the non-zero counts."""
    covered = sorted(count for count in counts if count > 0)
    if not covered:
        return ()
    return tuple(covered[len(covered) * quarter // HEAT_LEVELS] for quarter in range(1, HEAT_LEVELS))


def heat_level(count: int, thresholds: tuple[int, ...]) -> int:
    """0 for no article, else 1–4: one more for each threshold the count reaches."""
    if count <= 0:
        return 0
    return 1 + sum(count >= threshold for threshold in thresholds if threshold > 0)


def heat_legend(thresholds: tuple[int, ...], maximum: int) -> list[tuple[int, str]]:
    """The shades in use with the counts each stands for: [(1, "1–5 篇"), (2, "6–9 篇"), …]."""
    bounds = [1, *thresholds, maximum + 1]
    legend = []
    for level in range(1, len(bounds)):
        start, end = bounds[level - 1], bounds[level] - 1
        if start <= end:
            legend.append((level, f"{start} 篇" if start == end else f"{start}–{end} 篇"))
    return legend


def delta_counts(stats: WorkStatistics) -> list[int]:
    return [city.count for province in stats.delta for city in province.cities]


def ten_thousands(characters: int) -> str:
    """30.9万 for 308,838 characters; the plain number below ten thousand."""
    if characters < 10_000:
        return f"{characters:,}"
    return f"{characters / 10_000:.1f}".removesuffix(".0") + "万"


def summary(stats: WorkStatistics, *, publication_title: str) -> list[str]:
    """The period's figures as the sentences a year-end report opens with."""
    covered = stats.covered_provinces
    cities = stats.delta_city_count
    uncovered = stats.uncovered_cities
    lines = [
        f"{stats.period.label}共编发《{publication_title}》{stats.issues}期，刊发稿件{stats.articles:,}篇，"
        f"正文{ten_thousands(stats.characters)}字。",
    ]
    if stats.articles:
        coverage = f"稿件涉及{len(covered)}个省（区、市）"
        if cities:
            coverage += f"，覆盖长三角{cities}个城市中的{cities - len(uncovered)}个"
            coverage += f"（尚未覆盖：{'、'.join(uncovered)}）" if uncovered else "，实现全覆盖"
        lines.append(coverage + "。")
    levels = "，".join(f"{tally.name}{tally.count}件" for tally in stats.instructions_by_level if tally.count)
    records = f"获领导批示{stats.instructions}件"
    if levels:
        records += f"（{levels}）"
    lines.append(f"{records}，被采用{stats.adoptions}次。")
    return lines
