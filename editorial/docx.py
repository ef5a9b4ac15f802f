"""The Word file of an issue, built with python-docx, and the text of a contributed Word file read with it.
The only module that imports python-docx.

Offices forward Word files, so the document follows the print layout on the same GB/T 9704
grid: A4, text block 156 × 225 mm, 22 lines of 28 characters, the office's Windows fonts
(仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体), masthead, table of contents, sections and
articles. Sections and article titles are Word headings (the navigation pane lists them);
table-of-contents entries link to bookmarks on the titles, and their page numbers are PAGEREF
fields that Word recomputes on F9 (their stored value is the PDF's page number when known).
"""

import io
import re
import zipfile
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from .printing import PrintDocument

RED = RGBColor(0xE6, 0x00, 0x12)
# The paragraph style of article text, as Word's style list shows it to the office.
BODY_STYLE = "要讯正文"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)
LINE_PITCH = Pt(28.9)
TEXT_WIDTH = Mm(156)
# 28 characters of 16pt (三号) overflow the 156 mm line by a few points; condensing each by
# 0.25pt (w:spacing, in twentieths of a point) gives the PDF's 15.75pt pitch: 28 to a line.
CONDENSE_TWENTIETHS = -5

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class DocxRenderError(Exception):
    """The Word file could not be made; the message is for editors."""


def _clean(text: str) -> str:
    """Text Word's XML can hold: control characters (page breaks from legacy files) removed."""
    return _XML_INVALID.sub("", text)


