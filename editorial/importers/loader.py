"""Saving a parsed legacy issue: one issue per transaction, all or nothing, never two copies.

- A new number creates the issue (published unless told otherwise, dated as printed),
  its sections in the TOC's order, and its articles — bulk inserts, each article's
  derived fields computed first, history rows written alongside, regions included.
- An existing number changes nothing: the result says whether the stored issue
  already matches the file (`unchanged`) or not (`different`).
- With `update=True` an existing issue's articles are replaced in place: the issue row
  stays (its status too), articles whose title matches keep their row, URL, source
  and regions (regions may have been corrected by an editor; the file knows none),
  new titles are added with detected regions and titles gone from the file are deleted.
- Sections named in the TOC that do not exist yet are created as non-standing
  sections after the others, with a warning; editors can rename them later.
- Every import is logged as an `IssueTransition` and bumps `Issue.updated_at`, the
  stamp page and PDF caches key on.
"""

import datetime
import functools
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from editorial.models import Article, Issue, IssueSection, IssueTransition, Publication, Section
from editorial.selectors import issue_table_of_contents

from ..activity import log_action
from .legacy_text import DEFAULT_MAX_BYTES, LegacyFormatError, Notice, ParsedIssue, key, parse_legacy
from .regions import RegionCatalogue, catalogue_from_db

IMPORT_ACTION = "import_legacy"
REIMPORT_ACTION = "reimport_legacy"
POSITION_SHIFT = 1_000_000
# An article's fields that come from the file; validating only these keeps the bulk path query-free and quick.
ARTICLE_NOT_FROM_FILE = [
    field.name for field in Article._meta.fields if field.name not in {"title", "body", "page", "position"}
]
# What a re-import rewrites on an article kept in place: everything but identity, origin and the
# editor's own additions (source); derived search fields included, whatever they are.
UPDATED_FIELDS = [
    field.name
    for field in Article._meta.concrete_fields
    if not field.primary_key and field.name not in {"issue", "source", "created_at", "created_by"}
]


@functools.cache
def history_of(model):
    """The model's history manager, fetched once: each `Model.history` access builds a new manager class."""
    return model.history


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
        """Parse one file's content against this database's sections and regions."""
        return parse_legacy(
            data, catalogue=self.catalogue, known_sections=self.known_sections(), max_bytes=self.max_bytes
        )

    def known_sections(self) -> list[str]:
        return list(Section.objects.values_list("name", flat=True))


