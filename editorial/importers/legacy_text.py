"""The legacy plain-text issue format, and a pure parser for it.

Past issues exist as text extracted from Word or PDF, like
``shared/samples/legacy/2020-193.txt``. A file reads, top to bottom:

1. **Masthead** — before the line "目 录": the publication title (长三角每周要讯), the
   period line (``2020 年第 193 期``; ``总第 N 期`` wins when both appear), the issuing
   office, and the date (``2020 年 10 月 30 日``, ``2020-10-30`` or 二〇二〇年十月三十日),
   in any order after the title. Full-width digits and spaces are fine.
2. **Table of contents** — section names, each followed by its entries. An entry is a
   title and a printed page number (``- 标题 5``, ``· 标题……5``, ``标题　5``); the
   bullet is optional, the page number too. An entry whose title wrapped onto a second
   line before its page number is joined. A line without a bullet or page number is a
   section name when it is a known section or short (at most eight characters).
3. **Body** — starts at the first line that repeats a TOC title (or a section name).
   Each article is its title on its own line, then its paragraphs. Titles are matched
   to the TOC after NFKC normalisation with all whitespace removed (长三角(上海) =
   长三角（上海）, “拼单” 培养 = “拼单”培养); the body's spelling is the one kept. A title
   may wrap over up to three lines. Section headings in the body are optional (the
   first section usually has none); a heading is recognised only right before a title.

Paragraphs. Every line break is a possible paragraph end. When the body indents its
paragraphs (most articles' first lines start with two spaces, a tab or an ideographic
space, while titles do not), an indented line starts a paragraph and any other line
continues the previous one. Otherwise a paragraph ends where its text ends in
sentence-final punctuation (。！？…；：and their ASCII forms, before closing quotes
and brackets); a line that ends mid-sentence — the page ended there — is joined to
the next one, across the blank line. Joined lines are glued without a space, except
between two Latin letters (a word wrapped at its space).

Page furniture is dropped wherever it appears: form feeds, page-number lines
(``— 5 —``, ``- 5 -``, ``5``, ``第 5 页``, ``5/20``) and running heads that repeat a
masthead line.

Encodings, tried in this order: a byte-order mark (UTF-32 before UTF-16, then UTF-8),
strict UTF-8, strict GB18030 (which covers GBK and GB2312). A result containing NUL
is refused (BOM-less UTF-16 "decodes" as either), as is one that is mostly control
characters. LF, CRLF and CR line endings are all accepted.

The parser never touches the database: sections come out as names and regions as
slugs of the catalogue it is given. It raises `LegacyFormatError` (a one-line Chinese
reason, with the line number when there is one) or returns a `ParsedIssue` whose
`warnings` need an editor's eye and whose `repairs` list what was fixed on the way.
"""

import codecs
import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .regions import RegionCatalogue, detect_regions

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_SECTION = "综合"
SHORT_SECTION_NAME = 8

# Marks that may end a paragraph, and the closers that may follow them (。” ！）).
PARAGRAPH_END = "。！？!?…；;：:."
CLOSERS = "”’」』）)】〕》〉>\"'"
BULLETS = "-·•●○◆◇■□▪▫*–—―・‧"
LINE_BREAKS = re.compile(r"[\f\v\x1c\x1d\x1e\x85\u2028\u2029]")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
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

