"""The backup's layout: its names, what it holds as plain values, and how a problem is reported."""

import datetime
from dataclasses import dataclass

# The identifier every backup written so far carries in its manifest (kept, so they stay readable).
FORMAT = "digest-cms-archive"
VERSION = 1
MANIFEST = "manifest.json"
ISSUES = "issues"
PUBLICATION_FIELDS = ("title", "office", "short_name", "report_to", "send_to", "distribute_to", "print_copies")
# Issues read per batch while exporting (three queries each for their contents).
EXPORT_BATCH = 100
MAX_PROBLEMS_SHOWN = 30


class BackupError(Exception):
    """The backup cannot be written or restored; `problems` says why, one line each, in Chinese."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        if len(self.problems) > len(shown):
            shown.append(f"……另有 {len(self.problems) - len(shown)} 处问题未列出。")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class SavedSection:
    name: str
    slug: str
    position: int
    is_standing: bool


@dataclass(frozen=True)
class SavedRegion:
    name: str
    slug: str
    kind: str
    parent: str | None
    aliases: str
    in_yangtze_delta: bool
    position: int


@dataclass(frozen=True)
class SavedArticle:
    section: str | None
    title: str
    page: int | None
    source: str
    regions: tuple[str, ...]  # slugs
    paragraphs: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class SavedIssue:
    number: int
    date: datetime.date
    status: str
    published_at: datetime.datetime | None
    scheduled_at: datetime.datetime | None
    distribution: str  # 报送记录 as printed (empty in backups written before it existed)
    section_order: tuple[str, ...]  # section names, the issue's own order
    articles: tuple[SavedArticle, ...]  # reading order


@dataclass(frozen=True)
class Backup:
    exported_at: str
    publication: dict
    sections: tuple[SavedSection, ...]
    regions: tuple[SavedRegion, ...]
    issues: tuple[SavedIssue, ...]
    pool: tuple[SavedArticle, ...]

    @property
    def article_count(self) -> int:
        return sum(len(issue.articles) for issue in self.issues)
