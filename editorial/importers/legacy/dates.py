"""Dates and issue periods as the office prints them, and what is left of a line once they are cut out.

A date is ``2020 年 10 月 30 日``, ``2020-10-30``, ``2020.10.30``, ``2020/10/30`` or
二〇二〇年十月三十日; a period is ``2020 年第 193 期`` or ``总第 193 期`` (which wins). The
masthead, the running heads, the distribution record's issuing line and file names all read
them with these functions; each works on the match key (no spaces), and a date that does not
exist raises `LegacyFormatError`.
"""

import datetime
import re
from collections.abc import Iterable

from ...text import normalise_for_match
from .values import LegacyFormatError

PERIOD_TOTAL = re.compile(r"总第(\d{1,6})期")
PERIOD = re.compile(r"(?:(\d{4})年)?第(\d{1,6})期")
DATE_CJK = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DATE_NUMERIC = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
DATE_HANZI = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
WEEKDAY = re.compile(r"[(（]?(?:星期|周)[一二三四五六日天][)）]?")
HANZI_DIGITS = {
    char: digit
    for digit, chars in enumerate(["〇零", "一", "二", "三", "四", "五", "六", "七", "八", "九"])
    for char in chars
}


def _hanzi_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (HANZI_DIGITS[tens] if tens else 1) * 10 + (HANZI_DIGITS[ones] if ones else 0)
    return int("".join(str(HANZI_DIGITS[char]) for char in text))


def date_match(compact: str) -> tuple[datetime.date, tuple[int, int]] | None:
    """The date in a match key and where it is written, if any; raises LegacyFormatError for a date that does not exist."""
    match = DATE_CJK.search(compact) or DATE_NUMERIC.search(compact)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = DATE_HANZI.search(compact)
        if not match:
            return None
        year, month, day = (_hanzi_number(part) for part in match.groups())
    try:
        return datetime.date(year, month, day), match.span()
    except ValueError as exc:
        raise LegacyFormatError(f"日期“{match.group(0)}”不存在。") from exc


def parse_date(text: str) -> datetime.date | None:
    """The date written in `text` (2020 年 10 月 30 日, 2020-10-30, 2020.1.5, 2020/1/5, 二〇二〇年十月三十日), if any.

    Raises LegacyFormatError for a date that does not exist (2020 年 2 月 30 日).
    """
    found = date_match(normalise_for_match(text))
    return found[0] if found else None


def period_match(compact: str) -> tuple[int | None, int, list[tuple[int, int]]] | None:
    """(year or None, issue number, where they are written) of the period in a match key, if any."""
    total = PERIOD_TOTAL.search(compact)
    match = PERIOD.search(compact)
    if not match and not total:
        return None
    year = int(match.group(1)) if match and match.group(1) else None
    spans = [found.span() for found in (total, match) if found]
    return year, int(total.group(1) if total else match.group(2)), spans


def parse_period(text: str) -> tuple[int | None, int] | None:
    """(year or None, issue number) from a period line: 2020 年第 193 期, 第193期, 总第193期."""
    found = period_match(normalise_for_match(text))
    return found[:2] if found else None


def without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the given spans cut out (overlapping ones once)."""
    kept, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            kept.append(text[position:start])
            position = end
    kept.append(text[position:])
    return "".join(kept)


def bare(text: str) -> str:
    """What is left of a masthead line once brackets, separators and empty pairs are gone."""
    text = text.replace("()", "").replace("（）", "").replace("【】", "").replace("[]", "")
    return text.strip("()（）【】[]、，,:：·|｜/-—_ ")
