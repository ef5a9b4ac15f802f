"""Paragraphs: an article's lines joined into its paragraphs, by the evidence of that article alone.

Each article is read as indented (an indented line starts a paragraph), hard-wrapped (a
full-width line continues on the next) or punctuated (a paragraph ends in sentence-final
punctuation), as the format docstring describes; in every layout a short sub-heading or a
short bracketed line is a paragraph of its own. A line broken off by the page is joined to
the next one across the gap, and a repair says so.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .body import ArticleLines
from .lines import Line
from .punctuation import ends_paragraph, glue_all, pattern_form
from .values import Notice

MAX_SUBHEADING = 40
# Sub-headings and bracketed lines that are paragraphs of their own (matched in the pattern form).
NUMERALS = "一二三四五六七八九十百零〇"
SUBHEADING = re.compile(
    rf"^(?:[{NUMERALS}]{{1,4}}[、.]"
    rf"|\([{NUMERALS}]{{1,4}}\)"
    r"|\d{1,2}(?:[、)]|\.(?!\d))"
    r"|\(\d{1,2}\)"
    rf"|第[{NUMERALS}]{{1,4}}[,、:]"
    rf"|第[{NUMERALS}\d]{{1,4}}(?:部分|章|节|条|篇)"
    r"|[—\-]{2})"
)
BRACKETED = re.compile(r"^[(\[【〔][^()\[\]【】〔〕]{1,38}[)\]】〕]$")
INNER_PUNCTUATION = set("，,；;。")

INDENTED, WRAPPED, PUNCTUATED = "indented", "wrapped", "punctuated"
MAX_WRAP_WIDTH = 120  # display columns: 60 Chinese characters
WRAP_SLACK = 3


def is_subheading(text: str) -> bool:
    """Whether a line is a short sub-heading (一、… （一）… 1.… 第一，… ——…) or a short line wholly in brackets."""
    if len(text) > MAX_SUBHEADING:
        return False
    form = pattern_form(text)
    if BRACKETED.match(form):
        return True
    match = SUBHEADING.match(form)
    if not match:
        return False
    rest = form[match.end() :].rstrip("。.")
    return not (set(rest) & INNER_PUNCTUATION) and not rest.endswith(("、", ","))


def _width(text: str) -> int:
    """Display columns: two for each character beyond ASCII (Chinese text and its punctuation), one for ASCII."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _wrap_width(chunks: Sequence[Line]) -> int | None:
    """The width the article's lines were hard-wrapped at, when its lines show one (else None)."""
    lines = [chunk for chunk in chunks if not is_subheading(chunk.text)]
    if len(lines) < 4:
        return None
    widths = [_width(chunk.text) for chunk in lines]
    widest = max(widths)
    full = [line for line, width in zip(lines, widths, strict=True) if width >= widest - WRAP_SLACK]
    mid_sentence = sum(1 for line in full[:-1] if not ends_paragraph(line.text))
    if widest > MAX_WRAP_WIDTH or len(full) < 3 or len(full) * 10 < len(lines) * 4 or mid_sentence * 2 < len(full) - 1:
        return None
    return widest


def _layout(article: ArticleLines) -> tuple[str, int | None]:
    """How this article marks its paragraphs: by indentation, by hard-wrapped lines, or by punctuation."""
    chunks = article.chunks
    wrap = _wrap_width(chunks)
    indented = [chunk.indented for chunk in chunks]
    if all(indented):
        by_indent = not article.title_indented
    elif any(indented):
        starts = [chunks[0], *(chunk for before, chunk in itertools.pairwise(chunks) if ends_paragraph(before.text))]
        by_indent = sum(chunk.indented for chunk in starts) * 2 >= len(starts)
    else:
        by_indent = False
    if by_indent:
        return INDENTED, None
    return (WRAPPED, wrap) if wrap else (PUNCTUATED, None)


@dataclass(frozen=True)
class Paragraphs:
    """An article's paragraphs, and the repairs joining them took."""

    texts: tuple[str, ...]
    repairs: tuple[Notice, ...]


def read_paragraphs(article: ArticleLines) -> Paragraphs:
    """The article's lines joined into paragraphs, in the layout the article shows."""
    layout, wrap = _layout(article)
    groups: list[list[str]] = []
    repairs: list[Notice] = []
    previous: Line | None = None
    previous_heading = False
    for chunk in article.chunks:
        full = wrap is not None and _width(chunk.text) >= wrap - WRAP_SLACK
        heading = not full and is_subheading(chunk.text)
        if previous is None or heading or previous_heading:
            starts = True
        elif layout == INDENTED:
            starts = chunk.indented
        elif layout == WRAPPED:
            starts = _width(previous.text) < wrap - WRAP_SLACK and ends_paragraph(previous.text)
        else:
            starts = ends_paragraph(previous.text)
        if starts:
            groups.append([chunk.text])
        else:
            groups[-1].append(chunk.text)
            if chunk.number - previous.number > 1:
                repairs.append(
                    Notice(
                        f"第 {previous.number} 行在句中断开（分页），已与第 {chunk.number} 行合并为一段。",
                        previous.number,
                    )
                )
        previous, previous_heading = chunk, heading
    return Paragraphs(tuple(glue_all(group) for group in groups), tuple(repairs))
