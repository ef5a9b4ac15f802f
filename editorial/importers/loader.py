"""Saving a parsed legacy issue: one issue per transaction, all or nothing, never two copies.

- A new number creates the issue (published unless told otherwise, dated as printed),
  its sections in the TOC's order, and its articles with their detected regions —
  through `services.issues_create`, the door every writer uses (versions, history,
  stamps and logs as for any other write).
- An existing number changes nothing: the result says whether the stored issue
  already matches the file (`unchanged`) or not (`different`).
- With `update=True` an existing issue's articles are replaced in place: the issue row
  stays (its status too), articles whose title matches keep their row, URL, source
  and regions (regions may have been corrected by an editor; the file knows none),
  new titles are added with detected regions and titles gone from the file are deleted.
- Sections named in the TOC that do not exist yet are created as non-standing
  sections after the others, with a warning; editors can rename them later.
- Every import is logged as an `IssueTransition` and bumps `Issue.updated_at`, the
  stamp page and PDF caches key on; a form opened before an update is refused as stale.
- The issue's distribution record (报/送/印数/签发, printed after the last article) is
  stored on the issue as printed, and counts when comparing a file with a stored issue.
- A file holding two issues is saved by `load_file` in one transaction: both or neither.
"""

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from editorial import services
from editorial.models import Issue, IssueTransition, Publication, Section
from editorial.selectors import issue_table_of_contents
from editorial.text import normalise_for_match

from .legacy import DEFAULT_MAX_BYTES, LegacyFormatError, Notice, ParsedIssue, parse_issues, parse_legacy
from .regions import RegionCatalogue, catalogue_from_db


class Outcome(models.TextChoices):
    """What importing one file did (or, in a plan, would do)."""

    CREATED = "created", "已导入"
    UPDATED = "updated", "已更新"
    UNCHANGED = "unchanged", "已存在，内容相同，未改动"
    DIFFERENT = "different", "已存在，内容与文件不同，未改动（如需以文件替换，请使用“更新”）"