FURNITURE = [
    re.compile(r"^[-—–―─]+\s*\d{1,4}\s*[-—–―─]+$"),
    re.compile(r"^\d{1,4}$"),
    re.compile(r"^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
]
MAX_FURNITURE_LENGTH = 24
# Full-width digits and U+3000 match \d and \s; int() reads full-width digits.
TOC_PAGE = re.compile(r"^(?P<title>.*?\S)(?:\s*[.．·・…‥_\-－—]{2,}\s*|\s+)(?P<page>\d{1,3})$")
PERIOD_TOTAL = re.compile(r"总第(\d+)期")
PERIOD = re.compile(r"(?:(\d{4})年)?第(\d+)期")
DATE_CJK = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DATE_NUMERIC = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
DATE_HANZI = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
HANZI_DIGITS = {
    char: digit
    for digit, chars in enumerate(["〇零", "一", "二", "三", "四", "五", "六", "七", "八", "九"])
    for char in chars
}


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
    """A whole parsed file: masthead, sections with their articles in TOC order, and notices."""

    meta: IssueMeta
    sections: tuple[ParsedSection, ...]
    encoding: str = "文本"
    warnings: tuple[Notice, ...] = ()
    repairs: tuple[Notice, ...] = ()

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
    try:
        return _refuse_binary(data.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return _refuse_binary(data.decode("gb18030")), "GB18030"
    except UnicodeDecodeError as exc:
        raise LegacyFormatError(
            "无法识别文件编码：既不是 UTF-8，也不是 GB18030/GBK，可能不是文本文件。请另存为 UTF-8 后再导入。"
        ) from exc


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
    key: str = field(compare=False)
    furniture: bool = field(compare=False, default=False)


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with their line numbers; a form feed splits a line but keeps its number."""
    lines = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(text.split("\n"), start=1):
        for segment in LINE_BREAKS.split(raw):
            segment = CONTROLS_BUT_TAB.sub("", segment).translate(INVISIBLE)
            stripped = segment.strip()
            if stripped:
                indented = segment[:1] in ("\t", "\u3000") or segment.startswith("  ")
                lines.append(_Line(number, stripped, indented, key(stripped), is_furniture(stripped)))
    return lines


def key(text: str) -> str:
    """The form titles are compared in: NFKC, no whitespace, no invisible characters, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text.translate(INVISIBLE)).split()).casefold()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_furniture(text: str) -> bool:
    """Whether a line is a page number or page marker rather than text."""
    if len(text) > MAX_FURNITURE_LENGTH:
        return False
    normalised = _nfkc(text)
    return any(pattern.match(normalised) for pattern in FURNITURE)