def _set_fonts(target, *, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set a style's or run's fonts for Chinese and Latin text, dropping theme fonts that would override them."""
    rpr = (target._r if hasattr(target, "_r") else target.element).get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)


def _first_line_chars(paragraph_format_element, chars: int) -> None:
    """Indent the first line by whole characters (w:firstLineChars), as Chinese documents do."""
    ind = paragraph_format_element.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        paragraph_format_element.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(chars * 320)))


def _border(ppr, side: str, *, size_eighths: int, color: str) -> None:
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _field(paragraph, instruction: str, cached: str) -> None:
    """A Word field (PAGE, PAGEREF …) with its displayed value."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", cached), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _bookmark(paragraph, *, name: str, bookmark_id: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _internal_link(paragraph, *, anchor: str, text: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.set(qn("xml:space"), "preserve")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _bookmark_name(anchor: str) -> str:
    """Word bookmark names: letters, digits and underscores, starting with a letter."""
    return "_".join(re.findall(r"[A-Za-z0-9]+", anchor))


class _Builder:
    """Writes one PrintDocument into a python-docx Document."""

    def __init__(self, document: PrintDocument, page_numbers: dict[str, int]):
        self.source = document
        self.page_numbers = page_numbers
        self.doc = Document()
        self.next_bookmark = 1

    def build(self) -> bytes:
        self._page_setup()
        self._styles()
        self._properties()
        self._header_footer()
        self._masthead()
        self._toc()
        self._body()
        self._colophon()
        output = io.BytesIO()
        self.doc.save(output)
        return output.getvalue()

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION_START.ODD_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance = Mm(25)
        # The page number's top sits 7 mm below the text block (35 − 7 = 28 mm above the edge).
        section.footer_distance = Mm(23)

    def _styles(self) -> None:
        styles = self.doc.styles
        default_run = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        lang = default_run.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            default_run.append(lang)
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")

        normal = styles["Normal"]
        _set_fonts(normal, east_asian=BODY_FONT)
        normal.font.size = BODY_SIZE
        normal.font.color.rgb = RGBColor(0, 0, 0)
        condense = OxmlElement("w:spacing")
        condense.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
        normal.element.get_or_add_rPr().append(condense)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.widow_control = True

        body = styles.add_style(BODY_STYLE, 1)
        body.base_style = normal
        body.quick_style = True
        _first_line_chars(body.element.get_or_add_pPr(), 2)

        section_heading = styles["Heading 1"]
        _set_fonts(section_heading, east_asian=HEADING_FONT, latin=HEADING_FONT)
        section_heading.font.size = BODY_SIZE
        section_heading.font.bold = False
        section_heading.font.color.rgb = RED
        fmt = section_heading.paragraph_format
        fmt.space_before, fmt.space_after = LINE_PITCH, Pt(0)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
        fmt.keep_with_next = True
        _border(section_heading.element.get_or_add_pPr(), "bottom", size_eighths=8, color="E60012")

        article_heading = styles["Heading 2"]
        _set_fonts(article_heading, east_asian=TITLE_FONT)
        article_heading.font.size = Pt(17)
        article_heading.font.bold = True
        article_heading.font.color.rgb = RGBColor(0, 0, 0)
        fmt = article_heading.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_before, fmt.space_after = LINE_PITCH, Pt(14.45)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
        fmt.keep_with_next = fmt.keep_together = True

        for name in ("Header", "Footer"):
            _set_fonts(styles[name], east_asian="宋体")

    def _properties(self) -> None:
        props = self.doc.core_properties
        issue, publication = self.source.issue, self.source.publication
        props.title = self.source.title
        props.author = publication.office
        props.last_modified_by = publication.office
        props.subject = publication.title
        props.keywords = ", ".join(section.name for section in self.source.sections)
        props.language = "zh-CN"
        props.category = "简报"
        props.comments = "由 Digest CMS 生成"
        props.revision = issue.version

    def _header_footer(self) -> None:
        settings = self.doc.settings
        settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        running = f"{self.source.publication.title}　{self.source.issue.period_label}"
        if self.source.is_draft:
            running += "　（未发布样稿）"
        for header in (section.header, section.even_page_header):
            paragraph = header.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(running)
            _set_fonts(run, east_asian=KAI_FONT)
            run.font.size = Pt(10.5)
        if self.source.is_draft:
            first = section.first_page_header.paragraphs[0]
            first.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = first.add_run("未发布样稿")
            run.font.color.rgb = RED
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            paragraph = footer.paragraphs[0]
            paragraph.alignment = alignment
            fmt = paragraph.paragraph_format
            # Inset one character from the text block's edge, on the outside of the page.
            if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = Pt(16)
            else:
                fmt.left_indent = Pt(16)
            paragraph.add_run("— ")
            _field(paragraph, "PAGE", "1")
            paragraph.add_run(" —")
            for run in paragraph.runs:
                run.font.size = Pt(14)

    def _paragraph(self, text: str = "", *, style: str | None = None, alignment=None):
        paragraph = self.doc.add_paragraph(_clean(text), style=style)
        if alignment is not None:
            paragraph.alignment = alignment
        return paragraph

    def _masthead(self) -> None:
        publication, issue = self.source.publication, self.source.issue
        spacer = self._paragraph()
        spacer.paragraph_format.space_before = Mm(10)
        title = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        title.paragraph_format.line_spacing = Pt(48)
        run = title.add_run(_clean(publication.title))
        _set_fonts(run, east_asian=TITLE_FONT)
        run.font.size = Pt(40)
        run.font.bold = True
        run.font.color.rgb = RED
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(int(40 * 20 * 0.12)))
        run._r.get_or_add_rPr().append(spacing)

        period = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.CENTER)
        period.paragraph_format.space_before = Mm(10)
        run = period.add_run(issue.period_label)
        _set_fonts(run, east_asian=KAI_FONT)

        line = self._paragraph()
        line.paragraph_format.space_before = Mm(6)
        line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(7), WD_TAB_ALIGNMENT.RIGHT)
        line.paragraph_format.left_indent = Pt(7)
        _border(line._p.get_or_add_pPr(), "bottom", size_eighths=14, color="E60012")
        run = line.add_run(f"{_clean(publication.office)}\t{self.source.date_label}")
        run.font.size = Pt(14)

    def _toc(self) -> None:
        heading = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.CENTER)
        heading.paragraph_format.space_before = LINE_PITCH
        heading.paragraph_format.space_after = Pt(14)
        run = heading.add_run("目　录")
        _set_fonts(run, east_asian=HEADING_FONT, latin=HEADING_FONT)
        run.font.size = Pt(18)
        if not self.source.sections:
            self._paragraph("本期尚未编入稿件。", alignment=WD_ALIGN_PARAGRAPH.CENTER)
        for section in self.source.sections:
            name = self._paragraph()
            name.paragraph_format.keep_with_next = True
            run = name.add_run(_clean(section.name))
            _set_fonts(run, east_asian=HEADING_FONT, latin=HEADING_FONT)
            for article in section.articles:
                entry = self._paragraph()
                fmt = entry.paragraph_format
                fmt.left_indent = Pt(32)
                fmt.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
                _internal_link(entry, anchor=_bookmark_name(article.anchor), text=_clean(article.title))
                entry.add_run("\t")
                page = self.page_numbers.get(article.anchor)
                _field(entry, f"PAGEREF {_bookmark_name(article.anchor)} \\h", str(page) if page else "")

    def _body(self) -> None:
        first = True
        for section in self.source.sections:
            heading = self.doc.add_heading(_clean(section.name), level=1)
            # The articles start on a fresh page after the table of contents.
            heading.paragraph_format.page_break_before = first
            first = False
            for article in section.articles:
                title = self.doc.add_heading(_clean(article.title), level=2)
                _bookmark(title, name=_bookmark_name(article.anchor), bookmark_id=self.next_bookmark)
                self.next_bookmark += 1
                for text in article.paragraphs:
                    self._paragraph(text, style=BODY_STYLE)
                if article.source:
                    source = self._paragraph(alignment=WD_ALIGN_PARAGRAPH.RIGHT)
                    run = source.add_run(f"（来源：{_clean(article.source)}）")
                    _set_fonts(run, east_asian=KAI_FONT)

    def _colophon(self) -> None:
        colophon = self.source.colophon
        if colophon is None:
            return
        lines = [
            (label, value)
            for label, value in (
                ("报：", colophon.report_to),
                ("送：", colophon.send_to),
                ("发：", colophon.distribute_to),
            )
            if value
        ]
        rows = [*lines, ("", f"（共印{colophon.print_copies}份）")] if colophon.print_copies else lines
        for index, (label, value) in enumerate(rows):
            paragraph = self._paragraph()
            fmt = paragraph.paragraph_format
            fmt.left_indent = fmt.right_indent = Pt(14)
            if index == 0:
                fmt.space_before = LINE_PITCH
                _border(paragraph._p.get_or_add_pPr(), "top", size_eighths=8, color="000000")
            if index == len(rows) - 1:
                _border(paragraph._p.get_or_add_pPr(), "bottom", size_eighths=8, color="000000")
            if label:
                run = paragraph.add_run(label)
                _set_fonts(run, east_asian=HEADING_FONT, latin=HEADING_FONT)
                run.font.size = Pt(14)
            else:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(_clean(value))
            run.font.size = Pt(14)


