"""What the parser hands out: the frozen values of a parsed issue, its notices, and the one error it raises.

`ParsedIssue` (masthead, sections with their articles in TOC order, distribution record,
warnings and repairs) is the parser's whole result; `Notice` anchors a warning or a repair
to a line of the file; `LegacyFormatError` carries the one-line Chinese reason a file is
refused for, with its line number when there is one. No phase module defines a public value.
"""

import datetime
from dataclasses import dataclass


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