def ends_paragraph(text: str) -> bool:
    """Whether `text` ends in sentence-final punctuation (closing quotes and brackets skipped)."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in PARAGRAPH_END


def glue(left: str, right: str) -> str:
    """Join two pieces of one paragraph: directly, or with a space between two Latin letters."""
    if left[-1:].isascii() and left[-1:].isalpha() and right[:1].isascii() and right[:1].isalpha():
        return f"{left} {right}"
    return left + right


# ---------------------------------------------------------------------------- masthead


def _hanzi_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (HANZI_DIGITS[tens] if tens else 1) * 10 + (HANZI_DIGITS[ones] if ones else 0)
    return int("".join(str(HANZI_DIGITS[char]) for char in text))


def parse_date(text: str) -> datetime.date | None:
    """The date written in `text` (2020 年 10 月 30 日, 2020-10-30, 二〇二〇年十月三十日), if any.

    Raises LegacyFormatError for a date that does not exist (2020 年 2 月 30 日).
    """
    compact = key(text)
    match = DATE_CJK.search(compact) or DATE_NUMERIC.search(compact)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = DATE_HANZI.search(compact)
        if not match:
            return None
        year, month, day = (_hanzi_number(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise LegacyFormatError(f"日期“{text}”不存在。") from exc


def parse_period(text: str) -> tuple[int | None, int] | None:
    """(year or None, issue number) from a period line: 2020 年第 193 期, 第193期, 总第193期."""
    compact = key(text)
    total = PERIOD_TOTAL.search(compact)
    match = PERIOD.search(compact)
    if not match and not total:
        return None
    year = int(match.group(1)) if match and match.group(1) else None
    return year, int(total.group(1) if total else match.group(2))


def _parse_masthead(lines: list[_Line], warnings: list[Notice]) -> IssueMeta:
    title = office = ""
    number = date = year = None
    for line in lines:
        period = parse_period(line.text)
        if period is not None:
            if number is None or "总第" in key(line.text):
                year, number = period[0] or year, period[1]
            if period_date := parse_date(line.text):
                date = date or period_date
            continue
        line_date = parse_date(line.text)
        if line_date is not None and date is None:
            date = line_date
        elif not title:
            title = line.text
        elif not office:
            office = line.text
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
    return IssueMeta(title=title, number=number, date=date, office=office)


# ---------------------------------------------------------------------------- table of contents


@dataclass
class _Entry:
    title: str
    raw: str
    section: str
    line: int
    page: int | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        if self.page is None:
            return (key(self.title),)
        return (key(self.title), key(self.raw))


def _split_page(text: str) -> tuple[str, int | None]:
    match = TOC_PAGE.match(text.strip())
    if match and int(match.group("page")) >= 1:
        return match.group("title").strip(), int(match.group("page"))
    return text, None


def _strip_bullet(text: str) -> tuple[str, bool]:
    if _nfkc(text[:1]) in BULLETS and len(text) > 1 and not is_furniture(text):
        return text[1:].strip(), True
    return text, False


def _looks_like_section(text: str, known: set[str]) -> bool:
    compact = key(text)
    return compact in known or (
        len(compact) <= SHORT_SECTION_NAME and not any(c in PARAGRAPH_END + "，," for c in compact)
    )


def _parse_toc(
    lines: list[_Line], known_sections: set[str], warnings: list[Notice], repairs: list[Notice]
) -> tuple[list[_Entry], list[str], int]:
    """TOC entries and section names in order, and the index of the first body line."""
    entries: list[_Entry] = []
    sections: list[str] = []
    section_keys: set[str] = set()
    entry_keys = _TitleIndex()
    pending: _Entry | None = None
    current = None
    index = 0

    def finish_pending():
        nonlocal pending
        if pending is not None:
            entries.append(pending)
            entry_keys.add_all(pending.keys)
            pending = None

    for index, line in enumerate(lines):
        if entries or pending:
            if _starts_title(lines, index, entry_keys) or (line.key in section_keys and entries):
                break
            if ends_paragraph(line.text) and not _split_page(line.text)[1]:
                break
        if line.furniture:
            if pending is not None and re.fullmatch(r"\d{1,3}", _nfkc(line.text)):
                pending.page = int(_nfkc(line.text))
                finish_pending()
            continue
        text, bulleted = _strip_bullet(line.text)
        title, page = _split_page(text)
        if page is None and not bulleted and _looks_like_section(text, known_sections):
            finish_pending()
            current = text
            sections.append(text)
            section_keys.add(line.key)
            continue
        if current is None:
            current = DEFAULT_SECTION
            sections.append(current)
            section_keys.add(key(current))
            warnings.append(Notice(f"目录开头的文章没有栏目名称，已归入“{DEFAULT_SECTION}”栏目。", line.number))
        if pending is not None and page is not None and not bulleted:
            pending.raw = f"{pending.raw}{text}"
            pending.title = glue(pending.title, title)
            pending.page = page
            repairs.append(Notice(f"目录条目跨两行，已合并为“{pending.title}”。", pending.line))
            finish_pending()
            continue
        finish_pending()
        entry = _Entry(title=title, raw=text, section=current, line=line.number, page=page)
        if page is None:
            pending = entry
        else:
            entries.append(entry)
            entry_keys.add_all(entry.keys)
    else:
        index = len(lines)
    finish_pending()
    if not entries:
        first = lines[0].number if lines else None
        raise LegacyFormatError("目录是空的：“目 录”之后找不到任何文章标题。", line=first)
    filled = {entry.section for entry in entries}
    for name in sections:
        if name not in filled:
            warnings.append(
                Notice(f"目录中的“{name}”下面没有文章；如果它其实是一篇文章的标题，请在目录中给它加上页码或项目符号。")
            )
    return entries, sections, index


# ---------------------------------------------------------------------------- body


@dataclass
class _Article:
    entry: _Entry
    title: str
    line: int
    title_indented: bool
    chunks: list[_Line] = field(default_factory=list)


class _TitleIndex:
    """Title keys with what each stands for, and every prefix of them, for matching titles over lines."""

    def __init__(self):
        self.entries: dict[str, list] = {}
        self.prefixes: set[str] = set()

    def add(self, title_key: str, value=None) -> None:
        self.entries.setdefault(title_key, []).append(value)
        self.prefixes.update(title_key[:end] for end in range(1, len(title_key)))

    def add_all(self, title_keys) -> None:
        for title_key in title_keys:
            self.add(title_key)


def _starts_title(lines: list[_Line], index: int, titles: _TitleIndex) -> bool:
    """Whether the line at `index`, alone or joined with the next one or two, is one of the titles."""
    compact = ""
    for line in lines[index : index + 3]:
        compact += line.key
        if compact in titles.entries:
            return True
        if compact not in titles.prefixes:
            return False
    return False


def _claim(
    lines: list[_Line], index: int, titles: _TitleIndex, claimed: set[int], *, take: bool
) -> tuple[int, int, bool] | None:
    """(entry index, line count, matched with the page number as part of the title) for a title at `index`."""
    compact = ""
    for count, line in enumerate(lines[index : index + 3], start=1):
        compact += line.key
        for entry_index, page_in_title in titles.entries.get(compact, ()):
            if entry_index not in claimed:
                if take:
                    claimed.add(entry_index)
                return entry_index, count, page_in_title
        if compact not in titles.prefixes:
            return None
    return None


def _parse_body(
    lines: list[_Line],
    entries: list[_Entry],
    section_keys: set[str],
    masthead_keys: set[str],
    warnings: list[Notice],
    repairs: list[Notice],
) -> list[_Article | None]:
    by_key = _TitleIndex()
    for entry_index, entry in enumerate(entries):
        by_key.add(key(entry.title), (entry_index, False))
        if entry.page is not None:
            # A pageless TOC may end a title with a number (深圳出台措施 19): the body tells.
            by_key.add(key(entry.raw), (entry_index, True))
    claimed: set[int] = set()
    articles: list[_Article | None] = [None] * len(entries)
    current: _Article | None = None
    stray: list[_Line] = []
    out_of_order_reported = False
    last_claimed = -1
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _claim(lines, index, by_key, claimed, take=True)
        if match is not None:
            entry_index, count, page_in_title = match
            entry = entries[entry_index]
            if page_in_title:
                entry.page = None
            title_lines = lines[index : index + count]
            title = title_lines[0].text
            for more in title_lines[1:]:
                title = glue(title, more.text)
            if count > 1:
                repairs.append(Notice(f"正文标题跨 {count} 行，已合并为“{title}”。", line.number))
            if entry.raw != title and entry.title != title:
                repairs.append(Notice(f"目录标题“{entry.title}”与正文写法不同，采用正文的“{title}”。", line.number))
            if entry_index < last_claimed and not out_of_order_reported:
                warnings.append(Notice("正文中文章的先后顺序与目录不同，已按目录顺序排列。", line.number))
                out_of_order_reported = True
            last_claimed = max(last_claimed, entry_index)
            current = _Article(entry=entry, title=title, line=line.number, title_indented=line.indented)
            articles[entry_index] = current
            index += count
            continue
        if line.key in section_keys and index + 1 < len(lines):
            upcoming = _claim(lines, index + 1, by_key, claimed, take=False)
            if upcoming is not None:
                section = entries[upcoming[0]].section
                if key(section) != line.key:
                    warnings.append(
                        Notice(f"正文中的栏目标题“{line.text}”与目录不一致（目录中此文属于“{section}”）。", line.number)
                    )
                index += 1
                continue
        if line.key in masthead_keys:
            repairs.append(Notice(f"删除了重复的报头文字“{line.text}”（页眉）。", line.number))
            index += 1
            continue
        if current is None:
            stray.append(line)
        else:
            current.chunks.append(line)
        index += 1
    if stray:
        raise LegacyFormatError(
            f"目录之后、第一篇文章之前有 {len(stray)} 行文字无法归入任何文章（如“{_excerpt(stray[0].text)}”）。"
            "请把它们并入某篇文章或删去后再导入。",
            line=stray[0].number,
        )
    return articles


def _check_pages(entries: list[_Entry], warnings: list[Notice]) -> None:
    """Warn about TOC entries without a page when others have one, and pages going backwards."""
    if any(entry.page is not None for entry in entries):
        for entry in entries:
            if entry.page is None:
                warnings.append(Notice(f"目录条目“{entry.title}”没有页码。", entry.line))
    previous = None
    for entry in entries:
        if entry.page is not None:
            if previous is not None and entry.page < previous:
                warnings.append(Notice(f"目录页码 {entry.page} 小于上一条的 {previous}。", entry.line))
            previous = entry.page


def _excerpt(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[:length] + "…"


def _uses_indentation(articles: list[_Article]) -> bool:
    """Whether paragraphs are marked by indenting their first line (and titles are not indented)."""
    with_text = [article for article in articles if article.chunks]
    if not with_text:
        return False
    indented_starts = sum(1 for article in with_text if article.chunks[0].indented)
    indented_titles = sum(1 for article in with_text if article.title_indented)
    return indented_starts * 2 > len(with_text) and indented_titles * 2 <= len(with_text)


def _paragraphs(article: _Article, *, by_indent: bool, repairs: list[Notice]) -> list[str]:
    paragraphs: list[str] = []
    previous: _Line | None = None
    for chunk in article.chunks:
        if previous is None:
            starts_paragraph = True
        elif by_indent:
            starts_paragraph = chunk.indented
        else:
            starts_paragraph = ends_paragraph(paragraphs[-1])
        if starts_paragraph:
            paragraphs.append(chunk.text)
        else:
            paragraphs[-1] = glue(paragraphs[-1], chunk.text)
            if chunk.number - previous.number > 1:
                repairs.append(
                    Notice(
                        f"第 {previous.number} 行在句中断开（分页），已与第 {chunk.number} 行合并为一段。",
                        previous.number,
                    )
                )
        previous = chunk
    return paragraphs


# ---------------------------------------------------------------------------- the parser


def parse_legacy(
    source: bytes | str,
    *,
    catalogue: RegionCatalogue | None = None,
    known_sections: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedIssue:
    """Parse one legacy issue. Raises LegacyFormatError with a one-line Chinese reason."""
    if isinstance(source, str):
        size = len(source.encode("utf-8", "surrogatepass"))
        text, encoding = source.removeprefix("\ufeff"), "文本"
    else:
        size = len(source)
    if size > max_bytes:
        raise LegacyFormatError(f"文件过大：{size / 1024 / 1024:.1f} MB，上限是 {max_bytes / 1024 / 1024:.1f} MB。")
    if not isinstance(source, str):
        if not source.strip():
            raise LegacyFormatError("文件是空的。")
        text, encoding = decode(source)
    text = text.rstrip("\x1a")
    if not text.strip():
        raise LegacyFormatError("文件是空的。")
    if "\x00" in text:
        raise LegacyFormatError("文本中含有空字符（NUL），不是可导入的文本。")

    warnings: list[Notice] = []
    repairs: list[Notice] = []
    lines = _lines(text)
    toc_at = next((index for index, line in enumerate(lines) if line.key == "目录"), None)
    if toc_at is None:
        raise LegacyFormatError("找不到目录：文件中没有“目 录”一行，不像是一期要讯。")
    masthead_lines = [line for line in lines[:toc_at] if not line.furniture]
    meta = _parse_masthead(masthead_lines, warnings)

    known = {key(name) for name in known_sections}
    entries, section_names, body_at = _parse_toc(lines[toc_at + 1 :], known, warnings, repairs)
    body_lines = [line for line in lines[toc_at + 1 + body_at :] if not line.furniture]
    if not body_lines:
        raise LegacyFormatError("目录之后没有正文。", line=lines[-1].number)
    section_keys = {key(name) for name in section_names} | known
    masthead_keys = {line.key for line in masthead_lines}
    found = _parse_body(body_lines, entries, section_keys, masthead_keys, warnings, repairs)

    missing = [entry for entry, article in zip(entries, found, strict=True) if article is None]
    if missing:
        titles = "、".join(f"“{entry.title}”" for entry in missing[:5])
        more = f"等 {len(missing)} 篇" if len(missing) > 5 else f"共 {len(missing)} 篇"
        raise LegacyFormatError(f"目录中的文章在正文里找不到：{titles}（{more}）。", line=missing[0].line)
    _check_pages(entries, warnings)
    empty = [article for article in found if not article.chunks]
    if empty:
        raise LegacyFormatError(f"文章“{empty[0].title}”只有标题，没有正文。", line=empty[0].line)

    by_indent = _uses_indentation(found)
    sections: dict[str, list[ParsedArticle]] = {name: [] for name in section_names}
    for article in found:
        paragraphs = _paragraphs(article, by_indent=by_indent, repairs=repairs)
        if any("\ufffd" in paragraph for paragraph in paragraphs):
            warnings.append(Notice(f"文章“{article.title}”中有乱码字符（�），原文可能已损坏。", article.line))
        last = paragraphs[-1]
        if not ends_paragraph(last) and not (last[:1] in "（(【[" and last[-1:] in "）)】]"):
            warnings.append(
                Notice(
                    f"文章“{article.title}”的最后一段没有以句末标点结尾，请检查是否缺字。", article.chunks[-1].number
                )
            )
        regions = detect_regions(title=article.title, body=paragraphs[0], catalogue=catalogue) if catalogue else ()
        sections[article.entry.section].append(
            ParsedArticle(
                title=article.title,
                section=article.entry.section,
                paragraphs=tuple(paragraphs),
                page=article.entry.page,
                regions=regions,
                line=article.line,
            )
        )
    return ParsedIssue(
        meta=meta,
        sections=tuple(ParsedSection(name, tuple(articles)) for name, articles in sections.items() if articles),
        encoding=encoding,
        warnings=tuple(warnings),
        repairs=tuple(repairs),
    )
