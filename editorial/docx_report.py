"""The year-end report 年度信息工作统计 as a Word file, built with python-docx.

A sibling of `docx.py` rather than part of it: `docx.py` lays out an issue on the GB/T 9704
briefing grid, this is a different document (figures, chart pictures, tables) sharing only the
office's fonts, which it takes from there. The two are the only modules that import python-docx.

The charts are the statistics page's (`statistics_report.charts`), painted as PNG by `charts.png`
(Word takes no SVG); each is followed by its data as a table, as on the page.
"""

import datetime
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import charts
from .docx import BODY_FONT, HEADING_FONT, KAI_FONT, TITLE_FONT, DocxRenderError, _clean, _set_fonts
from .statistics import WorkStatistics
from .statistics_report import delta_counts, heat_legend, heat_level, heat_thresholds, placement, summary

TEXT_WIDTH = Mm(156)
TABLE_SIZE = Pt(10.5)  # 五号
BODY_SIZE = Pt(14)  # 四号: a report of figures, not the briefing's 三号
HEAT_FILLS = ["FFFFFF", "E3EDF8", "BCD3EE", "86AEDD", "3F78BF"]
NUMERALS = "一二三四五六七八九十"
CITY_COLUMNS = 6


class _Report:
    def __init__(self, *, stats: WorkStatistics, publication, instructions, adoptions, today: datetime.date):
        self.stats = stats
        self.publication = publication
        self.instructions = list(instructions)
        self.adoptions = list(adoptions)
        self.today = today
        self.doc = Document()
        self.charts = None
        self.heading_number = 0
        self.figure_number = 0
        self.table_number = 0

    def build(self, chart_list: dict[str, charts.Chart]) -> bytes:
        self.charts = chart_list
        self._page_and_styles()
        self._cover()
        self._overview()
        self._sections()
        self._regions()
        self._records()
        self._instruction_list()
        self._adoption_list()
        output = io.BytesIO()
        self.doc.save(output)
        return output.getvalue()

    # --- page and styles ----------------------------------------------------------------------

    def _page_and_styles(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        styles = self.doc.styles
        normal = styles["Normal"]
        _set_fonts(normal, east_asian=BODY_FONT)
        normal.font.size = BODY_SIZE
        fmt = normal.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(26)
        fmt.space_before = fmt.space_after = Pt(0)
        heading = styles["Heading 1"]
        _set_fonts(heading, east_asian=HEADING_FONT, latin=HEADING_FONT)
        heading.font.size, heading.font.bold = Pt(16), False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(18), Pt(6)
        heading.paragraph_format.keep_with_next = True
        caption = styles["Caption"]
        _set_fonts(caption, east_asian=KAI_FONT)
        caption.font.size, caption.font.italic, caption.font.bold = Pt(12), False, False
        caption.font.color.rgb = RGBColor(0, 0, 0)
        caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(4), Pt(8)
        properties = self.doc.core_properties
        properties.title = self._title()
        properties.author = self.publication.office
        properties.subject = self.publication.title
        properties.language = "zh-CN"
        properties.comments = "由 Digest CMS 生成"
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("— ")
        self._field(footer, "PAGE")
        footer.add_run(" —")

    def _title(self) -> str:
        period = self.stats.period
        if period.is_whole_year:
            return f"{period.year}年度信息工作统计"
        return f"{period.label}信息工作统计"

    @staticmethod
    def _field(paragraph, instruction: str) -> None:
        for kind in ("begin", "instr", "separate", "end"):
            run = paragraph.add_run()
            if kind == "instr":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = f" {instruction} "
            else:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
            if kind == "separate":
                paragraph.add_run("1")

    # --- building blocks ----------------------------------------------------------------------

    def _paragraph(self, text: str = "", *, indent: bool = True, alignment=None):
        paragraph = self.doc.add_paragraph(_clean(text))
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(28)
        if alignment is not None:
            paragraph.alignment = alignment
        return paragraph

    def _heading(self, text: str) -> None:
        self.heading_number += 1
        self.doc.add_heading(f"{NUMERALS[self.heading_number - 1]}、{text}", level=1)

    def _caption(self, kind: str, title: str) -> None:
        if kind == "图":
            self.figure_number += 1
            number = self.figure_number
        else:
            self.table_number += 1
            number = self.table_number
        self.doc.add_paragraph(f"{kind}{number}　{_clean(title)}", style="Caption")

    def _chart(self, slug: str) -> None:
        chart = self.charts[slug]
        if chart.is_empty:
            self._paragraph(f"{chart.title}：本时段没有数据。")
            return
        picture = self._paragraph(indent=False, alignment=WD_ALIGN_PARAGRAPH.CENTER)
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(io.BytesIO(charts.png(chart)), width=TEXT_WIDTH)
        self._caption("图", chart.title)
        unit = f"（{chart.unit}）" if chart.unit else ""
        self._table(
            [chart.dimension, *(f"{series.name}{unit}" for series in chart.series)],
            [(label, *values) for label, values in chart.rows],
            title=f"{chart.title}（数据）",
        )

    def _table(self, header, rows, *, title: str, widths=None) -> None:
        self._caption("表", title)
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, bold=True, fill="DDE6F0")
        _repeat_as_header(table.rows[0])
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                self._cell(cell, value)
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = width
        self.doc.add_paragraph()

    def _cell(self, cell, value, *, bold: bool = False, fill: str | None = None, colour: RGBColor | None = None):
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.first_line_indent = Pt(0)
        if isinstance(value, int):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            value = f"{value:,}"
        run = paragraph.add_run(_clean(str(value)))
        run.font.size = TABLE_SIZE
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
        if fill:
            _shade(cell, fill)

    # --- the report ---------------------------------------------------------------------------

    def _cover(self) -> None:
        office = self._paragraph(self.publication.office, indent=False, alignment=WD_ALIGN_PARAGRAPH.CENTER)
        office.paragraph_format.space_before = Mm(8)
        title = self._paragraph(indent=False, alignment=WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        title.paragraph_format.line_spacing = Pt(30)
        title.paragraph_format.space_before, title.paragraph_format.space_after = Pt(12), Pt(12)
        run = title.add_run(self._title())
        _set_fonts(run, east_asian=TITLE_FONT)
        run.font.size = Pt(22)
        run.font.bold = True
        period = self.stats.period
        line = self._paragraph(
            f"《{self.publication.title}》 · 统计时段 {_day(period.start)}至{_day(period.end)} · {_day(self.today)}生成",
            indent=False,
            alignment=WD_ALIGN_PARAGRAPH.CENTER,
        )
        for run in line.runs:
            _set_fonts(run, east_asian=KAI_FONT)
            run.font.size = Pt(12)

    def _overview(self) -> None:
        stats = self.stats
        self._heading("总体情况")
        for sentence in summary(stats, publication_title=self.publication.title):
            self._paragraph(sentence)
        self._table(
            ["项目", "数量"],
            [
                ("出刊期数", stats.issues),
                ("刊发稿件（篇）", stats.articles),
                ("正文字数", stats.characters),
                ("领导批示（件）", stats.instructions),
                ("被采用（次）", stats.adoptions),
            ],
            title="主要数据",
            widths=[Mm(60), Mm(40)],
        )

    def _sections(self) -> None:
        self._heading("栏目分布")
        self._chart("sections")

    def _regions(self) -> None:
        self._heading("地区分布")
        self._paragraph(
            "稿件按来源地区统计：提到某省（区、市）或其下辖地区的稿件计入该省；一篇稿件涉及同一省内几个地方，只计一次。"
        )
        self._chart("provinces")
        self._delta_table()

    def _delta_table(self) -> None:
        stats = self.stats
        if not stats.delta:
            return
        uncovered = stats.uncovered_cities
        self._paragraph(
            f"长三角{stats.delta_city_count}个城市中，{stats.delta_city_count - len(uncovered)}个有稿件；"
            + (f"尚未覆盖的城市：{'、'.join(uncovered)}。" if uncovered else "全部覆盖。")
        )
        counts = delta_counts(stats)
        thresholds = heat_thresholds(counts)
        shades = "；".join(label for _, label in heat_legend(thresholds, max(counts, default=0)))
        self._caption("表", f"长三角各城市稿件（颜色由浅到深：{shades}；白底为未覆盖）")
        table = self.doc.add_table(rows=0, cols=CITY_COLUMNS)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for province in stats.delta:
            heading = table.add_row().cells
            merged = heading[0].merge(heading[-1])
            self._cell(merged, province.name, bold=True, fill="F2F2F2")
            for start in range(0, len(province.cities), CITY_COLUMNS):
                cells = table.add_row().cells
                for cell, city in zip(cells, province.cities[start : start + CITY_COLUMNS], strict=False):
                    level = heat_level(city.count, thresholds)
                    text = f"{city.name} {city.count}篇" if city.count else f"{city.name} 未覆盖"
                    colour = RGBColor(0xFF, 0xFF, 0xFF) if level == 4 else None
                    self._cell(cell, text, bold=not city.count, fill=HEAT_FILLS[level], colour=colour)
        self.doc.add_paragraph()

    def _records(self) -> None:
        self._heading("领导批示和被采用")
        self._paragraph(
            "领导批示和被采用按批示、采用日期统计；按地区统计时，一件批示涉及几个省（区、市）的，在每个省各计一次。"
        )
        for slug in ("months", "levels", "record_sections", "record_provinces"):
            self._chart(slug)
        top = self.stats.top_articles
        if top:
            self._table(
                ["标题", "期号", "栏目", "批示", "采用"],
                [(a.title, a.placement, a.section, a.instructions, a.adoptions) for a in top],
                title="获批示最多的稿件",
                widths=[Mm(70), Mm(32), Mm(24), Mm(15), Mm(15)],
            )

    def _instruction_list(self) -> None:
        self._heading("获领导批示稿件一览")
        if not self.instructions:
            self._paragraph("本时段没有登记领导批示。")
            return
        self._table(
            ["批示日期", "批示领导", "稿件", "批示要点"],
            [
                (
                    f"{i.date:%Y-%m-%d}",
                    f"{i.leader}（{i.leader_title + '，' if i.leader_title else ''}{i.level.name}）",
                    f"《{i.article.title}》\n{placement(i.article)}",
                    i.gist,
                )
                for i in self.instructions
            ],
            title="领导批示",
            widths=[Mm(22), Mm(34), Mm(50), Mm(50)],
        )

    def _adoption_list(self) -> None:
        self._heading("被采用情况一览")
        if not self.adoptions:
            self._paragraph("本时段没有登记被采用情况。")
            return
        self._table(
            ["采用日期", "采用单位或刊物", "稿件", "说明"],
            [
                (f"{a.date:%Y-%m-%d}", a.adopted_by, f"《{a.article.title}》\n{placement(a.article)}", a.note)
                for a in self.adoptions
            ],
            title="被采用",
            widths=[Mm(22), Mm(40), Mm(50), Mm(44)],
        )


def _day(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_as_header(row) -> None:
    """A table's first row repeats at the top of every page it runs onto."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def annual_report_docx(
    *, stats: WorkStatistics, chart_list: dict, publication, instructions, adoptions, today: datetime.date
) -> bytes:
    """The report as a .docx file: figures, charts (PNG) with their tables, and the lists of records."""
    try:
        return _Report(
            stats=stats, publication=publication, instructions=instructions, adoptions=adoptions, today=today
        ).build(chart_list)
    except (ValueError, charts.ChartError) as exc:
        raise DocxRenderError(f"Word 文件生成失败：{exc}") from exc
