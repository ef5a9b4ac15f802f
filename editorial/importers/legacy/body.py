"""The body: its lines cut into articles, each claimed by the TOC entry whose title it repeats.

An article starts at a line (or two or three joined) whose match key is an unclaimed TOC
title; section headings are passed over when a title follows, running heads are dropped,
and every other line belongs to the article before it. Text before the first title, or a TOC
entry the body never repeats, is refused naming its line: nothing is guessed. Paragraphs
are not decided here — each article's lines go on to the paragraphs phase as they are.
"""

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ...text import normalise_for_match
from .contents import MAX_TITLE_LINES, Entry
from .furniture import RunningHeads, is_running_head
from .lines import Line
from .punctuation import excerpt, glue_all
from .values import LegacyFormatError, Notice


@dataclass(frozen=True)
class ArticleLines:
    """One article of the body: its TOC entry, its title as the body writes it, and its lines after the title."""

    entry: Entry
    title: str
    line: int
    title_indented: bool
    chunks: tuple[Line, ...]


@dataclass(frozen=True)
class Body:
    """The body's articles in TOC order, and notices."""

    articles: tuple[ArticleLines, ...]
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


def _claim(lines: Sequence[Line], index: int, titles: _TitleIndex, claimed: set[int]) -> tuple[int, int, bool] | None:
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


def read_body(lines: Sequence[Line], entries: Sequence[Entry], section_keys: set[str], heads: RunningHeads) -> Body:
    """The articles of the body's lines (furniture and the distribution record removed), in TOC order."""
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
    starts: dict[int, tuple[Entry, str, int, bool]] = {}
    chunks: dict[int, list[Line]] = {}
    warnings: list[Notice] = []
    repairs: list[Notice] = []
    current: int | None = None
    stray: list[Line] = []
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
            title = glue_all([part.text for part in lines[index : index + count]])
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
                if normalise_for_match(section) != line.key:
                    warnings.append(
                        Notice(f"正文中的栏目标题“{line.text}”与目录不一致（目录中此文属于“{section}”）。", line.number)
                    )
                index += 1
                continue
        if is_running_head(line.key, heads):
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
            f"{where}有 {len(stray)} 行文字不属于任何文章（从“{excerpt(stray[0].text)}”起）。"
            "如果这一行是文章标题，请检查它与目录中的写法是否一致；否则请删去或并入某篇文章后再导入。",
            line=stray[0].number,
        )
    missing = [entry for entry_index, entry in enumerate(entries) if entry_index not in starts]
    if missing:
        titles_missing = "、".join(f"“{entry.title}”" for entry in missing[:5])
        more = f"等 {len(missing)} 篇" if len(missing) > 5 else f"共 {len(missing)} 篇"
        raise LegacyFormatError(f"目录中的文章在正文里找不到：{titles_missing}（{more}）。", line=missing[0].line)
    articles = tuple(
        ArticleLines(entry=entry, title=title, line=number, title_indented=indented, chunks=tuple(chunks[entry_index]))
        for entry_index in range(len(entries))
        for entry, title, number, indented in [starts[entry_index]]
    )
    return Body(articles, tuple(warnings), tuple(repairs))
