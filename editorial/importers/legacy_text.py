"""The legacy plain-text issue format, and a pure parser for it.

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
   after NFKC normalisation with all whitespace removed (长三角(上海) = 长三角（上海）);
   the body's spelling is kept. Section headings in the body are optional; a heading is
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
"""

import bisect
import codecs
import datetime
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath

from ..text import normalise_for_match
from .regions import RegionCatalogue, detect_regions

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_SECTION = "综合"
SHORT_SECTION_NAME = 8
# Longer than any title (the database takes 200 characters, and says so when saving): a longer TOC line is no title.
MAX_TITLE = 300
MAX_TITLE_LINES = 3
MAX_SUBHEADING = 40
MAX_RUNNING_HEAD = 60
MAX_DISTRIBUTION_LINES = 40
MAX_DAMAGED_BYTES = 8
DAMAGED_LABELS = {"utf-8": "UTF-8", "gb18030": "GB18030（GBK）"}
DAMAGE_EFFECTS = {
    "utf-8": "这一处的字已经读不出来",
    "gb18030": "在 GBK 中这样的字节会让同一行后面的字被读成别的字",
}
TOC_KEYS = {"目录", "本期目录", "目次"}

# Marks that may end a paragraph, and the closers that may follow them (。” ！）).
PARAGRAPH_END = "。！？!?…；;：:."
# Marks after which a line cannot be a title in the TOC (？ and ！ end titles, ： ends section names).
STATEMENT_END = "。；;"
CLOSERS = "”’」』）)】〕》〉>\"'"
BULLETS = "-·•●○◆◇■□▪▫*–—―・‧"
LEADERS = ".．·•・…‥⋯_＿-－—–―~～"
RULE_CHARACTERS = set("━─—–―-－−=＝═_＿~～*＊※★☆◆◇■□▪·•")
SPACES = " \t\u3000\u00a0"
LINE_BREAKS = re.compile(r"[\f\v\x1c\x1d\x1e\x85\u2028\u2029]")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Control characters (Unicode category Cc): those a text file may carry, and the rest.
STRAY_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b\x1f\x7f-\x84\x86-\x9f]")
CONTROLS_BUT_TAB = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")

BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE（带 BOM）"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE（带 BOM）"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8（带 BOM）"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE（带 BOM）"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE（带 BOM）"),
]

# Every repetition below is bounded: the parser's running time stays linear whatever a line holds.
MAX_FURNITURE_LENGTH = 24
FURNITURE = [
    re.compile(r"^[-—–―─]{1,6}\s{0,6}\d{1,4}\s{0,6}[-—–―─]{1,6}$"),
    re.compile(r"^\d{1,4}$"),
    re.compile(r"^第\s{0,3}\d{1,4}\s{0,3}页(?:\s{0,3}[,，/]?\s{0,3}共\s{0,3}\d{1,4}\s{0,3}页)?$"),
    re.compile(r"^\d{1,4}\s{0,3}/\s{0,3}\d{1,4}$"),
]
# A TOC entry's page, at the end of the line (searched in its last characters only).
PAGE_TAIL = 24
TOC_PAGE = re.compile(
    r"(?:第\s{0,3}(?P<nth>\d{1,3})\s{0,3}页"
    r"|[(（]\s{0,3}(?P<bracketed>\d{1,3})\s{0,3}[)）]"
    r"|(?<![A-Za-zＡ-Ｚａ-ｚ])[PpＰｐ][.．]?\s{0,3}(?P<prefixed>\d{1,3})"
    r"|(?<!\d)(?P<bare>\d{1,3}))$"
)
UNREADABLE_PAGE = re.compile(r"(?:[.．·•・…‥⋯_＿]{3,12}\S{0,4}|[.．·•・…‥⋯_＿]{2,12}|第\D{1,4}页)$")
PERIOD_TOTAL = re.compile(r"总第(\d{1,6})期")
PERIOD = re.compile(r"(?:(\d{4})年)?第(\d{1,6})期")
DATE_CJK = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DATE_NUMERIC = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
DATE_HANZI = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
WEEKDAY = re.compile(r"[(（]?(?:星期|周)[一二三四五六日天][)）]?")
HANZI_DIGITS = {
    char: digit
    for digit, chars in enumerate(["〇零", "一", "二", "三", "四", "五", "六", "七", "八", "九"])
    for char in chars
}
# Classification marks of the masthead (内部资料 注意保存, 秘密★1年).
MARK_WORDS = (
    "内部资料",
    "内部刊物",
    "内部参阅",
    "内部参考",
    "注意保存",
    "妥善保管",
    "请勿外传",
    "仅供参考",
    "阅后收回",
    "绝密",
    "机密",
    "秘密",
    "内部",
)
MARK_TERM = re.compile(r"[★☆]|保密期限|长期|[一二三四五六七八九十\d]{1,3}年")
OFFICE_SUFFIXES = ("编印", "编发", "主办", "编")
OFFICE_LABEL = re.compile(r"^(?:主办|编印|编发|主办单位|编印单位)[:：]")
# The distribution record after the last article (and labelled lines of the masthead).
DISTRIBUTION_LABEL = re.compile(
    r"^(?:本期)?(?:抄送|抄报|主送|分送|报送|发送|送阅|报|送|发|印发|责任编辑|编辑|主编|签发人|签发|审核|审稿|审签|核稿|"
    r"校对|校核|排版|联系人|联系电话|电话|传真|地址|邮编|电子邮箱|邮箱)[:：]"
)
PRINT_RUN = re.compile(r"^[(（]?(?:本期)?共?印(?:数)?[:：]?\d{1,6}份[)）]?$")
ISSUED_LINE = re.compile(r"印发[)）]?$")
MAX_CONTINUATION = 80
# Sub-headings and bracketed lines that are paragraphs of their own (matched on NFKC text).
NUMERALS = "一二三四五六七八九十百零〇"
SUBHEADING = re.compile(
    rf"^(?:[{NUMERALS}]{{1,4}}[、.]"
    rf"|\([{NUMERALS}]{{1,4}}\)"
    r"|\d{1,2}(?:[、)]|\.(?!\d))"
    r"|\(\d{1,2}\)"
    rf"|第[{NUMERALS}]{{1,4}}[,、:]"
    rf"|第[{NUMERALS}\d]{{1,4}}(?:部分|章|节|条|篇)"
    r"|[—\-]{2})"
)
BRACKETED = re.compile(r"^[(\[【〔][^()\[\]【】〔〕]{1,38}[)\]】〕]$")
INNER_PUNCTUATION = set("，,；;。")
FILE_NUMBER = re.compile(r"^(?:(?:19|20)\d{2}\s{0,3}[-_.年\s]\s{0,3})?(\d{1,4})$")


