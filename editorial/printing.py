"""What a printed issue contains: the print document, the one print template, and the file names of its renditions.

The browser print view, the PDF and the Word file are all built from ``print_document(issue=...)``,
which reads the issue once through ``selectors.issue_table_of_contents`` (the one reading order).
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from django.template.loader import render_to_string

from .formatting import chinese_date
from .models import Issue, Publication
from .selectors import issue_table_of_contents

PRINT_TEMPLATE = "editorial/print/issue.html"
# Characters of a centred article title that fit on one line: 17pt in 156 mm less 1em each side.
TITLE_LINE_CHARS = 24

# A line break inside a paragraph between two Chinese characters is an artefact of typing,
# not a space: joining with a space would print a visible gap in the middle of a sentence.
_WIDE = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u201c\u201d\u2018\u2019\u2014\u2026]"
_LINE_BREAK_BETWEEN_WIDE = re.compile(rf"(?<={_WIDE})[ \t]*\n[ \t]*(?={_WIDE})")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
# Control characters (form feeds from legacy page breaks, stray BELs) print as boxes or break XML.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class PrintArticle:
    """One article as it is printed."""

    pk: int
    anchor: str
    title: str
    paragraphs: tuple[str, ...]
    source: str

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title as printed: a long two-part headline breaks at its middle space, as newspapers set it."""
        return title_lines(self.title)


@dataclass(frozen=True)
class PrintSection:
    """One section of the printed issue with its articles in reading order."""

    name: str
    anchor: str
    articles: tuple[PrintArticle, ...]


@dataclass(frozen=True)
class Colophon:
    """The distribution block at the foot of the last page (报尾)."""

    report_to: str
    send_to: str
    distribute_to: str
    print_copies: int | None


@dataclass(frozen=True)
class PrintDocument:
    """Everything the print template, the PDF and the Word file show of one issue."""

    publication: Publication
    issue: Issue
    sections: tuple[PrintSection, ...]
    colophon: Colophon | None

    @property
    def title(self) -> str:
        """The document title, also the PDF's metadata title: 长三角每周要讯 2020年第193期."""
        return f"{self.publication.title} {self.issue.period_label}"

    @property
    def date_label(self) -> str:
        """The date on the masthead: 2020年10月30日."""
        return chinese_date(self.issue.date)

    @property
    def is_draft(self) -> bool:
        """True while the issue is not published: every page then says it is a proof."""
        return not self.issue.is_published

    @property
    def articles(self) -> list[PrintArticle]:
        return [article for section in self.sections for article in section.articles]


def printable(text: str) -> str:
    """The text without control characters (a legacy form feed would print as a box)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def title_lines(title: str, *, width: int = TITLE_LINE_CHARS) -> tuple[str, ...]:
    """Split a headline too long for one line at the space between its two parts (上海技术交易所开市 建成…).

    Only a space between two Chinese characters counts (not the spaces around “AIS” or “20”), and only
    when both parts then fit; among several such spaces the most balanced split wins. Otherwise the
    title is left whole to wrap where it must.
    """
    if len(title) <= width:
        return (title,)
    candidates = [
        (title[: match.start()], title[match.end() :])
        for match in re.finditer(rf"(?<={_WIDE}) (?={_WIDE})", title)
        if match.start() <= width and len(title) - match.end() <= width
    ]
    if not candidates:
        return (title,)
    return min(candidates, key=lambda parts: abs(len(parts[0]) - len(parts[1])))


def join_paragraph_lines(text: str) -> str:
    """One paragraph on one line: breaks between Chinese characters vanish, others become a space."""
    return _LINE_BREAK.sub(" ", _LINE_BREAK_BETWEEN_WIDE.sub("", printable(text).strip()))


def print_document(*, issue: Issue) -> PrintDocument:
    """The printed form of an issue, read in two or three queries whatever its size."""
    publication = issue.publication
    sections = tuple(
        PrintSection(
            name=entry.section.name,
            anchor=f"section-{entry.section.slug}",
            articles=tuple(
                PrintArticle(
                    pk=article.pk,
                    anchor=f"article-{article.pk}",
                    title=" ".join(printable(article.title).split()),
                    paragraphs=tuple(join_paragraph_lines(paragraph) for paragraph in article.paragraphs),
                    source=printable(article.source).strip(),
                )
                for article in entry.articles
            ),
        )
        for entry in issue_table_of_contents(issue=issue)
    )
    colophon = None
    if publication.report_to or publication.send_to or publication.distribute_to or publication.print_copies:
        colophon = Colophon(
            report_to=publication.report_to,
            send_to=publication.send_to,
            distribute_to=publication.distribute_to,
            print_copies=publication.print_copies,
        )
    return PrintDocument(publication=publication, issue=issue, sections=sections, colophon=colophon)


def print_context(document: PrintDocument, *, for_pdf: bool = False) -> dict:
    """The print template's context; `for_pdf` leaves out what only a browser uses (toolbar, script)."""
    return {"document": document, "issue": document.issue, "publication": document.publication, "for_pdf": for_pdf}


def render_print_html(document: PrintDocument, *, request=None, for_pdf: bool = False) -> str:
    """The print template filled in: the browser print view and the PDF's source are the same page."""
    return render_to_string(PRINT_TEMPLATE, print_context(document, for_pdf=for_pdf), request=request)


def rendition_filename(*, issue: Issue, extension: str) -> str:
    """The file name readers see: 长三角每周要讯-2020年第193期.pdf."""
    name = f"{issue.publication.title}-{issue.period_label}.{extension}"
    return "".join(char for char in name if char not in '\\/:*?"<>|' and unicodedata.category(char)[0] != "C")


def content_disposition(*, filename: str, ascii_fallback: str, inline: bool) -> str:
    """A Content-Disposition value with the Chinese name in RFC 5987 form and a plain ASCII name for old clients."""
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
