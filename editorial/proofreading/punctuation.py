"""Half-width punctuation in Chinese text: `, . : ; ? ! ( )` where the full-width mark belongs (GB/T 15834-2011).

A mark counts as being in Chinese text when a Chinese character or full-width mark stands next to it
(looking past blanks). It is left alone inside web and e-mail addresses, between two digits
(1,000 · 10:30 · 3.5) and between two Latin letters or digits (Co., Ltd · Hello, world). A full stop
is flagged only right after a Chinese character, so `1.` list numbers and decimals stay as they are.
"""

import re

from .findings import Finding, Rule, found
from .text import (
    CHINESE_NUMERALS,
    CJK_CLOSERS,
    CJK_OPENERS,
    SENTENCE_MARKS,
    blanks_after,
    blanks_before,
    char_after,
    char_before,
    is_ascii_alnum,
    is_chinese,
    is_han,
    is_protected,
)

HALF_WIDTH = "punctuation.half-width"
FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）", ".": "。"}
NAMES = {",": "逗号", ";": "分号", ":": "冒号", "?": "问号", "!": "叹号", "(": "括号", ")": "括号", ".": "句号"}
_MARKS = re.compile(r"[,;:?!.()]")


def _message(mark: str) -> str:
    return f"中文里应使用全角{NAMES[mark]}“{FULL_WIDTH[mark]}”，这里是半角的“{mark}”。"


def _paren_pairs(text: str) -> dict[int, int]:
    """Each half-width bracket's partner (both directions); unpaired brackets are absent."""
    partners, stack = {}, []
    for index, char in enumerate(text):
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            opening = stack.pop()
            partners[opening], partners[index] = index, opening
    return partners


def _in_chinese_context(text: str, start: int, end: int) -> bool:
    """A Chinese character or mark right before `start` or right after `end`, looking past blanks."""
    return is_chinese(char_before(text, start, skip_blanks=True)) or is_chinese(char_after(text, end, skip_blanks=True))


def _bracket(text: str, index: int, partners: dict[int, int]) -> Finding | None:
    mark = text[index]
    partner = partners.get(index)
    if partner is None:
        chinese = is_chinese(char_before(text, index)) or is_chinese(char_after(text, index + 1))
    else:
        opening, closing = sorted((index, partner))
        chinese = (
            is_chinese(char_before(text, opening, skip_blanks=True))
            or is_chinese(char_after(text, closing + 1, skip_blanks=True))
            or any(is_han(char) for char in text[opening + 1 : closing])
        )
    if not chinese:
        return None
    # No space goes outside a full-width bracket: take the blanks before "(" or after ")" along.
    start, end = index, index + 1
    if mark == "(" and char_before(text, blanks_before(text, index)):
        start = blanks_before(text, index)
    if mark == ")" and char_after(text, blanks_after(text, index + 1)):
        end = blanks_after(text, index + 1)
    return found(HALF_WIDTH, start, end, _message(mark), FULL_WIDTH[mark])


def _full_stop(text: str, index: int) -> Finding | None:
    if char_before(text, index) == "." or char_after(text, index + 1) == ".":
        return None  # a run of dots: an ellipsis (ellipsis.form) or something else
    before = char_before(text, index)
    if not (is_han(before) or before in CJK_CLOSERS):
        return None
    after_blanks = blanks_after(text, index + 1)
    after = char_after(text, after_blanks)
    if after and not (is_han(after) or after in CJK_OPENERS or after in CJK_CLOSERS):
        return None  # 报告.pdf, 上海.2020: not a sentence end we can name
    # 一.  二.  at the start of an item: a Chinese ordinal takes 、
    head = index
    while head > 0 and text[head - 1] in CHINESE_NUMERALS:
        head -= 1
    if head < index and (head == 0 or text[head - 1] in SENTENCE_MARKS) and index - head <= 3:
        return found(HALF_WIDTH, index, after_blanks, "中文序号后应使用顿号“、”，这里是半角的“.”。", "、")
    if is_han(after) and after_blanks == index + 1:
        return found(
            HALF_WIDTH,
            index,
            index + 1,
            "中文里用了半角的“.”：句末应为句号“。”，分隔词语应为间隔号“·”，请按原意修改。",
        )
    return found(HALF_WIDTH, index, after_blanks if after else index + 1, _message("."), "。")


def check_half_width(text: str) -> list[Finding]:
    """Half-width `, . : ; ? ! ( )` in Chinese text → the full-width mark."""
    if not _MARKS.search(text):
        return []
    findings = []
    partners = None
    for match in _MARKS.finditer(text):
        index, mark = match.start(), match.group()
        if is_protected(text, index):
            continue
        if mark in "()":
            if partners is None:
                partners = _paren_pairs(text)
            finding = _bracket(text, index, partners)
        elif mark == ".":
            finding = _full_stop(text, index)
        else:
            before, after = char_before(text, index), char_after(text, index + 1)
            if (before.isdigit() and after.isdigit()) or (is_ascii_alnum(before) and is_ascii_alnum(after)):
                continue
            if not _in_chinese_context(text, index, index + 1):
                continue
            start = blanks_before(text, index) if char_before(text, blanks_before(text, index)) else index
            end = blanks_after(text, index + 1) if char_after(text, blanks_after(text, index + 1)) else index + 1
            finding = found(HALF_WIDTH, start, end, _message(mark), FULL_WIDTH[mark])
        if finding is not None:
            findings.append(finding)
    return findings


RULES = [Rule(HALF_WIDTH, "半角标点", check_half_width)]
