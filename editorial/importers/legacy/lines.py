"""The file's text as numbered lines: the one value every later phase reads.

Line endings of any kind (LF, CRLF, CR), form feeds and the other page and line breaks
split the text; control and zero-width characters are dropped; blank lines go. Each `Line`
keeps its line number in the file, its printed text, whether it was indented, its match key
(`editorial.text.normalise_for_match`, the form titles and names are compared in) and
whether it is page furniture.
"""

import re
from dataclasses import dataclass

from ...text import normalise_for_match
from .furniture import is_furniture, is_rule

LINE_BREAKS = re.compile(r"[\f\v\x1c\x1d\x1e\x85\u2028\u2029]")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Control characters (Unicode category Cc) but the tab, which indents.
CONTROLS_BUT_TAB = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Line:
    """One non-blank line of the file, stripped, with what the phases ask of it."""

    number: int
    text: str
    indented: bool
    key: str
    furniture: bool = False


def split_lines(text: str) -> tuple[Line, ...]:
    """Non-blank lines with their line numbers; a form feed splits a line but keeps its number."""
    lines = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(text.split("\n"), start=1):
        for segment in LINE_BREAKS.split(raw):
            segment = _visible(CONTROLS_BUT_TAB.sub("", segment))
            stripped = segment.strip()
            if stripped:
                indented = segment[:1] in ("\t", "\u3000") or segment.startswith("  ")
                line_key = normalise_for_match(stripped)
                furniture = is_furniture(stripped) or is_rule(line_key)
                lines.append(Line(number, stripped, indented, line_key, furniture))
    return tuple(lines)


def _visible(text: str) -> str:
    """`text` without zero-width characters (a scan per character kind: str.translate is far slower)."""
    for character in INVISIBLE:
        if character in text:
            text = text.replace(character, "")
    return text