def parse_file(path: Path, *, catalogue: RegionCatalogue, known_sections, max_bytes: int) -> ParsedIssue:
    """Read and parse one file, refusing an oversized one before reading it (no database access)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise LegacyFormatError(f"文件过大：{size / 1024 / 1024:.1f} MB，上限是 {max_bytes / 1024 / 1024:.1f} MB。")
    return parse_legacy(path.read_bytes(), catalogue=catalogue, known_sections=known_sections, max_bytes=max_bytes)


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
    *, parsed: ParsedIssue, context: ImportContext, update: bool = False, sections=None, existing=_UNREAD
) -> ImportPlan:
    """Check a parsed file against the database: existing issue, new sections, masthead (reads only).

    `sections` (every Section) and `existing` (the issue with the file's number, or None) may be
    passed in by a caller that has read them already.
    """
    warnings = []
    meta = parsed.meta
    publication = context.publication
    if key(meta.title) != key(publication.title):
        warnings.append(Notice(f"文件的刊名“{meta.title}”与本刊“{publication.title}”不同，仍导入到本刊。"))
    if meta.office and key(meta.office) != key(publication.office):
        warnings.append(Notice(f"文件的编发单位“{meta.office}”与本刊“{publication.office}”不同。"))
    if sections is None:
        sections = list(Section.objects.all())
    known = {key(section.name) for section in sections}
    new_sections = tuple(section.name for section in parsed.sections if key(section.name) not in known)
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
    """Whether the stored issue has the file's date, sections, titles, pages and paragraphs."""
    stored = [
        (key(toc.section.name), article.title, article.page, tuple(article.paragraphs))
        for toc in issue_table_of_contents(issue=issue)
        for article in toc.articles
    ]
    incoming = [
        (key(section.name), article.title, article.page, article.paragraphs)
        for section in parsed.sections
        for article in section.articles
    ]
    return issue.date == parsed.meta.date and stored == incoming


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
    now = timezone.now()
    sections = _ensure_sections(parsed, all_sections)
    standing = [section for section in all_sections if section.is_standing]
    if existing is None:
        issue, counts = _create(
            parsed=parsed, context=context, sections=sections, standing=standing, user=user, status=status, now=now
        )
        action, from_status = IMPORT_ACTION, ""
        comment = f"从旧版文本导入（{source or '文件'}，{parsed.encoding}）：{counts['created']} 篇稿件。"
    else:
        issue = existing
        from_status = issue.status
        counts = _replace(
            parsed=parsed, context=context, issue=issue, sections=sections, standing=standing, user=user, now=now
        )
        action = REIMPORT_ACTION
        comment = (
            f"以旧版文本更新（{source or '文件'}，{parsed.encoding}）：更新 {counts['updated']} 篇，"
            f"新增 {counts['created']} 篇，删除 {counts['deleted']} 篇。"
        )
    IssueTransition.objects.create(
        issue=issue, from_status=from_status, to_status=issue.status, action=action, user=user, comment=comment
    )
    log_action(action, user=user, issue=issue.number, articles=len(parsed.articles), source=source)
    outcome = Outcome.CREATED if existing is None else Outcome.UPDATED
    return ImportResult(outcome=outcome, issue=issue, plan=plan, counts=counts)


def _ensure_sections(parsed: ParsedIssue, all_sections: list[Section]) -> dict[str, Section]:
    """The Section of every TOC section name (by normalised name), creating the missing ones."""
    by_key = {key(section.name): section for section in all_sections}
    missing = [section.name for section in parsed.sections if key(section.name) not in by_key]
    if missing:
        last = Section.objects.aggregate(last=Max("position"))["last"] or 0
        taken = set(Section.objects.values_list("slug", flat=True))
        for offset, name in enumerate(missing, start=1):
            slug = _new_section_slug(taken)
            taken.add(slug)
            section = Section(name=name, slug=slug, position=last + offset, is_standing=False)
            _clean(section, f"栏目“{name}”")
            section.save()
            by_key[key(name)] = section
    return {section.name: by_key[key(section.name)] for section in parsed.sections}


def _new_section_slug(taken: set[str]) -> str:
    """A random slug for a section the import creates: a numbered one would let anyone guess a draft's sections."""
    while True:
        slug = f"section-{secrets.token_hex(5)}"
        if slug not in taken:
            return slug


def _create(*, parsed, context, sections, standing, user, status, now) -> tuple[Issue, dict[str, int]]:
    meta = parsed.meta
    issue = Issue(
        publication=context.publication,
        number=meta.number,
        date=meta.date,
        status=status,
        published_at=_published_at(meta.date) if status == Issue.Status.PUBLISHED else None,
        created_by=user,
        updated_by=user,
    )
    # The number is free (checked under the lock); the database's constraints back that up.
    _clean(issue, f"第 {meta.number} 期", exclude=["publication", "created_by", "updated_by"])
    issue.skip_history_when_saving = True
    try:
        issue.save()
    finally:
        del issue.skip_history_when_saving
    history_of(Issue).bulk_history_create(
        [issue], default_user=user, default_change_reason="从旧版文本导入", default_date=now
    )
    _place_sections(issue, sections, standing, new=True)
    articles = _new_articles(parsed=parsed, issue=issue, sections=sections, user=user, now=now)
    _insert(articles, parsed=parsed, context=context, keep=[], user=user, now=now)
    return issue, {"created": len(articles), "updated": 0, "deleted": 0}


def _replace(*, parsed, context, issue, sections, standing, user, now) -> dict[str, int]:
    meta = parsed.meta
    issue.date = meta.date
    _clean(issue, issue.period_label, exclude=["publication", "created_by", "updated_by"])
    existing = list(issue.articles.order_by("position", "pk"))
    by_title: dict[str, list[Article]] = {}
    for article in existing:
        by_title.setdefault(key(article.title), []).append(article)
    # Park current positions out of the way so renumbering never trips the unique constraint.
    Article.objects.filter(issue=issue).update(position=F("position") + POSITION_SHIFT)
    kept, created = [], []
    fresh = _new_articles(parsed=parsed, issue=issue, sections=sections, user=user, now=now)
    for article in fresh:
        matches = by_title.get(key(article.title))
        if matches:
            old = matches.pop(0)
            for name in ("section", "position", "page", "title", "body"):
                setattr(old, name, getattr(article, name))
            old.version += 1
            old.updated_by = user
            old.updated_at = now
            old.derive_fields()
            kept.append(old)
        else:
            created.append(article)
    gone = [article for leftovers in by_title.values() for article in leftovers]
    for article in gone:
        article.delete()
    if kept:
        Article.objects.bulk_update(kept, UPDATED_FIELDS)
    _place_sections(issue, sections, standing)
    _insert(created, parsed=parsed, context=context, keep=kept, user=user, now=now)
    Issue.objects.filter(pk=issue.pk).update(date=meta.date, version=F("version") + 1, updated_by=user, updated_at=now)
    issue.refresh_from_db()
    history_of(Issue).bulk_history_create(
        [issue], update=True, default_user=user, default_change_reason="以旧版文本更新", default_date=now
    )
    return {"created": len(created), "updated": len(kept), "deleted": len(gone)}


def _new_articles(*, parsed, issue, sections, user, now) -> list[Article]:
    articles = []
    for position, parsed_article in enumerate(parsed.articles, start=1):
        article = Article(
            issue=issue,
            section=sections[parsed_article.section],
            position=position,
            page=parsed_article.page,
            title=parsed_article.title,
            body=parsed_article.body,
            created_by=user,
            updated_by=user,
            created_at=now,
            updated_at=now,
        )
        article._detected_regions = parsed_article.regions
        _clean(article, f"文章“{parsed_article.title[:20]}”", exclude=ARTICLE_NOT_FROM_FILE)
        article.derive_fields()
        articles.append(article)
    return articles


def _insert(articles, *, parsed, context, keep, user, now) -> None:
    """Bulk insert new articles, their regions, and history rows for them and for `keep` (updated in place)."""
    Article.objects.bulk_create(articles)
    Through = Article.regions.through
    links = [
        Through(article_id=article.pk, sourceregion_id=context.region_ids[slug])
        for article in articles
        for slug in article._detected_regions
        if slug in context.region_ids
    ]
    Through.objects.bulk_create(links)
    reason = "从旧版文本导入"
    history = history_of(Article).bulk_history_create(
        articles, default_user=user, default_change_reason=reason, default_date=now
    )
    if keep:
        history += history_of(Article).bulk_history_create(
            keep, update=True, default_user=user, default_change_reason="以旧版文本更新", default_date=now
        )
        links += list(Through.objects.filter(article__in=keep))
    record_region_versions(history, links)


def record_region_versions(history: list, links: list) -> None:
    """The regions of article versions just written in bulk (`history`), from the article–region `links`."""
    HistoricalRegions = history_of(Article).model.regions.model
    by_article: dict[int, list] = {}
    for link in links:
        by_article.setdefault(link.article_id, []).append(link)
    HistoricalRegions.objects.bulk_create(
        (
            HistoricalRegions(history=row, id=link.pk, article_id=link.article_id, sourceregion_id=link.sourceregion_id)
            for row in history
            for link in by_article.get(row.id, ())
        ),
        batch_size=2000,
    )


def _place_sections(issue: Issue, sections: dict[str, Section], standing: list[Section], *, new: bool = False) -> None:
    """The issue's own section order: the TOC's sections first, then the other standing sections."""
    ordered = list(dict.fromkeys(sections.values()))
    ordered += [section for section in standing if section not in ordered]
    if not new:
        IssueSection.objects.filter(issue=issue).delete()
    IssueSection.objects.bulk_create(
        IssueSection(issue=issue, section=section, position=position) for position, section in enumerate(ordered, 1)
    )


def _published_at(date: datetime.date) -> datetime.datetime:
    """A legacy issue reached readers on its printed date: midnight of that day, local time."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def _clean(instance, label: str, *, exclude=None) -> None:
    """Field validation only (no queries): uniqueness and constraints are the database's to enforce."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise LegacyFormatError(f"{label}无法保存：{'；'.join(exc.messages)}") from exc
