"""Page furniture: what the printed page adds around the text, recognised so that it is dropped wherever it appears.

Page-number lines (``— 5 —``, ``- 5 -``, ``5``, ``第 5 页``, ``5/20``) and rule lines
(``━━━``, ``———``, ``═══``) are furniture whatever the issue; a running head — the
masthead's title or office repeated with the date, the period or a page number — is told
by the `RunningHeads` the masthead phase hands on. Every pattern is bounded, so a hostile
line costs no more than a long one.
"""

import re
from dataclasses import dataclass

from .dates import WEEKDAY, bare, date_match, period_match, without_spans
from .punctuation import pattern_form
from .values import LegacyFormatError

# Every repetition below is bounded: the parser's running time stays linear whatever a line holds.
MAX_FURNITURE_LENGTH = 24
FURNITURE = [
    re.compile(r"^[-—–―─]{1,6}\s{0,6}\d{1,4}\s{0,6}[-—–―─]{1,6}$"),
    re.compile(r"^\d{1,4}$"),
    re.compile(r"^第\s{0,3}\d{1,4}\s{0,3}页(?:\s{0,3}[,，/]?\s{0,3}共\s{0,3}\d{1,4}\s{0,3}页)?$"),
    re.compile(r"^\d{1,4}\s{0,3}/\s{0,3}\d{1,4}$"),
]
RULE_CHARACTERS = set("━─—–―-－−=＝═_＿~～*＊※★☆◆◇■□▪·•")
# Longer than any masthead line: such a line is text, not a running head.
MAX_RUNNING_HEAD = 60


def is_furniture(text: str) -> bool:
    """Whether a line is a page number or page marker rather than text."""
    if len(text) > MAX_FURNITURE_LENGTH:
        return False
    form = pattern_form(text)
    return any(pattern.match(form) for pattern in FURNITURE)


def is_rule(text: str) -> bool:
    """Whether a line is a printed rule (━━━, ———, ═══): three or more rule characters and nothing else."""
    if text[:1] not in RULE_CHARACTERS:
        return False
    compact = "".join(text.split())
    return len(compact) >= 3 and set(compact) <= RULE_CHARACTERS


@dataclass(frozen=True)
class RunningHeads:
    """What a running head may repeat of one issue's masthead (all as match keys)."""

    names: tuple[str, ...]  # the title's, then the office's
    lines: frozenset[str]  # every masthead line, and the names
    number: int


def is_running_head(line_key: str, heads: RunningHeads, *, whole_lines: bool = True) -> bool:
    """Whether a line repeats the masthead: its title, a line of it, or its title or office with a date, period or page.

    In the TOC (`whole_lines=False`) a masthead line other than the title on its own may still be an entry.
    """
    if line_key == heads.names[0] or (whole_lines and line_key in heads.lines):
        return True
    if len(line_key) > MAX_RUNNING_HEAD:
        return False
    rest = line_key
    named = False
    for part in heads.names:
        if part in rest:
            rest, named = rest.replace(part, "", 1), True
    if not named and "期" not in rest:
        return False
    spans: list[tuple[int, int]] = []
    period = period_match(rest)
    if period is not None:
        named = named or period[1] == heads.number
        spans += period[2]
    if not named:
        return False
    try:
        dated = date_match(rest)
    except LegacyFormatError:
        return False
    if dated is not None:
        spans.append(dated[1])
    rest = bare(WEEKDAY.sub("", without_spans(rest, spans)))
    if rest:
        return is_furniture(rest)
    return whole_lines or bool(spans)
