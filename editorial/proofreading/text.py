"""Character classes the rules share, and the stretches of a paragraph no rule may touch (web addresses, e-mail)."""

import re
from bisect import bisect_right
from functools import lru_cache

# Marks that are full-width in Chinese text (GB/T 15834-2011): they carry their own spacing.
CJK_MARKS = frozenset("，。、；：？！“”‘’《》〈〉（）【】〔〕「」『』")
CJK_OPENERS = frozenset("“‘《〈（【〔「『")
CJK_CLOSERS = frozenset("”’》〉）】〕」』")
SENTENCE_MARKS = frozenset("，。、；：？！")
# Blanks inside a line: space, tab, no-break space, ideographic space.
BLANKS = frozenset(" \t\u00a0\u3000")
CHINESE_NUMERALS = frozenset("一二三四五六七八九十百千零〇")

_HAN_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3FFFF),
)


def is_han(char: str) -> bool:
    """A Chinese character (CJK ideograph, 〇 included)."""
    if not char:
        return False
    code = ord(char)
    if code < 0x3400:
        return char == "〇"
    return any(low <= code <= high for low, high in _HAN_RANGES)


def is_chinese(char: str) -> bool:
    """A Chinese character or a full-width Chinese mark: what makes the text around a mark Chinese."""
    return is_han(char) or char in CJK_MARKS


def is_ascii_alnum(char: str) -> bool:
    return bool(char) and char.isascii() and char.isalnum()


def char_before(text: str, index: int, *, skip_blanks: bool = False) -> str:
    """The character before `index` ("" at the start), optionally looking past blanks."""
    index -= 1
    while skip_blanks and index >= 0 and text[index] in BLANKS:
        index -= 1
    return text[index] if index >= 0 else ""


def char_after(text: str, index: int, *, skip_blanks: bool = False) -> str:
    """The character at `index` ("" at the end), optionally looking past blanks."""
    while skip_blanks and index < len(text) and text[index] in BLANKS:
        index += 1
    return text[index] if index < len(text) else ""


def blanks_before(text: str, index: int) -> int:
    """Where the run of blanks ending at `index` starts."""
    while index > 0 and text[index - 1] in BLANKS:
        index -= 1
    return index


def blanks_after(text: str, index: int) -> int:
    """Where the run of blanks starting at `index` ends."""
    while index < len(text) and text[index] in BLANKS:
        index += 1
    return index


# A web address runs over printable ASCII; trailing sentence punctuation belongs to the text around it.
_URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)[!-~]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_TAIL = ".,;:!?'\")"


@lru_cache(maxsize=512)
def protected_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The stretches of `text` that are web addresses or e-mail addresses, in order."""
    spans = []
    if "://" in text or "www." in text:
        for match in _URL.finditer(text):
            end = match.end()
            while end > match.start() and text[end - 1] in _URL_TAIL:
                end -= 1
            spans.append((match.start(), end))
    if "@" in text:
        spans.extend(match.span() for match in _EMAIL.finditer(text))
    return tuple(sorted(spans))


def is_protected(text: str, index: int) -> bool:
    """True when the character at `index` is part of a web or e-mail address."""
    spans = protected_spans(text)
    if not spans:
        return False
    position = bisect_right(spans, (index, len(text) + 1)) - 1
    return position >= 0 and spans[position][0] <= index < spans[position][1]
