"""Ellipses and dashes (GB/T 15834-2011, 4.11 破折号, 4.12 省略号, 4.13 连接号).

- An ellipsis is six dots in two characters, `……`: not `...`, `。。。`, `···` or a single `…`.
- A 破折号 is `——`, two characters long: `--` becomes `——` (between two numbers, the connecting `—`).
- A single `—` is the connecting mark (连接号) when it joins two names, places or numbers (上海—南京,
  2011—2020年), and right as it is. It is flagged only where it cannot be one: next to a sentence mark
  (`，—`), or as one of a pair enclosing an explanation inside a sentence (这一举措—全国首创—引发关注: three
  runs of four or more Chinese characters, none ending like the name of a place, station or route).
  Otherwise it stays silent.
- A range of years, months or days written with a hyphen (`2011-2020年`, `1-10月`) takes the connecting `—`.
"""

import re
from itertools import pairwise

from .findings import Finding, Rule, found
from .text import SENTENCE_MARKS, char_after, char_before, is_chinese, is_han, is_protected

ELLIPSIS = "ellipsis.form"
DOUBLE_HYPHEN = "dashes.double-hyphen"
SINGLE_DASH = "dashes.single"
HYPHEN_RANGE = "dashes.hyphen-range"

_ELLIPSIS = re.compile(r"\.{3,}|。{3,}|[·・．]{3,}|…+")
_DOTS = re.compile("[·・．]{3}")
_DOUBLE_HYPHEN = re.compile(r"-{2,}|－{2,}")
_SINGLE_DASH = re.compile(r"(?<![—―])—(?![—―])")
_HYPHEN_RANGE = re.compile(
    r"(?<![0-9.\-/])[0-9]{4}[-–][0-9]{4}(?=年)"
    r"|(?<![0-9.\-/])[0-9]{1,2}[-–][0-9]{1,2}(?=月)"
    r"|(?<=月)[0-9]{1,2}[-–][0-9]{1,2}(?=日)"
)
# Where a stretch ending like this is a name (of a place, station, port, route), a — after it may connect.
NAME_ENDINGS = frozenset("省市区县镇乡村站港湾岛路街桥线口门山江河湖")
EXPLANATION_MIN = 4


def check_ellipsis(text: str) -> list[Finding]:
    """`...` `。。。` `···` or a lone `…` → `……`."""
    if "…" not in text and ".." not in text and "。。。" not in text and not _DOTS.search(text):
        return []
    findings = []
    for match in _ELLIPSIS.finditer(text):
        run = match.group()
        if run[0] == "…":
            if len(run) not in (1, 3):
                continue
        elif run[0] == "." and (
            is_protected(text, match.start())
            or not (
                is_chinese(char_before(text, match.start(), skip_blanks=True))
                or is_chinese(char_after(text, match.end(), skip_blanks=True))
            )
        ):
            continue
        message = f"省略号应为“……”（两个“…”，共六个点），这里是“{run}”。"
        findings.append(found(ELLIPSIS, match.start(), match.end(), message, "……"))
    return findings


def check_double_hyphen(text: str) -> list[Finding]:
    """`--` in Chinese text → the dash `——`, or the connecting `—` between two numbers."""
    if ("--" not in text and "－－" not in text) or not text.strip("-－ \t\u3000"):
        return []
    if not any(is_han(char) for char in text):
        return []
    findings = []
    for match in _DOUBLE_HYPHEN.finditer(text):
        if is_protected(text, match.start()):
            continue
        before, after = char_before(text, match.start()), char_after(text, match.end())
        if before.isdigit() and after.isdigit():
            message = f"数字之间的连接号应为“—”，这里是“{match.group()}”。"
            findings.append(found(DOUBLE_HYPHEN, match.start(), match.end(), message, "—"))
        else:
            message = f"破折号应为“——”，这里是“{match.group()}”。"
            findings.append(found(DOUBLE_HYPHEN, match.start(), match.end(), message, "——"))
    return findings


def _han_run_before(text: str, index: int) -> str:
    """The Chinese characters running up to `index`."""
    start = index
    while start > 0 and is_han(text[start - 1]):
        start -= 1
    return text[start:index]


def _han_run_after(text: str, index: int) -> str:
    end = index
    while end < len(text) and is_han(text[end]):
        end += 1
    return text[index:end]


def _explanatory(stretch: str) -> bool:
    """Long enough and not ending like a name: the kind of stretch a pair of dashes sets off."""
    return len(stretch) >= EXPLANATION_MIN and stretch[-1] not in NAME_ENDINGS


def check_single_dash(text: str) -> list[Finding]:
    """A single `—` used as a 破折号 → `——` (silent whenever it may be the connecting mark)."""
    if "—" not in text:
        return []
    dashes = [match.start() for match in _SINGLE_DASH.finditer(text)]
    flagged = set()
    for index in dashes:
        before, after = char_before(text, index), char_after(text, index + 1)
        if before in SENTENCE_MARKS or after in SENTENCE_MARKS:
            flagged.add(index)
    for first, second in pairwise(dashes):
        between = text[first + 1 : second]
        if not all(is_han(char) for char in between):
            continue
        left, right = _han_run_before(text, first), _han_run_after(text, second + 1)
        if _explanatory(left) and _explanatory(between) and _explanatory(right):
            flagged.update((first, second))
    message = "破折号应为“——”（占两个字的位置），这里只有一个“—”。"
    return [found(SINGLE_DASH, index, index + 1, message, "——") for index in sorted(flagged)]


def check_hyphen_range(text: str) -> list[Finding]:
    """`2011-2020年` `1-10月` `10月1-7日` → the connecting mark `—`."""
    if "-" not in text and "–" not in text:
        return []
    findings = []
    for match in _HYPHEN_RANGE.finditer(text):
        dash = match.start() + match.group().index(next(char for char in match.group() if char in "-–"))
        message = f"表示起止范围用连接号“—”（如“2011—2020年”），这里是“{text[dash]}”。"
        findings.append(found(HYPHEN_RANGE, dash, dash + 1, message, "—"))
    return findings


RULES = [
    Rule(ELLIPSIS, "省略号", check_ellipsis),
    Rule(DOUBLE_HYPHEN, "破折号写成--", check_double_hyphen),
    Rule(SINGLE_DASH, "破折号只有一半", check_single_dash),
    Rule(HYPHEN_RANGE, "范围用连接号", check_hyphen_range),
]
