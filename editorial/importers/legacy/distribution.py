"""The distribution record: the labelled lines after the last article, which are the issue's record, never article text.

``报：``, ``送：``, ``抄送：``, ``责任编辑：``, ``签发：``… lines with their continuation lines,
the print run ``（共印N份）`` and an ``…印发`` line close an issue. `split_distribution` cuts
that block off the end of the body and returns it as printed; `is_record_line` also tells
the masthead phase which of its lines belong to the record.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .dates import date_match
from .furniture import MAX_RUNNING_HEAD
from .lines import Line
from .punctuation import ends_statement
from .values import LegacyFormatError, Notice

MAX_DISTRIBUTION_LINES = 40
DISTRIBUTION_LABEL = re.compile(
    r"^(?:本期)?(?:抄送|抄报|主送|分送|报送|发送|送阅|报|送|发|印发|责任编辑|编辑|主编|签发人|签发|审核|审稿|审签|核稿|"
    r"校对|校核|排版|联系人|联系电话|电话|传真|地址|邮编|电子邮箱|邮箱)[:：]"
)
PRINT_RUN = re.compile(r"^[(（]?(?:本期)?共?印(?:数)?[:：]?\d{1,6}份[)）]?$")
ISSUED_LINE = re.compile(r"印发[)）]?$")
MAX_CONTINUATION = 80


@dataclass(frozen=True)
class Trailer:
    """The body's lines without the record, the record's lines as printed, and the repair that says so."""

    body: tuple[Line, ...]
    record: tuple[str, ...]
    repairs: tuple[Notice, ...]


def is_record_line(line: Line) -> bool:
    """A labelled line of the record (报：…, 签发：…), the print run (（共印120份）) or the issuing line (…印发)."""
    if DISTRIBUTION_LABEL.match(line.key) or PRINT_RUN.match(line.key):
        return True
    if len(line.key) > MAX_RUNNING_HEAD or not ISSUED_LINE.search(line.key):
        return False
    try:
        return date_match(line.key) is not None
    except LegacyFormatError:
        return False


def split_distribution(lines: Sequence[Line]) -> Trailer:
    """The body without the distribution record at its end (报：… 送：… （共印N份）), and the record as printed."""
    text_lines = [line for line in lines if not line.furniture]
    first = max(0, len(text_lines) - MAX_DISTRIBUTION_LINES)
    for start in range(first, len(text_lines)):
        if is_record_line(text_lines[start]) and _all_record(text_lines[start:]):
            block = text_lines[start:]
            cut = lines.index(block[0])
            notice = Notice(
                f"第 {block[0].number}–{block[-1].number} 行是报送记录（报送范围、印数、签发等），"
                "已存为本期的“报送记录”，不作为文章正文。",
                block[0].number,
            )
            return Trailer(tuple(lines[:cut]), tuple(line.text for line in block), (notice,))
    return Trailer(tuple(lines), (), ())


def _all_record(block: Sequence[Line]) -> bool:
    """Whether every line is a record line or continues the labelled line before it."""
    continuing = False
    for line in block:
        if is_record_line(line):
            continuing = bool(DISTRIBUTION_LABEL.match(line.key)) and not ends_statement(line.text)
        elif continuing and len(line.text) <= MAX_CONTINUATION:
            continuing = not ends_statement(line.text)
        else:
            return False
    return True