class LegacyFormatError(ValueError):
    """A file that cannot be imported, with a one-line reason an editor can act on."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


@dataclass(frozen=True)
class Notice:
    """A warning or a repair, anchored to a line of the file when it has one."""

    message: str
    line: int | None = None

    def __str__(self):
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


@dataclass(frozen=True)
class IssueMeta:
    """What the masthead says."""

    title: str
    number: int
    date: datetime.date
    office: str = ""

    @property
    def year(self) -> int:
        return self.date.year


@dataclass(frozen=True)
class ParsedArticle:
    """One article: the body's title, its TOC page, paragraphs and detected region slugs."""

    title: str
    section: str
    paragraphs: tuple[str, ...]
    page: int | None = None
    regions: tuple[str, ...] = ()
    line: int | None = None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class ParsedSection:
    name: str
    articles: tuple[ParsedArticle, ...]


@dataclass(frozen=True)
class ParsedIssue:
    """One parsed issue: masthead, sections with their articles in TOC order, distribution record, notices."""

    meta: IssueMeta
    sections: tuple[ParsedSection, ...]
    encoding: str = "文本"
    warnings: tuple[Notice, ...] = ()
    repairs: tuple[Notice, ...] = ()
    distribution: str = ""
    line: int | None = None

    @property
    def articles(self) -> list[ParsedArticle]:
        return [article for section in self.sections for article in section.articles]


# ---------------------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and a label for the encoding used (BOM, then UTF-8, then GB18030)."""
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise LegacyFormatError(
                    f"文件开头标明是 {label}，但第 {exc.start} 字节起的内容无法按此编码读取。"
                ) from exc
            return _refuse_binary(text), label
    if b"\x00" in data:
        # Without a BOM a NUL byte decodes to U+0000 in UTF-8 and GB18030 alike: say why at once.
        _refuse_binary("\x00")
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return _refuse_binary(data.decode(codec)), label
        except UnicodeDecodeError as exc:
            if _damaged(data, codec):
                raise _damage(data, codec, DAMAGED_LABELS[codec], exc.start) from exc
    raise LegacyFormatError(
        "无法识别文件编码：既不是 UTF-8，也不是 GB18030/GBK，可能不是文本文件。请另存为 UTF-8 后再导入。"
    )


def _damaged(data: bytes, codec: str) -> bool:
    """Whether `data` is text in `codec` but for a few bad bytes (rather than text in another encoding)."""
    text = data.decode(codec, "replace")
    bad = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", "ignore")) - bad
    return 0 < bad <= MAX_DAMAGED_BYTES and wide >= 20 * bad


def _damage(data: bytes, codec: str, label: str, offset: int) -> LegacyFormatError:
    before = data[:offset].decode(codec, "replace").replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    column = len(before) - before.rfind("\n")
    return LegacyFormatError(
        f"文件的编码是 {label}，但第 {column} 个字处（文件第 {offset + 1} 个字节，0x{data[offset]:02X}）"
        f"有无法识别的字节，文件可能已损坏。{DAMAGE_EFFECTS[codec]}，所以不导入。"
        "请用记事本等打开文件，改正这一处后另存为 UTF-8 再导入。",
        line=line,
    )


def _refuse_binary(text: str) -> str:
    if "\x00" in text:
        raise LegacyFormatError(
            "文件中含有空字符（NUL），可能是不带 BOM 的 UTF-16 文件或二进制文件。请另存为 UTF-8 后再导入。"
        )
    controls = len(STRAY_CONTROLS.findall(text))
    if controls and controls * 200 > len(text):
        raise LegacyFormatError("文件中含有大量控制字符，像是二进制文件而不是文本。")
    return text


# ---------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    indented: bool
    key: str
    furniture: bool = False


def _lines(text: str) -> tuple[_Line, ...]:
    """Non-blank lines with their line numbers; a form feed splits a line but keeps its number."""
    lines = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(text.split("\n"), start=1):
        for segment in LINE_BREAKS.split(raw):
            segment = _visible(CONTROLS_BUT_TAB.sub("", segment))
            stripped = segment.strip()
            if stripped:
                indented = segment[:1] in ("\t", "\u3000") or segment.startswith("  ")
                line_key = key(stripped)
                furniture = is_furniture(stripped) or is_rule(line_key)
                lines.append(_Line(number, stripped, indented, line_key, furniture))
    return tuple(lines)


def key(text: str) -> str:
    """The form titles are compared in: the one normal form of the whole system (text.normalise_for_match)."""
    return normalise_for_match(text)


def _visible(text: str) -> str:
    """`text` without zero-width characters (a scan per character kind: str.translate is far slower)."""
    for character in INVISIBLE:
        if character in text:
            text = text.replace(character, "")
    return text


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_furniture(text: str) -> bool:
    """Whether a line is a page number or page marker rather than text."""
    if len(text) > MAX_FURNITURE_LENGTH:
        return False
    normalised = _nfkc(text)
    return any(pattern.match(normalised) for pattern in FURNITURE)


def is_rule(text: str) -> bool:
    """Whether a line is a printed rule (━━━, ———, ═══): three or more rule characters and nothing else."""
    if text[:1] not in RULE_CHARACTERS:
        return False
    compact = "".join(text.split())
    return len(compact) >= 3 and set(compact) <= RULE_CHARACTERS


