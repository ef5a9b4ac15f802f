"""Text rules shared by every writer and reader of the record: what an article's body is, and how texts compare.

**`clean_body`** is the paste rule for an article's body, applied by the one write door
(`services/records.py`) to every body whoever writes it — the article form, the Word upload,
a spreadsheet, a legacy import, a restore. Editors paste from WPS, Word and web pages; what
arrives differs in ways nobody sees on screen:

- WPS copies each paragraph as one line (a single line break between paragraphs) indented
  with two ideographic spaces (`　　`); Word separates paragraphs with CRLF, sometimes with a
  blank line between; web pages add non-breaking spaces, zero-width spaces and soft hyphens.
- The body is stored as paragraphs separated by one blank line (`Article.paragraphs`).

So: every line break is a paragraph break (CRLF, CR, vertical tab, form feed and the Unicode
line/paragraph separators count as line breaks); whitespace at the start and end of a line is
indentation, not text; blank lines only separate; invisible characters (zero-width spaces and
joiners, byte-order marks, soft hyphens, direction marks, other control characters) are removed;
non-breaking and other typographic spaces become ordinary spaces, and a run of them inside a
line becomes one. Ideographic spaces inside a line are kept: they are visible and intended.

The function is pure and idempotent; `static/editorial/admin/clean_body.js` mirrors it for the
article form's paste handler and counter (tests/test_text.py runs both over the same table).

**`normalise_for_match`** is the one form texts are compared in: what search stores and queries,
what the legacy parser matches TOC titles and section names in, and what region detection reads:
NFKC (full-width letters, digits and brackets become the ordinary ones), case-folded, with
whitespace and the invisible characters pasted text brings along removed. `长三角(上海)` and
`长 三 角（上海）` are one text.
"""

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
# Spaces that look like an ordinary space (tab, no-break, en/em and the other typographic spaces).
_SPACES = re.compile("[\t \u00a0\u1680\u2000-\u200a\u202f\u205f]+")
# Indentation: the spaces above and the ideographic space.
_EDGE_SPACE = " \u3000"


def clean_body(text: str) -> str:
    """An article body as clean paragraphs joined by one blank line (the paste rules above)."""
    paragraphs = []
    for line in _LINE_BREAKS.split(_INVISIBLE.sub("", text)):
        paragraph = _SPACES.sub(" ", line).strip(_EDGE_SPACE)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


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
