"""Quotation marks and paired marks: straight quotes, marks without a partner, and nesting (GB/T 15834-2011, 4.3, 4.15).

Pairs are matched within a paragraph with a stack: “ ” ‘ ’ 《 》 〈 〉 （ ） 【 】 〔 〕 「 」 『 』 (a half-width
bracket pairs with a full-width one here; its width is punctuation.half-width's business). A ’ between
two Latin letters is an apostrophe (Xi’an), not a quotation mark. A quotation that runs over several
paragraphs opens each of them with “ and closes only in the last: an unclosed “ at the start of a
paragraph followed by another paragraph starting with “ is not flagged (see `continues_quotation`).
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from .findings import Finding, Rule, found
from .text import char_after, char_before, is_ascii_alnum, is_chinese, is_han, is_protected

STRAIGHT = "quotes.straight"
UNMATCHED = "pairs.unmatched"
NESTED_QUOTE = "pairs.nested-quote"
NESTED_TITLE = "pairs.nested-title"

CLOSER_OF = {
    "“": "”",
    "‘": "’",
    "《": "》",
    "〈": "〉",
    "（": "）",
    "(": "）",
    "【": "】",
    "〔": "〕",
    "「": "」",
    "『": "』",
}
OPENER_OF = {
    "”": "“",
    "’": "‘",
    "》": "《",
    "〉": "〈",
    "）": "（",
    ")": "（",
    "】": "【",
    "〕": "〔",
    "」": "「",
    "』": "『",
}
_PAIRED = re.compile("[“”‘’《》〈〉（）()【】〔〕「」『』]")


@dataclass(frozen=True)
class Pair:
    opening: int
    closing: int
    kind: str  # the opening mark, full-width
    parent: "Pair | None"


@dataclass(frozen=True)
class Pairing:
    pairs: tuple[Pair, ...]
    unclosed: tuple[int, ...]
    unopened: tuple[int, ...]


def _is_apostrophe(text: str, index: int) -> bool:
    return text[index] == "’" and is_ascii_alnum(char_before(text, index)) and char_after(text, index + 1).isalpha()


def _after_item_number(text: str, index: int) -> bool:
    """A closing bracket right after an item number: 1）  一）  a) at the start of an item."""
    head = index
    while head > 0 and (text[head - 1].isdigit() or text[head - 1] in "一二三四五六七八九十"):
        head -= 1
    if head == index and head > 0 and text[head - 1].isascii() and text[head - 1].isalpha():
        head -= 1
    if head == index or index - head > 3:
        return False
    return head == 0 or text[head - 1] in "，。；：、 \t\u3000"


@lru_cache(maxsize=256)
def match_pairs(text: str) -> Pairing:
    """Match the paired marks of one paragraph: the pairs (each knowing the pair it sits in), and the strays."""
    found_pairs, unclosed, unopened = [], [], []
    stack: list[tuple[int, str]] = []
    for match in _PAIRED.finditer(text):
        index, mark = match.start(), match.group()
        if mark in CLOSER_OF:
            stack.append((index, "（" if mark == "(" else mark))
            continue
        if _is_apostrophe(text, index):
            continue
        wanted = OPENER_OF[mark]
        depth = next((level for level in range(len(stack) - 1, -1, -1) if stack[level][1] == wanted), None)
        if depth is None:
            if not (mark in ")）" and (mark == ")" or _after_item_number(text, index))):
                unopened.append(index)
            continue
        while len(stack) > depth + 1:  # openers above the partner were never closed
            unclosed.append(stack.pop()[0])
        opening, kind = stack.pop()
        found_pairs.append((opening, index, kind))
    unclosed.extend(index for index, _ in stack)
    pairs: list[Pair] = []
    enclosing: list[Pair] = []
    for opening, closing, kind in sorted(found_pairs):
        while enclosing and enclosing[-1].closing < opening:
            enclosing.pop()
        pair = Pair(opening, closing, kind, enclosing[-1] if enclosing else None)
        pairs.append(pair)
        enclosing.append(pair)
    return Pairing(tuple(pairs), tuple(sorted(unclosed)), tuple(sorted(unopened)))


def _mark_name(mark: str) -> str:
    if mark in "“”‘’":
        return "引号"
    if mark in "《》〈〉":
        return "书名号"
    return "括号"


def check_unmatched(text: str) -> list[Finding]:
    """A paired mark without its partner in the paragraph: “ without ”, 《 without 》, a stray ）…"""
    if not _PAIRED.search(text):
        return []
    pairing = match_pairs(text)
    findings = []
    for index in pairing.unclosed:
        mark = "（" if text[index] == "(" else text[index]
        message = f"{_mark_name(mark)}“{mark}”在本段没有对应的“{CLOSER_OF[mark]}”。"
        findings.append(found(UNMATCHED, index, index + 1, message))
    for index in pairing.unopened:
        mark = "）" if text[index] == ")" else text[index]
        message = f"{_mark_name(mark)}“{mark}”在本段前面没有对应的“{OPENER_OF[mark]}”。"
        findings.append(found(UNMATCHED, index, index + 1, message))
    return sorted(findings, key=lambda finding: finding.offset)


def continues_quotation(finding: Finding, paragraphs: list[str]) -> bool:
    """An unclosed “ opening a paragraph whose quotation goes on in the next one (GB/T 15834-2011, 4.3.3.4)."""
    if finding.offset != 0 or finding.text != "“":
        return False
    following = finding.paragraph + 1
    return following < len(paragraphs) and paragraphs[following].lstrip().startswith("“")


def _wrongly_nested(pairing: Pairing, kind: str) -> list[Pair]:
    """Pairs of `kind` directly inside a pair of the same kind, counting a pair flagged here as already fixed."""
    family = {"“": "“‘", "《": "《〈"}[kind]
    flagged: set[Pair] = set()
    for pair in pairing.pairs:
        if pair.kind != kind:
            continue
        parent = pair.parent
        while parent is not None and parent.kind not in family:
            parent = parent.parent
        if parent is not None and parent.kind == kind and parent not in flagged:
            flagged.add(pair)
    return [pair for pair in pairing.pairs if pair in flagged]


def check_nested_quotes(text: str) -> list[Finding]:
    """A double quotation inside a double quotation: the inner one should be ‘ ’."""
    if text.count("“") < 2:
        return []
    findings = []
    for pair in _wrongly_nested(match_pairs(text), "“"):
        inner = "‘" + text[pair.opening + 1 : pair.closing] + "’"
        message = "引号里面再用引号时，里层应改用单引号‘ ’。"
        findings.append(found(NESTED_QUOTE, pair.opening, pair.closing + 1, message, inner))
    return findings


def check_nested_titles(text: str) -> list[Finding]:
    """A 《 》 inside a 《 》: the inner one should be 〈 〉."""
    if text.count("《") < 2:
        return []
    findings = []
    for pair in _wrongly_nested(match_pairs(text), "《"):
        inner = "〈" + text[pair.opening + 1 : pair.closing] + "〉"
        message = "书名号里面再用书名号时，里层应改用单书名号〈 〉。"
        findings.append(found(NESTED_TITLE, pair.opening, pair.closing + 1, message, inner))
    return findings


def _curly_depths(text: str) -> list[int]:
    """For each position, how many “ are open there (counting curly double quotes only)."""
    depths, depth = [], 0
    for char in text:
        depths.append(depth)
        if char == "“":
            depth += 1
        elif char == "”" and depth:
            depth -= 1
    return depths


def _is_straight_single(text: str, index: int) -> bool:
    before, after = char_before(text, index), char_after(text, index + 1)
    if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
        return False  # an apostrophe: Xi'an, China's
    return is_chinese(before) or is_chinese(after)


def check_straight_quotes(text: str) -> list[Finding]:
    """Straight quotes \" ' in Chinese text → “ ” ‘ ’, paired in order when their number is even."""
    if ('"' not in text and "'" not in text) or not any(is_han(char) for char in text):
        return []
    doubles = [index for index, char in enumerate(text) if char == '"' and not is_protected(text, index)]
    singles = [
        index
        for index, char in enumerate(text)
        if char == "'" and not is_protected(text, index) and _is_straight_single(text, index)
    ]
    depths = _curly_depths(text)
    findings = []
    for number, index in enumerate(doubles):
        if len(doubles) % 2:
            message = '中文里应使用弯引号“ ”，这里是直引号"；本段直引号数目不成对，请按原意修改。'
            findings.append(found(STRAIGHT, index, index + 1, message))
            continue
        opening = number % 2 == 0
        inner = depths[index if opening else doubles[number - 1]] > 0
        mark = ("‘" if opening else "’") if inner else ("“" if opening else "”")
        findings.append(found(STRAIGHT, index, index + 1, f'中文里应使用弯引号“{mark}”，这里是直引号"。', mark))
    for number, index in enumerate(singles):
        opening = number % 2 == 0
        if len(singles) % 2 == 0 and depths[index if opening else singles[number - 1]] > 0:
            mark = "‘" if opening else "’"
            findings.append(found(STRAIGHT, index, index + 1, f"中文里应使用弯引号“{mark}”，这里是直引号'。", mark))
        else:
            message = "中文里应使用弯引号，这里是直引号'：外层引号用“ ”，里层用‘ ’，请按原意修改。"
            findings.append(found(STRAIGHT, index, index + 1, message))
    return sorted(findings, key=lambda finding: finding.offset)


RULES = [
    Rule(STRAIGHT, "直引号", check_straight_quotes),
    Rule(UNMATCHED, "标点不成对", check_unmatched),
    Rule(NESTED_QUOTE, "引号嵌套", check_nested_quotes),
    Rule(NESTED_TITLE, "书名号嵌套", check_nested_titles),
]
