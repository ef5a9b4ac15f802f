"""The parser's entry points: one file in, its issues out, each phase run once in order.

`parse_issues` reads the source (decoding), splits it into lines and into issues, and runs
each issue's phases — masthead, table of contents, distribution record, body, paragraphs —
each taking the previous one's value and returning its own frozen one; it then assembles the
`ParsedIssue` with every phase's notices in that order, and adds what only the whole file can
tell (two issues in it, a number in its name that differs). `parse_legacy` wants one issue.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath

from ...text import normalise_for_match
from ..regions import RegionCatalogue, detect_regions
from .body import ArticleLines, read_body
from .contents import TOC_KEYS, check_pages, read_toc
from .dates import parse_date, parse_period
from .decoding import DEFAULT_MAX_BYTES, read_source
from .distribution import split_distribution
from .lines import Line, split_lines
from .masthead import read_masthead
from .paragraphs import is_subheading, read_paragraphs
from .punctuation import ends_paragraph, pattern_form
from .splitting import issue_starts
from .values import LegacyFormatError, Notice, ParsedArticle, ParsedIssue, ParsedSection

FILE_NUMBER = re.compile(r"^(?:(?:19|20)\d{2}\s{0,3}[-_.年\s]\s{0,3})?(\d{1,4})$")


def parse_issues(
    source: bytes | str,
    *,
    catalogue: RegionCatalogue | None = None,
    known_sections: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str = "",
) -> tuple[ParsedIssue, ...]:
    """Parse one legacy file: its issue, or its issues when it holds several. Raises LegacyFormatError."""
    text, encoding = read_source(source, max_bytes)
    lines = split_lines(text)
    if not any(line.key in TOC_KEYS for line in lines):
        raise LegacyFormatError("找不到目录：文件中没有“目 录”一行，不像是一期要讯。")
    known = {normalise_for_match(section) for section in known_sections}
    starts = issue_starts(lines)
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
    match = FILE_NUMBER.match(pattern_form(stem))
    if match is None or (match.group(1).startswith(("19", "20")) and len(match.group(1)) == 4):
        return None  # no number, or only a year
    return int(match.group(1))


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
    lines: Sequence[Line], *, known: set[str], catalogue: RegionCatalogue | None, encoding: str
) -> ParsedIssue:
    toc_at = next(index for index, line in enumerate(lines) if line.key in TOC_KEYS)
    masthead = read_masthead([line for line in lines[:toc_at] if not line.furniture])
    after_toc = lines[toc_at + 1 :]
    toc = read_toc(after_toc, known, masthead.running_heads)
    trailer = split_distribution(after_toc[toc.body_at :])
    text_lines = [line for line in trailer.body if not line.furniture]
    if not text_lines:
        raise LegacyFormatError("目录之后没有正文。", line=lines[-1].number)
    section_keys = {normalise_for_match(name) for name in toc.sections} | known
    body = read_body(text_lines, toc.entries, section_keys, masthead.running_heads)
    empty = [article for article in body.articles if not article.chunks]
    if empty:
        raise LegacyFormatError(f"文章“{empty[0].title}”只有标题，没有正文。", line=empty[0].line)
    finished = [_finish(article, catalogue) for article in body.articles]
    sections: dict[str, list[ParsedArticle]] = {name: [] for name in toc.sections}
    for article in finished:
        sections[article.parsed.section].append(article.parsed)
    return ParsedIssue(
        meta=masthead.meta,
        sections=tuple(ParsedSection(name, tuple(articles)) for name, articles in sections.items() if articles),
        encoding=encoding,
        warnings=(
            *masthead.warnings,
            *toc.warnings,
            *body.warnings,
            *check_pages([article.entry for article in body.articles]),
            *(warning for article in finished for warning in article.warnings),
        ),
        repairs=(
            *masthead.repairs,
            *toc.repairs,
            *trailer.repairs,
            *body.repairs,
            *(repair for article in finished for repair in article.repairs),
        ),
        distribution="\n".join([*masthead.record, *trailer.record]),
        line=lines[0].number,
    )


@dataclass(frozen=True)
class _Finished:
    """One article as the parser hands it out, with the notices its paragraphs gave."""

    parsed: ParsedArticle
    warnings: tuple[Notice, ...]
    repairs: tuple[Notice, ...]


def _finish(article: ArticleLines, catalogue: RegionCatalogue | None) -> _Finished:
    """The article's paragraphs and regions, and warnings for garbled text or a last paragraph cut short."""
    paragraphs = read_paragraphs(article)
    texts = paragraphs.texts
    warnings = []
    if any("\ufffd" in paragraph for paragraph in texts):
        warnings.append(Notice(f"文章“{article.title}”中有乱码字符（�），原文可能已损坏。", article.line))
    last = texts[-1]
    if not ends_paragraph(last) and not is_subheading(last):
        warnings.append(
            Notice(f"文章“{article.title}”的最后一段没有以句末标点结尾，请检查是否缺字。", article.chunks[-1].number)
        )
    regions = detect_regions(title=article.title, body=texts[0], catalogue=catalogue) if catalogue else ()
    parsed = ParsedArticle(
        title=article.title,
        section=article.entry.section,
        paragraphs=texts,
        page=article.entry.page,
        regions=regions,
        line=article.line,
    )
    return _Finished(parsed, tuple(warnings), paragraphs.repairs)
