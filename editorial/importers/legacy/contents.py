"""The table of contents: the lines after "目 录", read into sections and entries, and where the body begins.

A TOC line is taken apart (bullet, title, page, leaders) and the lines are grouped into
section names and entries — a title may wrap over up to three lines, and in a TOC without
pages only the body can tell which lines belong together, so the body's lines are read
here as evidence (never as articles). The TOC ends at the first line that repeats one of
its titles or section names. `check_pages` words the warnings about the entries' pages.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...text import normalise_for_match
from .furniture import RunningHeads, is_furniture, is_running_head
from .lines import Line
from .punctuation import PARAGRAPH_END, ends_statement, excerpt, glue_all, pattern_form
from .values import LegacyFormatError, Notice

TOC_KEYS = {"目录", "本期目录", "目次"}
DEFAULT_SECTION = "综合"
SHORT_SECTION_NAME = 8
# Longer than any title (the database takes 200 characters, and says so when saving): a longer TOC line is no title.
MAX_TITLE = 300
MAX_TITLE_LINES = 3
BULLETS = "-·•●○◆◇■□▪▫*–—―・‧"
LEADERS = ".．·•・…‥⋯_＿-－—–―~～"
SPACES = " \t\u3000\u00a0"
# A TOC entry's page, at the end of the line (searched in its last characters only).
PAGE_TAIL = 24
TOC_PAGE = re.compile(
    r"(?:第\s{0,3}(?P<nth>\d{1,3})\s{0,3}页"
    r"|[(（]\s{0,3}(?P<bracketed>\d{1,3})\s{0,3}[)）]"
    r"|(?<![A-Za-zＡ-Ｚａ-ｚ])[PpＰｐ][.．]?\s{0,3}(?P<prefixed>\d{1,3})"
    r"|(?<!\d)(?P<bare>\d{1,3}))$"
)
UNREADABLE_PAGE = re.compile(r"(?:[.．·•・…‥⋯_＿]{3,12}\S{0,4}|[.．·•・…‥⋯_＿]{2,12}|第\D{1,4}页)$")


@dataclass(frozen=True)
class _TocLine:
    """One line of the TOC taken apart."""

    line: Line
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
class Entry:
    """One TOC entry: its title (and with the page it ended in), section, line, page and match keys."""

    title: str
    raw: str  # the title with the page number the TOC line ended in
    section: str
    line: int
    page: int | None
    title_key: str
    raw_key: str


@dataclass(frozen=True)
class Toc:
    """The TOC's entries and section names in order, where the body begins (an index of the lines), and notices."""

    entries: tuple[Entry, ...]
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
    if pattern_form(text[:1]) in BULLETS and len(text) > 1 and not is_furniture(text):
        return text[1:].strip(), True
    return text, False


def _toc_line(line: Line) -> _TocLine:
    text, bulleted = _strip_bullet(line.text)
    title, page = split_page(text)
    if len(title) > MAX_TITLE:
        raise LegacyFormatError(
            f"目录中这一行有 {len(title)} 个字，太长，不像文章标题（“{excerpt(title)}”）。"
            "如果目录到此已经结束，请检查正文第一篇文章的标题是否与目录一致。",
            line=line.number,
        )
    dangling = page is None and _unreadable_page(text)
    bullet_key = normalise_for_match(line.text[:1]) if bulleted else ""
    # The line's key is its bullet's and its text's, one after the other: no need to normalise the text again.
    text_key = line.key[len(bullet_key) :] if line.key.startswith(bullet_key) else normalise_for_match(text)
    title_key = normalise_for_match(title) if page else text_key
    return _TocLine(line, text, title, page, bulleted, dangling, text_key, title_key)


def _joins(keys: Sequence[str], start: int, limit: int = MAX_TITLE_LINES) -> list[str]:
    """The keys of keys[start], keys[start:start+2], … (up to `limit` lines, titles' length at most)."""
    joined, found = "", []
    for part in keys[start : start + limit]:
        joined += part
        if len(joined) > MAX_TITLE:
            break
        found.append(joined)
    return found


def read_toc(lines: Sequence[Line], known: set[str], heads: RunningHeads) -> Toc:
    """TOC entries and section names in order, and the index of the first body line."""
    items: list[_TocLine] = []
    pages_after: dict[int, int] = {}  # a page number on a line of its own, after the item at that position
    seen: set[str] = set()
    body_at = len(lines)
    ended_by_text = False
    for index, line in enumerate(lines):
        if line.furniture:
            if items and re.fullmatch(r"\d{1,3}", pattern_form(line.text)):
                pages_after[len(items) - 1] = int(pattern_form(line.text))
            continue
        if not _strip_bullet(line.text)[1] and is_running_head(line.key, heads, whole_lines=False):
            continue
        if items and _repeats(lines, index, seen):
            body_at = index
            break
        if items and ends_statement(line.text) and split_page(line.text)[1] is None:
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


def _repeats(lines: Sequence[Line], index: int, seen: set[str]) -> bool:
    """Whether the line at `index`, alone or joined with the next one or two, repeats a TOC line or title."""
    following = [line.key for line in lines[index : index + MAX_TITLE_LINES * 2] if not line.furniture]
    return any(joined in seen for joined in _joins(following, 0))


@dataclass(frozen=True)
class _BodyEvidence:
    """What the body says about the TOC: its lines (one to three joined), and short lines it uses as titles."""

    joined: frozenset[str]
    short_titles: frozenset[str]

    @classmethod
    def of(cls, body: Sequence[Line], seen: set[str]) -> "_BodyEvidence":
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
) -> Toc:
    """Sections and entries from the TOC's lines, with the body's titles telling where a wrapped title ends."""
    paged = any(item.page is not None for item in items)
    if not paged:
        pages_after = {}  # in a TOC without pages a number on its own line is the page footer
    entries: list[Entry] = []
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
                f"读不出这条目录的页码：“{excerpt(parts[-1].text, 30)}”。"
                "页码应是阿拉伯数字，如“标题……5”“标题 第5页”“标题（5）”。",
                line=parts[-1].line.number,
            )
        if current is None:
            current = DEFAULT_SECTION
            sections.append(current)
            warnings.append(Notice(f"目录开头的文章没有栏目名称，已归入“{DEFAULT_SECTION}”栏目。", item.line.number))
        last = position + count - 1
        page = parts[-1].page if parts[-1].page is not None else pages_after.get(last)
        title = glue_all([part.title if part is parts[-1] else part.text for part in parts])
        raw = glue_all([part.text for part in parts])
        if count > 1:
            repairs.append(Notice(f"目录条目跨 {count} 行，已合并为“{title}”。", item.line.number))
        head_key = "".join(part.text_key for part in parts[:-1])
        entries.append(
            Entry(
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
    return Toc(tuple(entries), tuple(sections), body_at, tuple(warnings), tuple(repairs))


def _title_lines(items: list[_TocLine], position: int, in_body: frozenset[str], pages_after: dict[int, int]) -> int:
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


def check_pages(entries: Sequence[Entry]) -> tuple[Notice, ...]:
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