def ends_paragraph(text: str) -> bool:
    """Whether `text` ends in sentence-final punctuation (closing quotes and brackets skipped)."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in PARAGRAPH_END


def _ends_statement(text: str) -> bool:
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in STATEMENT_END


def _latin_pair(left: str, right: str) -> bool:
    return left[-1:].isascii() and left[-1:].isalpha() and right[:1].isascii() and right[:1].isalpha()


def glue(left: str, right: str) -> str:
    """Join two pieces of one paragraph: directly, or with a space between two Latin letters."""
    return f"{left} {right}" if _latin_pair(left, right) else left + right


def _glue_all(pieces: Sequence[str]) -> str:
    """`glue` over many pieces in one pass (gluing them one by one would copy the text over and over)."""
    parts = [pieces[0]]
    for left, right in itertools.pairwise(pieces):
        parts.append(f" {right}" if _latin_pair(left, right) else right)
    return "".join(parts)


def is_subheading(text: str) -> bool:
    """Whether a line is a short sub-heading (一、… （一）… 1.… 第一，… ——…) or a short line wholly in brackets."""
    if len(text) > MAX_SUBHEADING:
        return False
    normalised = _nfkc(text)
    if BRACKETED.match(normalised):
        return True
    match = SUBHEADING.match(normalised)
    if not match:
        return False
    rest = normalised[match.end() :].rstrip("。.")
    return not (set(rest) & INNER_PUNCTUATION) and not rest.endswith(("、", ","))


# ---------------------------------------------------------------------------- masthead


def _hanzi_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (HANZI_DIGITS[tens] if tens else 1) * 10 + (HANZI_DIGITS[ones] if ones else 0)
    return int("".join(str(HANZI_DIGITS[char]) for char in text))


def _date_match(compact: str) -> tuple[datetime.date, tuple[int, int]] | None:
    match = DATE_CJK.search(compact) or DATE_NUMERIC.search(compact)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = DATE_HANZI.search(compact)
        if not match:
            return None
        year, month, day = (_hanzi_number(part) for part in match.groups())
    try:
        return datetime.date(year, month, day), match.span()
    except ValueError as exc:
        raise LegacyFormatError(f"日期“{match.group(0)}”不存在。") from exc


def parse_date(text: str) -> datetime.date | None:
    """The date written in `text` (2020 年 10 月 30 日, 2020-10-30, 2020.1.5, 2020/1/5, 二〇二〇年十月三十日), if any.

    Raises LegacyFormatError for a date that does not exist (2020 年 2 月 30 日).
    """
    found = _date_match(key(text))
    return found[0] if found else None


def _period_match(compact: str) -> tuple[int | None, int, list[tuple[int, int]]] | None:
    total = PERIOD_TOTAL.search(compact)
    match = PERIOD.search(compact)
    if not match and not total:
        return None
    year = int(match.group(1)) if match and match.group(1) else None
    spans = [found.span() for found in (total, match) if found]
    return year, int(total.group(1) if total else match.group(2)), spans


def parse_period(text: str) -> tuple[int | None, int] | None:
    """(year or None, issue number) from a period line: 2020 年第 193 期, 第193期, 总第193期."""
    found = _period_match(key(text))
    return found[:2] if found else None


def _without(text: str, spans: Iterable[tuple[int, int]]) -> str:
    kept, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            kept.append(text[position:start])
            position = end
    kept.append(text[position:])
    return "".join(kept)


def _without_marks(compact: str) -> tuple[str, bool]:
    """`compact` without classification marks (内部资料, 秘密★1年), and whether there were any."""
    rest, found = compact, False
    for word in MARK_WORDS:
        if word in rest:
            rest, found = rest.replace(word, ""), True
    if found:
        rest = MARK_TERM.sub("", rest)
    return rest, found


def _bare(text: str) -> str:
    """What is left of a masthead line once brackets, separators and empty pairs are gone."""
    text = text.replace("()", "").replace("（）", "").replace("【】", "").replace("[]", "")
    return text.strip("()（）【】[]、，,:：·|｜/-—_ ")


@dataclass(frozen=True)
class _MastheadLine:
    """One masthead line taken apart: period, date, labelled record, mark, and what is left (title or office)."""

    line: _Line
    period: tuple[int | None, int] | None = None
    date: datetime.date | None = None
    record: bool = False
    mark: bool = False
    office: str = ""
    rest: str = ""


def _masthead_line(line: _Line) -> _MastheadLine:
    normalised = _nfkc(line.text)
    compact = line.key
    if OFFICE_LABEL.match(compact):
        return _MastheadLine(line, office=_strip_office(normalised.split(":", 1)[-1].strip()))
    if _record_line(line):
        return _MastheadLine(line, record=True)
    spans: list[tuple[int, int]] = []
    period = _period_match(compact)
    if period is not None:
        spans += period[2]
    dated = _date_match(compact)
    if dated is not None:
        spans.append(dated[1])
    rest = WEEKDAY.sub("", _without(compact, spans))
    rest, marked = _without_marks(rest)
    rest = _bare(rest)
    if not rest and marked and period is None and dated is None:
        return _MastheadLine(line, mark=True)
    if rest and not spans and not marked:
        rest = line.text  # a line that is only the title or the office keeps its printed spacing
    return _MastheadLine(line, period=period[:2] if period else None, date=dated[0] if dated else None, rest=rest)


def _strip_office(text: str) -> str:
    for suffix in OFFICE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            return text[: -len(suffix)].rstrip()
    return text


@dataclass(frozen=True)
class _Masthead:
    meta: IssueMeta
    heads: frozenset[str]
    names: tuple[str, ...]  # keys of the title and the office, as running heads repeat them
    record: tuple[str, ...]
    warnings: tuple[Notice, ...]
    repairs: tuple[Notice, ...]


def _read_masthead(lines: Sequence[_Line]) -> _Masthead:
    title = office = ""
    number = date = year = None
    record: list[str] = []
    warnings: list[Notice] = []
    repairs: list[Notice] = []
    for line in lines:
        try:
            part = _masthead_line(line)
        except LegacyFormatError as exc:
            raise LegacyFormatError(exc.message, line=line.number) from exc
        if part.mark:
            repairs.append(Notice(f"报头中的“{line.text}”是密级或内部资料标注，不作为刊名或编发单位。", line.number))
            continue
        if part.record:
            record.append(line.text)
            continue
        if part.period is not None and (number is None or "总第" in line.key):
            year, number = part.period[0] or year, part.period[1]
        if part.date is not None and date is None:
            date = part.date
        office = office or part.office
        if not part.rest:
            continue
        if not title:
            title = part.rest
        elif not office:
            office = _strip_office(part.rest)
        else:
            warnings.append(Notice(f"报头中的“{line.text}”无法识别，已忽略。", line.number))
    first = lines[0].number if lines else None
    if not title:
        raise LegacyFormatError("找不到报头：目录之前没有刊名。", line=first)
    if number is None:
        raise LegacyFormatError("报头中找不到期号（应有一行如“2020 年第 193 期”）。", line=first)
    if number < 1:
        raise LegacyFormatError("期号必须是正整数。", line=first)
    if date is None:
        raise LegacyFormatError("报头中找不到出刊日期（应有一行如“2020 年 10 月 30 日”）。", line=first)
    if year is not None and year != date.year:
        warnings.append(Notice(f"期号中的年份 {year} 与出刊日期 {date:%Y-%m-%d} 不一致，以出刊日期为准。", first))
    if not office:
        warnings.append(Notice("报头中没有编发单位。", first))
    names = tuple(key(name) for name in (title, office) if name)
    return _Masthead(
        meta=IssueMeta(title=title, number=number, date=date, office=office),
        heads=frozenset({line.key for line in lines} | set(names)),
        names=names,
        record=tuple(record),
        warnings=tuple(warnings),
        repairs=tuple(repairs),
    )


def _is_running_head(line: _Line, masthead: _Masthead, *, whole_lines: bool = True) -> bool:
    """Whether a line repeats the masthead: its title, a line of it, or its title or office with a date, period or page.

    In the TOC (`whole_lines=False`) a masthead line other than the title on its own may still be an entry.
    """
    meta = masthead.meta
    if line.key == masthead.names[0] or (whole_lines and line.key in masthead.heads):
        return True
    if len(line.key) > MAX_RUNNING_HEAD:
        return False
    rest = line.key
    named = False
    for part in masthead.names:
        if part in rest:
            rest, named = rest.replace(part, "", 1), True
    if not named and "期" not in rest:
        return False
    spans: list[tuple[int, int]] = []
    period = _period_match(rest)
    if period is not None:
        named = named or period[1] == meta.number
        spans += period[2]
    if not named:
        return False
    try:
        dated = _date_match(rest)
    except LegacyFormatError:
        return False
    if dated is not None:
        spans.append(dated[1])
    rest = _bare(WEEKDAY.sub("", _without(rest, spans)))
    if rest:
        return is_furniture(rest)
    return whole_lines or bool(spans)


# ---------------------------------------------------------------------------- splitting a file into issues


def _masthead_part(line: _Line, first_keys: frozenset[str]) -> _MastheadLine | None:
    """The line taken apart when it can belong to a masthead (furniture, mark, title, office, period, date)."""
    if line.furniture:
        return _MastheadLine(line, mark=True)
    if len(line.key) > MAX_RUNNING_HEAD:
        return None
    try:
        part = _masthead_line(line)
    except LegacyFormatError:
        return None  # a date that does not exist: text, not a masthead
    if part.record:
        return None
    if line.key in first_keys or part.mark or part.period is not None or part.date is not None:
        return part
    return None


def _issue_starts(lines: Sequence[_Line]) -> list[int]:
    """Where each issue of the file starts (index of its first masthead line); refuses a TOC without a masthead.

    A second issue's masthead is read upwards from its "目 录" to its title line (and the marks above it).
    """
    tocs = [index for index, line in enumerate(lines) if line.key in TOC_KEYS]
    starts = [0]
    first_keys = frozenset(line.key for line in lines[: tocs[0]])
    first_parts = (_masthead_line(line) for line in lines[: tocs[0]] if not line.furniture)
    title_key = next((key(part.rest) for part in first_parts if part.rest), "")
    for previous, toc in itertools.pairwise(tocs):
        index, start, period, titled = toc, None, None, False
        while index - 1 > previous and toc - index < 15:
            part = _masthead_part(lines[index - 1], first_keys)
            if part is None or (titled and not part.mark):
                break
            index -= 1
            if not lines[index].furniture:
                start = index
            period = period if part.period is None else index
            titled = titled or key(part.rest) == title_key
        if start is None or period is None:
            raise LegacyFormatError(
                "这里又有一行“目 录”，但它前面没有一期的报头（刊名、期号、日期）。"
                "如果文件里有两期，请让第二期也从报头开始；否则请删去这一行。",
                line=lines[toc].number,
            )
        starts.append(start)
    return starts


# ---------------------------------------------------------------------------- table of contents


@dataclass(frozen=True)
class _TocLine:
    """One line of the TOC taken apart."""

    line: _Line
    text: str  # without the bullet
    title: str  # without the bullet, the page number and the leader
    page: int | None
    bulleted: bool
    dangling: bool  # ends in a leader (or 第…页) without a readable page
    text_key: str
    title_key: str

    @property
    def short(self) -> bool:
        """Short enough, and without punctuation, to be a section name."""
        compact = self.text_key
        return len(compact) <= SHORT_SECTION_NAME and not any(c in PARAGRAPH_END + "，," for c in compact)


@dataclass(frozen=True)
class _Entry:
    title: str
    raw: str  # the title with the page number the TOC line ended in
    section: str
    line: int
    page: int | None
    title_key: str
    raw_key: str


@dataclass(frozen=True)
class _Toc:
    entries: tuple[_Entry, ...]
    sections: tuple[str, ...]
    body_at: int
    warnings: tuple[Notice, ...]
    repairs: tuple[Notice, ...]


def split_page(text: str) -> tuple[str, int | None]:
    """(title, page) of a TOC entry: 标题 5, 标题……5, 标题 第5页, 标题（5）, 标题 P5; (text, None) without a page."""
    text = text.rstrip()
    offset = max(0, len(text) - PAGE_TAIL)
    match = TOC_PAGE.search(text, offset)
    if match is None:
        return text, None
    page = int(next(group for group in match.groups() if group is not None))
    before = text[: match.start()]
    title = before.rstrip(SPACES).rstrip(LEADERS + SPACES)
    separated = len(title) < len(before)
    if page < 1 or not title or (not separated and (match.group("bare") or match.group("prefixed"))):
        return text, None
    return title, page


def _unreadable_page(text: str) -> bool:
    """Whether a TOC line ends in a leader with no page number, or a page written other than in digits."""
    return bool(UNREADABLE_PAGE.search(text.rstrip(), max(0, len(text.rstrip()) - PAGE_TAIL)))


def _strip_bullet(text: str) -> tuple[str, bool]:
    if _nfkc(text[:1]) in BULLETS and len(text) > 1 and not is_furniture(text):
        return text[1:].strip(), True
    return text, False


def _toc_line(line: _Line) -> _TocLine:
    text, bulleted = _strip_bullet(line.text)
    title, page = split_page(text)
    if len(title) > MAX_TITLE:
        raise LegacyFormatError(
            f"目录中这一行有 {len(title)} 个字，太长，不像文章标题（“{_excerpt(title)}”）。"
            "如果目录到此已经结束，请检查正文第一篇文章的标题是否与目录一致。",
            line=line.number,
        )
    dangling = page is None and _unreadable_page(text)
    bullet_key = key(line.text[:1]) if bulleted else ""
    # The line's key is its bullet's and its text's, one after the other: no need to normalise the text again.
    text_key = line.key[len(bullet_key) :] if line.key.startswith(bullet_key) else key(text)
    return _TocLine(line, text, title, page, bulleted, dangling, text_key, key(title) if page else text_key)


def _joins(keys: Sequence[str], start: int, limit: int = MAX_TITLE_LINES) -> list[str]:
    """The keys of keys[start], keys[start:start+2], … (up to `limit` lines, titles' length at most)."""
    joined, found = "", []
    for part in keys[start : start + limit]:
        joined += part
        if len(joined) > MAX_TITLE:
            break
        found.append(joined)
    return found


def _read_toc(lines: Sequence[_Line], known: set[str], masthead: _Masthead) -> _Toc:
    """TOC entries and section names in order, and the index of the first body line."""
    items: list[_TocLine] = []
    pages_after: dict[int, int] = {}  # a page number on a line of its own, after the item at that position
    seen: set[str] = set()
    body_at = len(lines)
    ended_by_text = False
    for index, line in enumerate(lines):
        if line.furniture:
            if items and re.fullmatch(r"\d{1,3}", _nfkc(line.text)):
                pages_after[len(items) - 1] = int(_nfkc(line.text))
            continue
        if not _strip_bullet(line.text)[1] and _is_running_head(line, masthead, whole_lines=False):
            continue
        if items and _repeats(lines, index, seen):
            body_at = index
            break
        if items and _ends_statement(line.text) and split_page(line.text)[1] is None:
            body_at, ended_by_text = index, True
            break
        item = _toc_line(line)
        items.append(item)
        window = items[-MAX_TITLE_LINES:]
        for start in range(len(window)):
            head = "".join(part.text_key for part in window[start:-1])
            seen.update(head + tail for tail in (item.title_key, item.text_key) if len(head + tail) <= MAX_TITLE)
    if ended_by_text and any(item.page for item in items):
        # A pageless line at the end of a paged TOC is the body's first title, written unlike the TOC.
        while items and items[-1].page is None and not items[-1].bulleted and not items[-1].short:
            body_at = lines.index(items.pop().line)
    if not items:
        first = lines[0].number if lines else None
        raise LegacyFormatError("目录是空的：“目 录”之后找不到任何文章标题。", line=first)
    body = [line for line in lines[body_at:] if not line.furniture]
    return _group_toc(items, pages_after, known, _BodyEvidence.of(body, seen), body_at)


def _repeats(lines: Sequence[_Line], index: int, seen: set[str]) -> bool:
    """Whether the line at `index`, alone or joined with the next one or two, repeats a TOC line or title."""
    following = [line.key for line in lines[index : index + MAX_TITLE_LINES * 2] if not line.furniture]
    return any(joined in seen for joined in _joins(following, 0))


@dataclass(frozen=True)
class _BodyEvidence:
    """What the body says about the TOC: its lines (one to three joined), and short lines it uses as titles."""

    joined: frozenset[str]
    short_titles: frozenset[str]

    @classmethod
    def of(cls, body: Sequence[_Line], seen: set[str]) -> "_BodyEvidence":
        keys = [line.key for line in body]
        joined = frozenset(found for start in range(len(keys)) for found in _joins(keys, start))
        # A short line followed by text that is not in the TOC is a title, not a section heading.
        short_titles = frozenset(
            line.key
            for index, line in enumerate(body[:-1])
            if len(line.key) <= SHORT_SECTION_NAME and not _repeats(body, index + 1, seen)
        )
        return cls(joined, short_titles)


def _group_toc(
    items: list[_TocLine], pages_after: dict[int, int], known: set[str], body: _BodyEvidence, body_at: int
) -> _Toc:
    """Sections and entries from the TOC's lines, with the body's titles telling where a wrapped title ends."""
    paged = any(item.page is not None for item in items)
    if not paged:
        pages_after = {}  # in a TOC without pages a number on its own line is the page footer
    entries: list[_Entry] = []
    sections: list[str] = []
    warnings: list[Notice] = []
    repairs: list[Notice] = []
    current: str | None = None
    position = 0
    while position < len(items):
        item = items[position]
        pageless_line = item.page is None and not item.bulleted and position not in pages_after
        if pageless_line and item.text_key in known:
            current = item.text
            sections.append(current)
            position += 1
            continue
        count = _title_lines(items, position, body.joined, pages_after)
        if count == 1 and pageless_line and item.short and item.text_key not in body.short_titles:
            current = item.text
            sections.append(current)
            position += 1
            continue
        parts = items[position : position + count]
        if paged and parts[-1].dangling:
            raise LegacyFormatError(
                f"读不出这条目录的页码：“{_excerpt(parts[-1].text, 30)}”。"
                "页码应是阿拉伯数字，如“标题……5”“标题 第5页”“标题（5）”。",
                line=parts[-1].line.number,
            )
        if current is None:
            current = DEFAULT_SECTION
            sections.append(current)
            warnings.append(Notice(f"目录开头的文章没有栏目名称，已归入“{DEFAULT_SECTION}”栏目。", item.line.number))
        last = position + count - 1
        page = parts[-1].page if parts[-1].page is not None else pages_after.get(last)
        title = _glue_all([part.title if part is parts[-1] else part.text for part in parts])
        raw = _glue_all([part.text for part in parts])
        if count > 1:
            repairs.append(Notice(f"目录条目跨 {count} 行，已合并为“{title}”。", item.line.number))
        head_key = "".join(part.text_key for part in parts[:-1])
        entries.append(
            _Entry(
                title=title,
                raw=raw,
                section=current,
                line=item.line.number,
                page=page,
                title_key=head_key + parts[-1].title_key,
                raw_key=head_key + parts[-1].text_key,
            )
        )
        position += count
    if not entries:
        raise LegacyFormatError("目录是空的：“目 录”之后找不到任何文章标题。", line=items[0].line.number)
    filled = {entry.section for entry in entries}
    for name in sections:
        if name not in filled:
            warnings.append(
                Notice(f"目录中的“{name}”下面没有文章；如果它其实是一篇文章的标题，请在目录中给它加上页码或项目符号。")
            )
    return _Toc(tuple(entries), tuple(sections), body_at, tuple(warnings), tuple(repairs))


def _title_lines(items: list[_TocLine], position: int, in_body: set[str], pages_after: dict[int, int]) -> int:
    """How many TOC lines from `position` make one title the body also has (1 when no longer join is there)."""
    joined = ""
    longest = 1
    for offset, item in enumerate(items[position : position + MAX_TITLE_LINES]):
        if offset:
            previous = items[position + offset - 1]
            if item.bulleted or previous.page is not None or (position + offset - 1) in pages_after:
                break
            if previous.short and not previous.bulleted:
                break  # a section name is never the first part of a wrapped title
            joined += previous.text_key
            if joined + item.title_key in in_body or joined + item.text_key in in_body:
                longest = offset + 1
    return longest


# ---------------------------------------------------------------------------- the distribution record


@dataclass(frozen=True)
class _Trailer:
    body: tuple[_Line, ...]
    record: tuple[str, ...]
    repairs: tuple[Notice, ...]


def _record_line(line: _Line) -> bool:
    """A labelled line of the record (报：…, 签发：…), the print run (（共印120份）) or the issuing line (…印发)."""
    if DISTRIBUTION_LABEL.match(line.key) or PRINT_RUN.match(line.key):
        return True
    if len(line.key) > MAX_RUNNING_HEAD or not ISSUED_LINE.search(line.key):
        return False
    try:
        return _date_match(line.key) is not None
    except LegacyFormatError:
        return False


def _split_distribution(lines: Sequence[_Line]) -> _Trailer:
    """The body without the distribution record at its end (报：… 送：… （共印N份）), and the record as printed."""
    text_lines = [line for line in lines if not line.furniture]
    first = max(0, len(text_lines) - MAX_DISTRIBUTION_LINES)
    for start in range(first, len(text_lines)):
        if _record_line(text_lines[start]) and _all_record(text_lines[start:]):
            block = text_lines[start:]
            cut = lines.index(block[0])
            notice = Notice(
                f"第 {block[0].number}–{block[-1].number} 行是报送记录（报送范围、印数、签发等），"
                "已存为本期的“报送记录”，不作为文章正文。",
                block[0].number,
            )
            return _Trailer(tuple(lines[:cut]), tuple(line.text for line in block), (notice,))
    return _Trailer(tuple(lines), (), ())


def _all_record(block: Sequence[_Line]) -> bool:
    """Whether every line is a record line or continues the labelled line before it."""
    continuing = False
    for line in block:
        if _record_line(line):
            continuing = bool(DISTRIBUTION_LABEL.match(line.key)) and not _ends_statement(line.text)
        elif continuing and len(line.text) <= MAX_CONTINUATION:
            continuing = not _ends_statement(line.text)
        else:
            return False
    return True


# ---------------------------------------------------------------------------- body


@dataclass(frozen=True)
class _Article:
    entry: _Entry
    title: str
    line: int
    title_indented: bool
    chunks: tuple[_Line, ...]


@dataclass(frozen=True)
class _Body:
    articles: tuple[_Article, ...]
    warnings: tuple[Notice, ...]
    repairs: tuple[Notice, ...]


class _TitleIndex:
    """Title keys with what each stands for, and a sorted list of them to tell prefixes (in linear space)."""

    def __init__(self, pairs: Iterable[tuple[str, tuple[int, bool]]]):
        self.entries: dict[str, list[tuple[int, bool]]] = {}
        for title_key, value in pairs:
            self.entries.setdefault(title_key, []).append(value)
        self.sorted = sorted(self.entries)

    def is_prefix(self, text: str) -> bool:
        at = bisect.bisect_left(self.sorted, text)
        return at < len(self.sorted) and self.sorted[at].startswith(text)


def _claim(lines: Sequence[_Line], index: int, titles: _TitleIndex, claimed: set[int]) -> tuple[int, int, bool] | None:
    """(entry index, line count, matched with the page number as part of the title) for a title at `index`."""
    compact = ""
    for count, line in enumerate(lines[index : index + MAX_TITLE_LINES], start=1):
        compact += line.key
        for entry_index, page_in_title in titles.entries.get(compact, ()):
            if entry_index not in claimed:
                return entry_index, count, page_in_title
        if not titles.is_prefix(compact):
            return None
    return None


def _read_body(lines: Sequence[_Line], entries: Sequence[_Entry], section_keys: set[str], masthead: _Masthead) -> _Body:
    titles = _TitleIndex(
        pair
        for entry_index, entry in enumerate(entries)
        for pair in (
            [(entry.title_key, (entry_index, False))]
            # A pageless TOC may end a title with a number (深圳出台措施 19): the body tells.
            + ([(entry.raw_key, (entry_index, True))] if entry.page is not None else [])
        )
    )
    claimed: set[int] = set()
    starts: dict[int, tuple[_Entry, str, int, bool]] = {}
    chunks: dict[int, list[_Line]] = {}
    warnings: list[Notice] = []
    repairs: list[Notice] = []
    current: int | None = None
    stray: list[_Line] = []
    last_claimed = -1
    out_of_order = False
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _claim(lines, index, titles, claimed)
        if match is not None:
            entry_index, count, page_in_title = match
            claimed.add(entry_index)
            entry = entries[entry_index]
            if page_in_title:
                entry = replace(entry, page=None)
            title = _glue_all([part.text for part in lines[index : index + count]])
            if count > 1:
                repairs.append(Notice(f"正文标题跨 {count} 行，已合并为“{title}”。", line.number))
            if entry.raw != title and entry.title != title:
                repairs.append(Notice(f"目录标题“{entry.title}”与正文写法不同，采用正文的“{title}”。", line.number))
            if entry_index < last_claimed and not out_of_order:
                warnings.append(Notice("正文中文章的先后顺序与目录不同，已按目录顺序排列。", line.number))
                out_of_order = True
            last_claimed = max(last_claimed, entry_index)
            starts[entry_index] = (entry, title, line.number, line.indented)
            chunks[entry_index] = []
            current = entry_index
            index += count
            continue
        if line.key in section_keys and index + 1 < len(lines):
            upcoming = _claim(lines, index + 1, titles, claimed)
            if upcoming is not None:
                section = entries[upcoming[0]].section
                if key(section) != line.key:
                    warnings.append(
                        Notice(f"正文中的栏目标题“{line.text}”与目录不一致（目录中此文属于“{section}”）。", line.number)
                    )
                index += 1
                continue
        if _is_running_head(line, masthead):
            repairs.append(Notice(f"删除了重复的报头文字“{line.text}”（页眉）。", line.number))
            index += 1
            continue
        if current is None:
            stray.append(line)
        else:
            chunks[current].append(line)
        index += 1
    if stray:
        first_title = min((start[2] for start in starts.values()), default=None)
        where = (
            f"目录之后、第一篇能与目录对上的文章标题（第 {first_title} 行）之前，"
            if first_title
            else "正文中没有一篇文章的标题与目录对得上："
        )
        raise LegacyFormatError(
            f"{where}有 {len(stray)} 行文字不属于任何文章（从“{_excerpt(stray[0].text)}”起）。"
            "如果这一行是文章标题，请检查它与目录中的写法是否一致；否则请删去或并入某篇文章后再导入。",
            line=stray[0].number,
        )
    missing = [entry for entry_index, entry in enumerate(entries) if entry_index not in starts]
    if missing:
        titles_missing = "、".join(f"“{entry.title}”" for entry in missing[:5])
        more = f"等 {len(missing)} 篇" if len(missing) > 5 else f"共 {len(missing)} 篇"
        raise LegacyFormatError(f"目录中的文章在正文里找不到：{titles_missing}（{more}）。", line=missing[0].line)
    articles = tuple(
        _Article(entry=entry, title=title, line=number, title_indented=indented, chunks=tuple(chunks[entry_index]))
        for entry_index in range(len(entries))
        for entry, title, number, indented in [starts[entry_index]]
    )
    return _Body(articles, tuple(warnings), tuple(repairs))


def _check_pages(entries: Sequence[_Entry]) -> tuple[Notice, ...]:
    """Warnings for TOC entries without a page when others have one, and for pages going backwards."""
    warnings = []
    if any(entry.page is not None for entry in entries):
        warnings += [
            Notice(f"目录条目“{entry.title}”没有页码。", entry.line) for entry in entries if entry.page is None
        ]
    previous = None
    for entry in entries:
        if entry.page is not None:
            if previous is not None and entry.page < previous:
                warnings.append(Notice(f"目录页码 {entry.page} 小于上一条的 {previous}。", entry.line))
            previous = entry.page
    return tuple(warnings)


def _excerpt(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[:length] + "…"


# ---------------------------------------------------------------------------- paragraphs


INDENTED, WRAPPED, PUNCTUATED = "indented", "wrapped", "punctuated"
MAX_WRAP_WIDTH = 120  # display columns: 60 Chinese characters
WRAP_SLACK = 3


def _width(text: str) -> int:
    """Display columns: two for each character beyond ASCII (Chinese text and its punctuation), one for ASCII."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _wrap_width(chunks: Sequence[_Line]) -> int | None:
    """The width the article's lines were hard-wrapped at, when its lines show one (else None)."""
    lines = [chunk for chunk in chunks if not is_subheading(chunk.text)]
    if len(lines) < 4:
        return None
    widths = [_width(chunk.text) for chunk in lines]
    widest = max(widths)
    full = [line for line, width in zip(lines, widths, strict=True) if width >= widest - WRAP_SLACK]
    mid_sentence = sum(1 for line in full[:-1] if not ends_paragraph(line.text))
    if widest > MAX_WRAP_WIDTH or len(full) < 3 or len(full) * 10 < len(lines) * 4 or mid_sentence * 2 < len(full) - 1:
        return None
    return widest


def _layout(article: _Article) -> tuple[str, int | None]:
    """How this article marks its paragraphs: by indentation, by hard-wrapped lines, or by punctuation."""
    chunks = article.chunks
    wrap = _wrap_width(chunks)
    indented = [chunk.indented for chunk in chunks]
    if all(indented):
        by_indent = not article.title_indented
    elif any(indented):
        starts = [chunks[0], *(chunk for before, chunk in itertools.pairwise(chunks) if ends_paragraph(before.text))]
        by_indent = sum(chunk.indented for chunk in starts) * 2 >= len(starts)
    else:
        by_indent = False
    if by_indent:
        return INDENTED, None
    return (WRAPPED, wrap) if wrap else (PUNCTUATED, None)


@dataclass(frozen=True)
class _Paragraphs:
    texts: tuple[str, ...]
    repairs: tuple[Notice, ...]


def _paragraphs(article: _Article) -> _Paragraphs:
    layout, wrap = _layout(article)
    groups: list[list[str]] = []
    repairs: list[Notice] = []
    previous: _Line | None = None
    previous_heading = False
    for chunk in article.chunks:
        full = wrap is not None and _width(chunk.text) >= wrap - WRAP_SLACK
        heading = not full and is_subheading(chunk.text)
        if previous is None or heading or previous_heading:
            starts = True
        elif layout == INDENTED:
            starts = chunk.indented
        elif layout == WRAPPED:
            starts = _width(previous.text) < wrap - WRAP_SLACK and ends_paragraph(previous.text)
        else:
            starts = ends_paragraph(previous.text)
        if starts:
            groups.append([chunk.text])
        else:
            groups[-1].append(chunk.text)
            if chunk.number - previous.number > 1:
                repairs.append(
                    Notice(
                        f"第 {previous.number} 行在句中断开（分页），已与第 {chunk.number} 行合并为一段。",
                        previous.number,
                    )
                )
        previous, previous_heading = chunk, heading
    return _Paragraphs(tuple(_glue_all(group) for group in groups), tuple(repairs))


# ---------------------------------------------------------------------------- the parser


def number_in_file_name(name: str) -> int | None:
    """The issue number a file name carries (2021-202.txt, 202.txt, 第202期.txt, 2021年第3期（总第202期）.txt)."""
    stem = PurePath(name).stem
    period = parse_period(stem)
    if period is not None:
        return period[1]
    try:
        if parse_date(stem.replace("_", "-")) is not None:
            return None
    except LegacyFormatError:
        return None
    match = FILE_NUMBER.match(_nfkc(stem))
    if match is None or (match.group(1).startswith(("19", "20")) and len(match.group(1)) == 4):
        return None  # no number, or only a year
    return int(match.group(1))


def _read(source: bytes | str, max_bytes: int) -> tuple[str, str]:
    size = len(source.encode("utf-8", "surrogatepass")) if isinstance(source, str) else len(source)
    if size > max_bytes:
        raise LegacyFormatError(f"文件过大：{size / 1024 / 1024:.1f} MB，上限是 {max_bytes / 1024 / 1024:.1f} MB。")
    if isinstance(source, str):
        text, encoding = source.removeprefix("\ufeff"), "文本"
    else:
        if not source.strip():
            raise LegacyFormatError("文件是空的。")
        text, encoding = decode(source)
    text = text.rstrip("\x1a")
    if not text.strip():
        raise LegacyFormatError("文件是空的。")
    if "\x00" in text:
        raise LegacyFormatError("文本中含有空字符（NUL），不是可导入的文本。")
    return text, encoding


def parse_issues(
    source: bytes | str,
    *,
    catalogue: RegionCatalogue | None = None,
    known_sections: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str = "",
) -> tuple[ParsedIssue, ...]:
    """Parse one legacy file: its issue, or its issues when it holds several. Raises LegacyFormatError."""
    text, encoding = _read(source, max_bytes)
    lines = _lines(text)
    if not any(line.key in TOC_KEYS for line in lines):
        raise LegacyFormatError("找不到目录：文件中没有“目 录”一行，不像是一期要讯。")
    known = {key(section) for section in known_sections}
    starts = _issue_starts(lines)
    issues = tuple(
        _parse_issue(lines[start:end], known=known, catalogue=catalogue, encoding=encoding)
        for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)
    )
    numbers: dict[int, ParsedIssue] = {}
    for issue in issues:
        if issue.meta.number in numbers:
            raise LegacyFormatError(
                f"文件中第 {numbers[issue.meta.number].line} 行和第 {issue.line} 行起是同一期（第 {issue.meta.number} 期）"
                "的两份报头，无法判断以哪一份为准。",
                line=issue.line,
            )
        numbers[issue.meta.number] = issue
    return tuple(_with_file_notices(issue, issues, name) for issue in issues)


def parse_legacy(
    source: bytes | str,
    *,
    catalogue: RegionCatalogue | None = None,
    known_sections: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str = "",
) -> ParsedIssue:
    """Parse a legacy file holding exactly one issue. Raises LegacyFormatError with a one-line Chinese reason."""
    issues = parse_issues(source, catalogue=catalogue, known_sections=known_sections, max_bytes=max_bytes, name=name)
    if len(issues) > 1:
        raise LegacyFormatError(
            f"文件中有 {len(issues)} 期（{_list_issues(issues)}），这里一次只能读一期。", line=issues[1].line
        )
    return issues[0]


def _list_issues(issues: Sequence[ParsedIssue]) -> str:
    return "、".join(f"第 {issue.meta.number} 期（第 {issue.line} 行起）" for issue in issues)


def _with_file_notices(issue: ParsedIssue, issues: Sequence[ParsedIssue], name: str) -> ParsedIssue:
    """The issue with the notices only the whole file can give: several issues, a number in the file name."""
    warnings = []
    if len(issues) > 1:
        warnings.append(Notice(f"文件中有 {len(issues)} 期：{_list_issues(issues)}，将分别导入为 {len(issues)} 期。"))
    named = number_in_file_name(name) if name else None
    if named is not None and named not in {other.meta.number for other in issues}:
        warnings.append(
            Notice(f"文件名“{PurePath(name).name}”中的期号是 {named}，报头是第 {issue.meta.number} 期：按报头导入。")
        )
    return replace(issue, warnings=(*warnings, *issue.warnings)) if warnings else issue


def _parse_issue(
    lines: Sequence[_Line], *, known: set[str], catalogue: RegionCatalogue | None, encoding: str
) -> ParsedIssue:
    toc_at = next(index for index, line in enumerate(lines) if line.key in TOC_KEYS)
    masthead = _read_masthead([line for line in lines[:toc_at] if not line.furniture])
    after_toc = lines[toc_at + 1 :]
    toc = _read_toc(after_toc, known, masthead)
    body_lines = after_toc[toc.body_at :]
    trailer = _split_distribution(body_lines)
    text_lines = [line for line in trailer.body if not line.furniture]
    if not text_lines:
        raise LegacyFormatError("目录之后没有正文。", line=lines[-1].number)
    section_keys = {key(name) for name in toc.sections} | known
    body = _read_body(text_lines, toc.entries, section_keys, masthead)
    empty = [article for article in body.articles if not article.chunks]
    if empty:
        raise LegacyFormatError(f"文章“{empty[0].title}”只有标题，没有正文。", line=empty[0].line)

    warnings = [*masthead.warnings, *toc.warnings, *body.warnings, *_check_pages([a.entry for a in body.articles])]
    repairs = [*masthead.repairs, *toc.repairs, *trailer.repairs, *body.repairs]
    sections: dict[str, list[ParsedArticle]] = {name: [] for name in toc.sections}
    for article in body.articles:
        paragraphs = _paragraphs(article)
        repairs += paragraphs.repairs
        texts = paragraphs.texts
        if any("\ufffd" in paragraph for paragraph in texts):
            warnings.append(Notice(f"文章“{article.title}”中有乱码字符（�），原文可能已损坏。", article.line))
        last = texts[-1]
        if not ends_paragraph(last) and not is_subheading(last):
            warnings.append(
                Notice(
                    f"文章“{article.title}”的最后一段没有以句末标点结尾，请检查是否缺字。", article.chunks[-1].number
                )
            )
        regions = detect_regions(title=article.title, body=texts[0], catalogue=catalogue) if catalogue else ()
        sections[article.entry.section].append(
            ParsedArticle(
                title=article.title,
                section=article.entry.section,
                paragraphs=texts,
                page=article.entry.page,
                regions=regions,
                line=article.line,
            )
        )
    return ParsedIssue(
        meta=masthead.meta,
        sections=tuple(ParsedSection(name, tuple(articles)) for name, articles in sections.items() if articles),
        encoding=encoding,
        warnings=tuple(warnings),
        repairs=tuple(repairs),
        distribution="\n".join([*masthead.record, *trailer.record]),
        line=lines[0].number,
    )
