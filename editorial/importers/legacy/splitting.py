"""Splitting a file into its issues: where each one's masthead starts, when a file holds more than one.

Now and then a file holds two issues one after the other. Every "目 录" after the first
must have a masthead above it — read upwards to its title line (and the marks above that),
in the shape of the first issue's masthead — or the file is refused naming that "目 录".
"""

import itertools
from collections.abc import Sequence

from ...text import normalise_for_match
from .contents import TOC_KEYS
from .furniture import MAX_RUNNING_HEAD
from .lines import Line
from .masthead import MastheadLine, read_masthead_line
from .values import LegacyFormatError

# How far above its "目 录" a second issue's masthead may start.
MAX_MASTHEAD_LINES = 15


def _masthead_part(line: Line, first_keys: frozenset[str]) -> MastheadLine | None:
    """The line taken apart when it can belong to a masthead (furniture, mark, title, office, period, date)."""
    if line.furniture:
        return MastheadLine(line, mark=True)
    if len(line.key) > MAX_RUNNING_HEAD:
        return None
    try:
        part = read_masthead_line(line)
    except LegacyFormatError:
        return None  # a date that does not exist: text, not a masthead
    if part.record:
        return None
    if line.key in first_keys or part.mark or part.period is not None or part.date is not None:
        return part
    return None


def issue_starts(lines: Sequence[Line]) -> list[int]:
    """Where each issue of the file starts (index of its first masthead line); refuses a TOC without a masthead.

    A second issue's masthead is read upwards from its "目 录" to its title line (and the marks above it).
    """
    tocs = [index for index, line in enumerate(lines) if line.key in TOC_KEYS]
    starts = [0]
    first_keys = frozenset(line.key for line in lines[: tocs[0]])
    first_parts = (read_masthead_line(line) for line in lines[: tocs[0]] if not line.furniture)
    title_key = next((normalise_for_match(part.rest) for part in first_parts if part.rest), "")
    for previous, toc in itertools.pairwise(tocs):
        index, start, period, titled = toc, None, None, False
        while index - 1 > previous and toc - index < MAX_MASTHEAD_LINES:
            part = _masthead_part(lines[index - 1], first_keys)
            if part is None or (titled and not part.mark):
                break
            index -= 1
            if not lines[index].furniture:
                start = index
            period = period if part.period is None else index
            titled = titled or normalise_for_match(part.rest) == title_key
        if start is None or period is None:
            raise LegacyFormatError(
                "这里又有一行“目 录”，但它前面没有一期的报头（刊名、期号、日期）。"
                "如果文件里有两期，请让第二期也从报头开始；否则请删去这一行。",
                line=lines[toc].number,
            )
        starts.append(start)
    return starts
