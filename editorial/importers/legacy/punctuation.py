"""How the parser reads punctuation: where a sentence ends, how two pieces of one paragraph join, and the pattern form.

Every phase asks the same questions of a line's last mark (does it end a paragraph, a
statement?) and glues wrapped pieces the same way (directly, or with a space between two
Latin letters), so these answers live here once. `pattern_form` is the form the line
patterns (page numbers, bullets, sub-headings, masthead fields) are matched in: NFKC with
the spaces inside kept, since those patterns read them — titles and names are compared in
`editorial.text.normalise_for_match` instead.
"""

import itertools
import unicodedata
from collections.abc import Sequence

# Marks that may end a paragraph, and the closers that may follow them (。” ！）).
PARAGRAPH_END = "。！？!?…；;：:."
# Marks after which a line cannot be a title in the TOC (？ and ！ end titles, ： ends section names).
STATEMENT_END = "。；;"
CLOSERS = "”’」』）)】〕》〉>\"'"


def pattern_form(text: str) -> str:
    """`text` as the line patterns read it: NFKC (full-width digits and brackets become ASCII), spaces kept, ends stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def ends_paragraph(text: str) -> bool:
    """Whether `text` ends in sentence-final punctuation (closing quotes and brackets skipped)."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in PARAGRAPH_END


def ends_statement(text: str) -> bool:
    """Whether `text` ends in a mark no title ends in (。；), closing quotes and brackets skipped."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in STATEMENT_END


def _latin_pair(left: str, right: str) -> bool:
    return left[-1:].isascii() and left[-1:].isalpha() and right[:1].isascii() and right[:1].isalpha()


def glue(left: str, right: str) -> str:
    """Join two pieces of one paragraph: directly, or with a space between two Latin letters."""
    return f"{left} {right}" if _latin_pair(left, right) else left + right


def glue_all(pieces: Sequence[str]) -> str:
    """`glue` over many pieces in one pass (gluing them one by one would copy the text over and over)."""
    parts = [pieces[0]]
    for left, right in itertools.pairwise(pieces):
        parts.append(f" {right}" if _latin_pair(left, right) else right)
    return "".join(parts)


def excerpt(text: str, length: int = 20) -> str:
    """The start of `text` for a message, with … when it was cut."""
    return text if len(text) <= length else text[:length] + "…"