def issue_docx(document: PrintDocument, *, page_numbers: dict[str, int] | None = None) -> bytes:
    """The issue as a .docx file; `page_numbers` (anchor → page) fills the table of contents' page fields."""
    try:
        return _Builder(document, page_numbers or {}).build()
    except ValueError as exc:
        raise DocxRenderError(f"Word 文件生成失败：{exc}") from exc


# ---------------------------------------------------------------------------------------------
# Reading a contribution (稿件的 Word 文件): its paragraphs in order, which of them are headings,
# and what was left out (tables, pictures). editorial/contributions.py makes an article of it.

HEADING_STYLES = re.compile(r"^(title|subtitle|heading \d|标题(\s*\d)?|副标题)$", re.IGNORECASE)


class DocxReadError(Exception):
    """The file is not a Word document python-docx can read; the message is for editors."""


@dataclass(frozen=True)
class WordParagraph:
    text: str
    is_heading: bool


@dataclass(frozen=True)
class WordText:
    """The body text of a Word document: paragraphs in order, and how many tables and pictures it also held."""

    paragraphs: tuple[WordParagraph, ...]
    tables: int
    pictures: int


def read_docx(data: bytes) -> WordText:
    """The paragraphs of a .docx file's body (headers, footers, tables and pictures are not text of the article)."""
    try:
        document = Document(io.BytesIO(data))
    except (ValueError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, PackageNotFoundError) as exc:
        raise DocxReadError(
            "无法读取这个 Word 文件，可能已损坏，或不是 .docx 格式。请用 Word 或 WPS 另存为 .docx 后再上传。"
        ) from exc
    paragraphs = tuple(
        WordParagraph(text=paragraph.text, is_heading=bool(HEADING_STYLES.match(_style_name(paragraph))))
        for paragraph in document.paragraphs
    )
    pictures = len(document.element.body.findall(".//" + qn("w:drawing")))
    return WordText(paragraphs=paragraphs, tables=len(document.tables), pictures=pictures)


def _style_name(paragraph) -> str:
    style = paragraph.style
    return (style.name or "").strip() if style is not None else ""