@dataclass
class ImportContext:
    """What every file of a batch needs from the database, read once."""

    publication: Publication
    catalogue: RegionCatalogue
    region_ids: dict[str, int]
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_db(cls) -> "ImportContext":
        from editorial.models import SourceRegion

        publication = Publication.objects.current()
        if publication is None:
            raise LegacyFormatError("数据库中还没有刊物（报头）信息，请先运行 migrate。")
        return cls(
            publication=publication,
            catalogue=catalogue_from_db(),
            region_ids=dict(SourceRegion.objects.values_list("slug", "pk")),
            max_bytes=getattr(settings, "LEGACY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES),
        )

    def parse(self, data: bytes | str) -> ParsedIssue:
        """Parse one file's content (one issue) against this database's sections and regions."""
        return parse_legacy(
            data, catalogue=self.catalogue, known_sections=self.known_sections(), max_bytes=self.max_bytes
        )

    def parse_issues(self, data: bytes | str, *, name: str = "") -> tuple[ParsedIssue, ...]:
        """Parse one file's content, which may hold more than one issue; `name` is the file's name."""
        return parse_issues(
            data, catalogue=self.catalogue, known_sections=self.known_sections(), max_bytes=self.max_bytes, name=name
        )

    def known_sections(self) -> list[str]:
        return list(Section.objects.values_list("name", flat=True))


def parse_file(path: Path, *, catalogue: RegionCatalogue, known_sections, max_bytes: int) -> tuple[ParsedIssue, ...]:
    """Read and parse one file (its issues), refusing an oversized one before reading it (no database access)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise LegacyFormatError(f"文件过大：{size / 1024 / 1024:.1f} MB，上限是 {max_bytes / 1024 / 1024:.1f} MB。")
    return parse_issues(
        path.read_bytes(), catalogue=catalogue, known_sections=known_sections, max_bytes=max_bytes, name=path.name
    )


@dataclass(frozen=True)
class ImportPlan:
    """What importing a parsed file would do, worked out without writing anything."""

    parsed: ParsedIssue
    existing: Issue | None
    outcome: str
    new_sections: tuple[str, ...] = ()
    warnings: tuple[Notice, ...] = ()

    @property
    def all_warnings(self) -> tuple[Notice, ...]:
        return (*self.parsed.warnings, *self.warnings)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    outcome: str
    issue: Issue | None
    plan: ImportPlan
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome != Outcome.DIFFERENT

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label


_UNREAD = object()


def plan_import(
    *,
    parsed: ParsedIssue,
    context: ImportContext,
    update: bool = False,
    sections=None,
    existing=_UNREAD,
    created_before: Iterable[str] = (),
) -> ImportPlan:
    """Check a parsed file against the database: existing issue, new sections, masthead (reads only).

    `sections` (every Section) and `existing` (the issue with the file's number, or None) may be
    passed in by a caller that has read them already. `created_before` names the sections an
    earlier issue of the same run will have created, so that a dry run says what the import will.
    """
    warnings = []
    meta = parsed.meta
    publication = context.publication
    if normalise_for_match(meta.title) != normalise_for_match(publication.title):
        warnings.append(Notice(f"文件的刊名“{meta.title}”与本刊“{publication.title}”不同，仍导入到本刊。"))
    if meta.office and normalise_for_match(meta.office) != normalise_for_match(publication.office):
        warnings.append(Notice(f"文件的编发单位“{meta.office}”与本刊“{publication.office}”不同。"))
    if sections is None:
        sections = list(Section.objects.all())
    known = {normalise_for_match(section.name) for section in sections} | {
        normalise_for_match(name) for name in created_before
    }
    new_sections = tuple(section.name for section in parsed.sections if normalise_for_match(section.name) not in known)
    for name in new_sections:
        warnings.append(Notice(f"栏目“{name}”还不存在，导入时将新建为非常设栏目。"))
    if existing is _UNREAD:
        existing = Issue.objects.filter(publication=publication, number=meta.number).first()
    if existing is None:
        outcome = Outcome.CREATED
    elif issue_matches(issue=existing, parsed=parsed):
        outcome = Outcome.UNCHANGED
    else:
        outcome = Outcome.UPDATED if update else Outcome.DIFFERENT
    return ImportPlan(
        parsed=parsed, existing=existing, outcome=outcome, new_sections=new_sections, warnings=tuple(warnings)
    )


def issue_matches(*, issue: Issue, parsed: ParsedIssue) -> bool:
    """Whether the stored issue has the file's date, distribution record, sections, titles, pages and paragraphs."""
    stored = [
        (normalise_for_match(toc.section.name), article.title, article.page, tuple(article.paragraphs))
        for toc in issue_table_of_contents(issue=issue)
        for article in toc.articles
    ]
    incoming = [
        (normalise_for_match(section.name), article.title, article.page, article.paragraphs)
        for section in parsed.sections
        for article in section.articles
    ]
    return issue.date == parsed.meta.date and issue.distribution == parsed.distribution and stored == incoming


@transaction.atomic
def load_issue(
    *,
    parsed: ParsedIssue,
    context: ImportContext | None = None,
    user=None,
    status: str = Issue.Status.PUBLISHED,
    update: bool = False,
    source: str = "",
) -> ImportResult:
    """Save one parsed issue (or report the existing one); raises LegacyFormatError and writes nothing."""
    context = context or ImportContext.from_db()
    if status not in Issue.Status.values:
        raise LegacyFormatError(f"未知的状态“{status}”。")
    if connection.vendor == "postgresql":
        # The foreign-key checks PostgreSQL runs at commit use plans this connection keeps, made
        # for the tables as they were then. Importing an archive into a fresh database (no ANALYZE
        # in between) every commit took longer than the one before on a long-lived connection;
        # planned afresh for each issue, the commits stay as quick as the first.
        with connection.cursor() as cursor:
            cursor.execute("DISCARD PLANS")
    # Lock the issue row (PostgreSQL) so two imports of one number cannot interleave.
    existing = (
        Issue.objects.select_for_update().filter(publication=context.publication, number=parsed.meta.number).first()
    )
    all_sections = list(Section.objects.all())
    plan = plan_import(parsed=parsed, context=context, update=update, sections=all_sections, existing=existing)
    if plan.outcome in (Outcome.UNCHANGED, Outcome.DIFFERENT):
        return ImportResult(outcome=plan.outcome, issue=existing, plan=plan)
    sections = _ensure_sections(parsed, all_sections)
    records = _article_records(parsed, context=context, sections=sections)
    toc_sections = tuple(dict.fromkeys(sections.values()))
    log = {"source": source}
    try:
        if existing is None:
            (issue,) = services.issues_create(
                publication=context.publication,
                records=[
                    services.IssueRecord(
                        number=parsed.meta.number,
                        date=parsed.meta.date,
                        status=status,
                        published_at=_published_at(parsed.meta.date) if status == Issue.Status.PUBLISHED else None,
                        distribution=parsed.distribution,
                        sections=toc_sections,
                        articles=records,
                    )
                ],
                user=user,
                reason="从旧版文本导入",
                action=IssueTransition.Action.IMPORT_LEGACY,
                comment=f"从旧版文本导入（{source or '文件'}，{parsed.encoding}）：{len(records)} 篇稿件。",
                log=log,
            )
            counts = {"created": len(records), "updated": 0, "deleted": 0}
        else:
            issue = existing
            counts = services.issue_replace_articles(
                issue=issue,
                date=parsed.meta.date,
                distribution=parsed.distribution,
                sections=toc_sections,
                articles=records,
                user=user,
                reason="以旧版文本更新",
                action=IssueTransition.Action.REIMPORT_LEGACY,
                comment=lambda counts: (
                    f"以旧版文本更新（{source or '文件'}，{parsed.encoding}）：更新 {counts['updated']} 篇，"
                    f"新增 {counts['created']} 篇，删除 {counts['deleted']} 篇。"
                ),
                log=log,
            )
    except ValidationError as refusal:
        raise LegacyFormatError(f"无法保存：{'；'.join(refusal.messages)}") from refusal
    outcome = Outcome.CREATED if existing is None else Outcome.UPDATED
    return ImportResult(outcome=outcome, issue=issue, plan=plan, counts=counts)


def _article_records(parsed: ParsedIssue, *, context: ImportContext, sections) -> tuple:
    """The file's articles as the services take them, in reading order, with their detected regions."""
    return tuple(
        services.ArticleRecord(
            title=article.title,
            body=article.body,
            section=sections[article.section],
            page=article.page,
            regions=tuple(context.region_ids[slug] for slug in article.regions if slug in context.region_ids),
        )
        for article in parsed.articles
    )


def load_file(
    *, issues: tuple[ParsedIssue, ...], context: ImportContext | None = None, **options
) -> list[ImportResult]:
    """Save every issue of one file (`load_issue`'s options) in one transaction: all of them, or none."""
    context = context or ImportContext.from_db()
    with transaction.atomic():
        return [load_issue(parsed=parsed, context=context, **options) for parsed in issues]


def _ensure_sections(parsed: ParsedIssue, all_sections: list[Section]) -> dict[str, Section]:
    """The Section of every TOC section name (by normalised name), creating the missing ones."""
    by_key = {normalise_for_match(section.name): section for section in all_sections}
    missing = [section.name for section in parsed.sections if normalise_for_match(section.name) not in by_key]
    if missing:
        last = Section.objects.aggregate(last=Max("position"))["last"] or 0
        taken = set(Section.objects.values_list("slug", flat=True))
        for offset, name in enumerate(missing, start=1):
            slug = _new_section_slug(taken)
            taken.add(slug)
            section = Section(name=name, slug=slug, position=last + offset, is_standing=False)
            _clean(section, f"栏目“{name}”")
            section.save()
            by_key[normalise_for_match(name)] = section
    return {section.name: by_key[normalise_for_match(section.name)] for section in parsed.sections}


def _new_section_slug(taken: set[str]) -> str:
    """A random slug for a section the import creates: a numbered one would let anyone guess a draft's sections."""
    while True:
        slug = f"section-{secrets.token_hex(5)}"
        if slug not in taken:
            return slug


def _published_at(date: datetime.date) -> datetime.datetime:
    """A legacy issue reached readers on its printed date: midnight of that day, local time."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def _clean(instance, label: str, *, exclude=None) -> None:
    """Field validation only (no queries): uniqueness and constraints are the database's to enforce."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise LegacyFormatError(f"{label}无法保存：{'；'.join(exc.messages)}") from exc
