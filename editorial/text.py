"""Text rules shared by every part of the system: the one form titles and names are compared in.

`normalise_for_match` is what search stores and queries, what the legacy parser matches TOC
titles and section names in, and what region detection reads: NFKC (full-width letters,
digits and brackets become the ordinary ones), case-folded, with whitespace and the invisible
characters pasted text brings along removed. `长三角(上海)` and `长 三 角（上海）` are one text.
"""

import re
import unicodedata

# Whitespace, and the invisible characters pasted text brings along (soft hyphen, zero-width
# spaces and joiners, direction marks, word joiner and invisible operators, byte-order mark).
INVISIBLE_OR_SPACE = re.compile(r"[\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")


def fold(text: str) -> str:
    """NFKC and case-folded, whitespace kept (queries are split on it before matching)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def normalise_for_match(text: str) -> str:
    """The form texts are compared in: NFKC, case-folded, no whitespace, no invisible characters."""
    # Composed once more: removing a space can leave a combining mark next to a letter it combines with.
    return unicodedata.normalize("NFKC", INVISIBLE_OR_SPACE.sub("", fold(text)))
