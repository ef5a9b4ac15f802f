"""The legacy plain-text issue format, and a pure parser for it (this package).

Past issues (2015–2024) exist as text pasted out of Word, WPS or PDF by different people,
like ``shared/samples/legacy/2020-193.txt``. A file holds one issue — or, now and then,
two one after the other — and each issue reads, top to bottom:

1. **Masthead** — before the line "目 录": the publication title (长三角每周要讯), the
   period line (``2020 年第 193 期``; ``总第 N 期`` wins when both appear, as in the
   reference line ``第 45 期（总第 193 期）``), the issuing office and the date
   (``2020 年 10 月 30 日``, ``2020-10-30``, ``2020.10.30``, ``2020/10/30`` or
   二〇二〇年十月三十日, spaces anywhere), in any order after the title, several on one
   line or each on its own. Furniture is passed over: classification marks (``内部资料
   注意保存``, ``秘密★1年``, ``内部``), weekdays, rule lines (``━━━``, ``———``, ``═══``),
   and a trailing ``编``/``编印`` after the office. ``签发：…`` and similar labelled lines
   go to the issue's distribution record (below).
2. **Table of contents** — section names, each followed by its entries. An entry is a
   title and a printed page: ``- 标题 5``, ``· 标题……5``, ``标题　第5页``, ``标题（5）``,
   ``标题 P5``; dot leaders of any kind (``……``, ``....``, ``···``, ``．．．``) or none;
   the bullet is optional, the page too. A title may wrap over up to three lines; with
   page numbers the page ends the last line, without them the body tells which lines
   belong together (a wrapped title's first line is longer than a section name). A line
   without bullet or page is a section name when it is a known section or short (at most
   eight characters, no punctuation). A line whose page cannot be read (leaders with
   nothing after them) is refused, naming the line.
3. **Body** — starts at the first line that repeats something of the TOC (a title, two
   or three of its lines joined, or a section name). Each article is its title on its
   own line (up to three lines), then its paragraphs. Titles are matched to the TOC
   in the form of `editorial.text.normalise_for_match` (NFKC, case-folded, whitespace
   removed: 长三角(上海) = 长三角（上海）); the body's spelling is kept. Section headings in the body are optional; a heading is
   recognised only right before a title.
4. **Distribution record** — after the last article, lines labelled ``报：``, ``送：``,
   ``发：``, ``抄送：``, ``责任编辑：``, ``签发：``, ``审核：``, ``校对：``…, the print run
   ``（共印N份）``, an ``…印发`` line, with their continuation lines and rule lines. It is
   never article text: it is returned as the issue's ``distribution``, as printed.

Paragraphs are decided per article, from the evidence of that article:

- *indented*: when most lines where a paragraph could start are indented (two spaces, a
  tab or an ideographic space) — or every line is and the title is not — an indented
  line starts a paragraph and any other line continues the previous one;
- *hard-wrapped*: when at least three lines (and 40 %) reach the same width of at most
  60 characters and most of them stop mid-sentence, a full-width line continues on the
  next line and a shorter one ends its paragraph at sentence-final punctuation;
- otherwise a paragraph ends where its text ends in sentence-final punctuation
  (。！？…；：and their ASCII forms, before closing quotes and brackets), so single line
  breaks between whole paragraphs stay paragraph breaks, and a line that ends
  mid-sentence — the page ended there — is joined to the next one, across blank lines.

In every layout a short sub-heading (``一、…``, ``（一）…``, ``1.…``, ``第一，…``, ``——在…
的讲话``) or a short line wholly in brackets (``（2021年1月12日）``) is a paragraph of its
own. Joined lines are glued without a space, except between two Latin letters.

Page furniture is dropped wherever it appears: form feeds, page-number lines (``— 5 —``,
``- 5 -``, ``5``, ``第 5 页``, ``5/20``), rule lines, and running heads — a line made
of the masthead's title or office with the date, the period or a page number — also
in the middle of a sentence, which is then joined.

Encodings, tried in this order: a byte-order mark (UTF-32 before UTF-16, then UTF-8),
strict UTF-8, strict GB18030 (which covers GBK and GB2312). A file that is UTF-8 or
GB18030 but for a few bad bytes is refused naming the first one's line, column and byte
offset and the encoding it was read in: in GBK one bad byte can turn the rest of its
line into other, valid characters, which no replacement mark would show. A result
containing NUL is refused (BOM-less UTF-16 "decodes" as either), as is one that is
mostly control characters. LF, CRLF and CR line endings are all accepted.

Two issues in one file (a second masthead and "目 录" after the first issue) come out
as two `ParsedIssue`s from `parse_issues`; `parse_legacy` wants exactly one. Every
pattern here is linear in its input (no unbounded repetition), so a hostile file costs
no more than a long one.

The parser never touches the database: sections come out as names and regions as
slugs of the catalogue it is given. It raises `LegacyFormatError` (a one-line Chinese
reason, with the line number when there is one) or returns `ParsedIssue`s whose
`warnings` need an editor's eye and whose `repairs` list what was fixed on the way.

One module per phase, each a pure function from a value to a frozen value, run in this
order by `parser`: `decoding` (bytes to text), `lines` (numbered lines with their match
keys), `splitting` (where each issue of the file starts), `masthead`, `contents` (the
TOC), `distribution`, `body` (lines to articles), `paragraphs`; `furniture` (page numbers,
rules, running heads), `dates` and `punctuation` are the rules the phases share, `values`
the frozen values and the error they hand out. Import the public names from here.
"""

from .contents import DEFAULT_SECTION, split_page
from .dates import parse_date, parse_period
from .decoding import DEFAULT_MAX_BYTES, decode
from .furniture import is_furniture, is_rule
from .paragraphs import is_subheading
from .parser import number_in_file_name, parse_issues, parse_legacy
from .punctuation import ends_paragraph, glue
from .values import IssueMeta, LegacyFormatError, Notice, ParsedArticle, ParsedIssue, ParsedSection

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SECTION",
    "IssueMeta",
    "LegacyFormatError",
    "Notice",
    "ParsedArticle",
    "ParsedIssue",
    "ParsedSection",
    "decode",
    "ends_paragraph",
    "glue",
    "is_furniture",
    "is_rule",
    "is_subheading",
    "number_in_file_name",
    "parse_date",
    "parse_issues",
    "parse_legacy",
    "parse_period",
    "split_page",
]
