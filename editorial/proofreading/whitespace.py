"""Blanks inside Chinese text: between two Chinese characters, or next to a full-width mark.

A blank between Chinese and Latin letters or digits (`到 2023 年`, `AIS 基站`) is the office's own
spacing and is left alone; so are blanks at the start and end of a paragraph (indentation) and blanks
setting off a web or e-mail address. A headline
may separate its two clauses with one blank (`上海技术交易所开市 建成服务全国技术转移交易网络`), so in a
headline only a run of several blanks is flagged.
"""

import re

from .findings import Finding, Rule, Scope, found
from .text import CJK_MARKS, is_han, is_protected

BETWEEN_HANZI = "whitespace.between-hanzi"
HEADLINE_GAP = "whitespace.headline-gap"

_BLANKS = re.compile(r"[ \t\u00a0\u3000]+")


def _chinese_on_both_sides(text: str, start: int, end: int) -> tuple[str, str] | None:
    if start == 0 or end == len(text) or is_protected(text, start - 1) or is_protected(text, end):
        return None  # a blank setting off a web or e-mail address keeps it clear of the punctuation
    before, after = text[start - 1], text[end]
    if (is_han(before) or before in CJK_MARKS) and (is_han(after) or after in CJK_MARKS):
        return before, after
    if before in CJK_MARKS or after in CJK_MARKS:
        return before, after
    return None


def check_between_hanzi(text: str) -> list[Finding]:
    """A blank between two Chinese characters, or before or after a full-width mark, in body text → nothing."""
    findings = []
    for match in _BLANKS.finditer(text):
        sides = _chinese_on_both_sides(text, match.start(), match.end())
        if sides is None:
            continue
        if sides[0] in CJK_MARKS or sides[1] in CJK_MARKS:
            message = "全角标点前后不需要空格。"
        else:
            message = "中文字符之间多了空格。"
        findings.append(found(BETWEEN_HANZI, match.start(), match.end(), message, ""))
    return findings


def check_headline_gap(text: str) -> list[Finding]:
    """In a headline, more than one blank between its clauses → one."""
    findings = []
    for match in _BLANKS.finditer(text):
        if match.end() - match.start() < 2 or _chinese_on_both_sides(text, match.start(), match.end()) is None:
            continue
        findings.append(found(HEADLINE_GAP, match.start(), match.end(), "标题中分隔前后两部分只需一个空格。", " "))
    return findings


RULES = [
    Rule(BETWEEN_HANZI, "多余空格", check_between_hanzi, scope=Scope.BODY),
    Rule(HEADLINE_GAP, "标题空格", check_headline_gap, scope=Scope.HEADLINE),
]
