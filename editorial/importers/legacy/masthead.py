"""The masthead: the lines before "目 录", read into the issue's title, number, date and office.

A masthead line is taken apart into what it holds (period, date, classification mark,
labelled record line, and what is left: the title, then the office) in any order and any
combination; `read_masthead` then decides the issue's `IssueMeta` and refuses a masthead
without a title, a number or a date. It also hands on the masthead's labelled lines (they go
to the distribution record) and the `RunningHeads` later phases drop as page furniture.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...text import normalise_for_match
from .dates import WEEKDAY, bare, date_match, period_match, without_spans
from .distribution import is_record_line
from .furniture import RunningHeads
from .lines import Line
from .punctuation import pattern_form
from .values import IssueMeta, LegacyFormatError, Notice

# Classification marks of the masthead (内部资料 注意保存, 秘密★1年).
MARK_WORDS = (
    "内部资料",
    "内部刊物",
    "内部参阅",
    "内部参考",
    "注意保存",
    "妥善保管",
    "请勿外传",
    "仅供参考",
    "阅后收回",
    "绝密",
    "机密",
    "秘密",
    "内部",
)
MARK_TERM = re.compile(r"[★☆]|保密期限|长期|[一二三四五六七八九十\d]{1,3}年")
OFFICE_SUFFIXES = ("编印", "编发", "主办", "编")
OFFICE_LABEL = re.compile(r"^(?:主办|编印|编发|主办单位|编印单位)[:：]")


@dataclass(frozen=True)
class MastheadLine:
    """One masthead line taken apart: period, date, labelled record, mark, and what is left (title or office)."""

    line: Line
    period: tuple[int | None, int] | None = None
    date: datetime.date | None = None
    record: bool = False
    mark: bool = False
    office: str = ""
    rest: str = ""


def read_masthead_line(line: Line) -> MastheadLine:
    """The line taken apart; raises LegacyFormatError for a date that does not exist."""
    form = pattern_form(line.text)
    compact = line.key
    if OFFICE_LABEL.match(compact):
        return MastheadLine(line, office=_strip_office(form.split(":", 1)[-1].strip()))
    if is_record_line(line):
        return MastheadLine(line, record=True)
    spans: list[tuple[int, int]] = []
    period = period_match(compact)
    if period is not None:
        spans += period[2]
    dated = date_match(compact)
    if dated is not None:
        spans.append(dated[1])
    rest = WEEKDAY.sub("", without_spans(compact, spans))
    rest, marked = _without_marks(rest)
    rest = bare(rest)
    if not rest and marked and period is None and dated is None:
        return MastheadLine(line, mark=True)
    if rest and not spans and not marked:
        rest = line.text  # a line that is only the title or the office keeps its printed spacing
    return MastheadLine(line, period=period[:2] if period else None, date=dated[0] if dated else None, rest=rest)


def _without_marks(compact: str) -> tuple[str, bool]:
    """`compact` without classification marks (内部资料, 秘密★1年), and whether there were any."""
    rest, found = compact, False
    for word in MARK_WORDS:
        if word in rest:
            rest, found = rest.replace(word, ""), True
    if found:
        rest = MARK_TERM.sub("", rest)
    return rest, found


def _strip_office(text: str) -> str:
    for suffix in OFFICE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            return text[: -len(suffix)].rstrip()
    return text


@dataclass(frozen=True)
class Masthead:
    """What the masthead says, its lines for the distribution record, what running heads repeat, and its notices."""

    meta: IssueMeta
    running_heads: RunningHeads
    record: tuple[str, ...]
    warnings: tuple[Notice, ...]
    repairs: tuple[Notice, ...]


def read_masthead(lines: Sequence[Line]) -> Masthead:
    """The masthead read from its lines (furniture removed); raises LegacyFormatError naming what is missing."""
    title = office = ""
    number = date = year = None
    record: list[str] = []
    warnings: list[Notice] = []
    repairs: list[Notice] = []
    for line in lines:
        try:
            part = read_masthead_line(line)
        except LegacyFormatError as exc:
            raise LegacyFormatError(exc.message, line=line.number) from exc
        if part.mark:
            repairs.append(Notice(f"报头中的“{line.text}”是密级或内部资料标注，不作为刊名或编发单位。", line.number))
            continue
        if part.record:
            record.append(line.text)
            continue
        if part.period is not None and (number is None or "总第" in line.key):
            year, number = part.period[0] or year, part.period[1]
        if part.date is not None and date is None:
            date = part.date
        office = office or part.office
        if not part.rest:
            continue
        if not title:
            title = part.rest
        elif not office:
            office = _strip_office(part.rest)
        else:
            warnings.append(Notice(f"报头中的“{line.text}”无法识别，已忽略。", line.number))
    first = lines[0].number if lines else None
    if not title:
        raise LegacyFormatError("找不到报头：目录之前没有刊名。", line=first)
    if number is None:
        raise LegacyFormatError("报头中找不到期号（应有一行如“2020 年第 193 期”）。", line=first)
    if number < 1:
        raise LegacyFormatError("期号必须是正整数。", line=first)
    if date is None:
        raise LegacyFormatError("报头中找不到出刊日期（应有一行如“2020 年 10 月 30 日”）。", line=first)
    if year is not None and year != date.year:
        warnings.append(Notice(f"期号中的年份 {year} 与出刊日期 {date:%Y-%m-%d} 不一致，以出刊日期为准。", first))
    if not office:
        warnings.append(Notice("报头中没有编发单位。", first))
    names = tuple(normalise_for_match(name) for name in (title, office) if name)
    return Masthead(
        meta=IssueMeta(title=title, number=number, date=date, office=office),
        running_heads=RunningHeads(
            names=names, lines=frozenset({line.key for line in lines} | set(names)), number=number
        ),
        record=tuple(record),
        warnings=tuple(warnings),
        repairs=tuple(repairs),
    )
