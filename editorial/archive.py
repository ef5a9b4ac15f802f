"""Backup and restore of the editorial record as a folder of JSON files (`export_archive`, `import_archive`).

Layout (format 1)::

    manifest.json      what this is, when it was written, the counts, and a SHA-256 of every other file
    publication.json   the masthead (刊物)
    sections.json      every section: name, slug, default position, standing or not
    regions.json       every source region: name, slug, kind, parent's slug, aliases, in the delta, position
    issues/0193.json   one file per issue: exactly what `export_issue --format json` writes, plus what a
                       restore needs beyond what readers see — `published_at`, `scheduled_at`, the issue's
                       own `section_order` (empty sections too), each article's `source` and each region's `slug`
    pool.json          the articles not placed in any issue (稿件库), in the same form as an issue's

Users, versions (history), the workflow log and rendered PDF/Word files are not in it: `pg_dump`
keeps those (README.md, Deployment). The keys an issue file adds to `export_issue`'s are optional
when reading: without them regions are found by name and province, a published issue counts as
published at midnight of its date, and articles have no source.

Reading is pure (files in, frozen dataclasses out, every problem collected with the file it is
in); restoring is one transaction into a database that has no issues or articles yet.
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .activity import log_action
from .exports import issue_data
from .importers.loader import record_region_versions
from .importers.regions import RegionCatalogue, catalogue_from_db
from .models import Article, Issue, IssueSection, IssueTransition, Publication, Section, SourceRegion
from .selectors import tables_of_contents

FORMAT = "digest-cms-archive"
VERSION = 1
MANIFEST = "manifest.json"
ISSUES = "issues"
RESTORE_ACTION = "import_archive"
PUBLICATION_FIELDS = ("title", "office", "short_name", "report_to", "send_to", "distribute_to", "print_copies")
# Issues read per batch while exporting (three queries each for their contents).
EXPORT_BATCH = 100
MAX_PROBLEMS_SHOWN = 30


class ArchiveError(Exception):
    """The archive cannot be written or restored; `problems` says why, one line each, in Chinese."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        if len(self.problems) > len(shown):
            shown.append(f"……另有 {len(self.problems) - len(shown)} 处问题未列出。")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class ArchivedSection:
    name: str
    slug: str
    position: int
    is_standing: bool


@dataclass(frozen=True)
class ArchivedRegion:
    name: str
    slug: str
    kind: str
    parent: str | None
    aliases: str
    in_yangtze_delta: bool
    position: int


@dataclass(frozen=True)
class ArchivedArticle:
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
class ArchivedIssue:
    number: int
    date: datetime.date
    status: str
    published_at: datetime.datetime | None
    scheduled_at: datetime.datetime | None
    section_order: tuple[str, ...]  # section names, the issue's own order
    articles: tuple[ArchivedArticle, ...]  # reading order


@dataclass(frozen=True)
class Archive:
    exported_at: str
    publication: dict
    sections: tuple[ArchivedSection, ...]
    regions: tuple[ArchivedRegion, ...]
    issues: tuple[ArchivedIssue, ...]
    pool: tuple[ArchivedArticle, ...]

    @property
    def article_count(self) -> int:
        return sum(len(issue.articles) for issue in self.issues)


# ---------------------------------------------------------------------------------------------- export


def issue_filename(number: int) -> str:
    return f"{ISSUES}/{number:04d}.json"


def _dumps(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def publication_data(publication: Publication) -> dict:
    return {name: getattr(publication, name) for name in PUBLICATION_FIELDS}


def sections_data() -> list[dict]:
    return list(Section.objects.order_by("position", "pk").values("name", "slug", "position", "is_standing"))


def regions_data() -> list[dict]:
    rows = SourceRegion.objects.order_by("position", "pk").values(
        "name", "slug", "kind", "parent__slug", "aliases", "in_yangtze_delta", "position"
    )
    return [
        {**{key: value for key, value in row.items() if key != "parent__slug"}, "parent": row["parent__slug"]}
        for row in rows
    ]


def archived_issue_data(*, issue: Issue, toc, catalogue: RegionCatalogue) -> dict:
    """`export_issue`'s JSON of the issue, with what a restore needs besides (see the module docstring)."""
    data = issue_data(issue=issue, catalogue=catalogue, contents=toc)
    articles = [article for entry in toc for article in entry.articles]
    exported = [article for section in data["sections"] for article in section["articles"]]
    for article, exported_article in zip(articles, exported, strict=True):
        exported_article["source"] = article.source
        for region, stored in zip(exported_article["regions"], article.regions.all(), strict=True):
            region["slug"] = stored.slug
    data["published_at"] = issue.published_at.isoformat() if issue.published_at else None
    data["scheduled_at"] = issue.scheduled_at.isoformat() if issue.scheduled_at else None
    data["section_order"] = [placed.section.name for placed in issue.issue_sections.all()]
    return data


def pool_data(*, catalogue: RegionCatalogue) -> list[dict]:
    """The articles waiting in the pool, oldest first, in the form of an issue's articles."""
    articles = Article.objects.in_pool().select_related("section").prefetch_related("regions").order_by("pk")
    return [
        {
            "section": article.section.name if article.section else None,
            "title": article.title,
            "page": article.page,
            "regions": [
                {"name": region.name, "province": _province_name(region, catalogue), "slug": region.slug}
                for region in article.regions.all()
            ],
            "paragraphs": article.paragraphs,
            "source": article.source,
        }
        for article in articles
    ]


def _province_name(region: SourceRegion, catalogue: RegionCatalogue) -> str:
    return catalogue.province_of(region.slug).name if region.slug in catalogue else region.name


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    issues: int
    articles: int
    pool: int


def export_archive(*, folder: Path, progress=None) -> ExportResult:
    """Write the archive into `folder` (new, or empty), all of it or nothing.

    Everything is read in one read-only transaction (a consistent snapshot on PostgreSQL),
    written beside `folder`, and moved into place only when complete. `progress(done, total)`
    is called after each batch of issues.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ArchiveError(f"{folder} 已存在且不是空目录：请指定一个新目录（或空目录），以免新旧备份混在一起。")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        files, counts = _write_files(staging, progress=progress)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            **counts,
            "files": files,
        }
        (staging / MANIFEST).write_bytes(_dumps(manifest))
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(folder=folder, issues=counts["issues"], articles=counts["articles"], pool=counts["pool"])


def _write_files(staging: Path, *, progress) -> tuple[dict[str, str], dict[str, int]]:
    files: dict[str, str] = {}

    def write(name: str, data) -> None:
        content = _dumps(data)
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        files[name] = hashlib.sha256(content).hexdigest()

    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # One snapshot for every file. Inside a caller's transaction (the tests) that transaction decides.
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        publication = Publication.objects.current()
        if publication is None:
            raise ArchiveError("数据库中还没有刊物（报头）信息，没有可导出的内容。请先运行 migrate。")
        catalogue = catalogue_from_db()
        write("publication.json", publication_data(publication))
        write("sections.json", sections_data())
        write("regions.json", regions_data())
        issues = Issue.objects.filter(publication=publication).select_related("publication").order_by("number")
        total, articles = issues.count(), 0
        for start in range(0, total, EXPORT_BATCH):
            batch = list(issues[start : start + EXPORT_BATCH].prefetch_related("issue_sections__section"))
            contents = tables_of_contents(issues=batch)
            for issue in batch:
                data = archived_issue_data(issue=issue, toc=contents[issue.pk], catalogue=catalogue)
                articles += sum(len(section["articles"]) for section in data["sections"])
                write(issue_filename(issue.number), data)
            if progress:
                progress(min(start + EXPORT_BATCH, total), total)
        pool = pool_data(catalogue=catalogue)
        write("pool.json", pool)
    return files, {"issues": total, "articles": articles, "pool": len(pool)}


# ---------------------------------------------------------------------------------------------- reading


class _Problems(list):
    """Problems found while reading, each naming its file (and item)."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}：{message}")


class _Fields:
    """Typed access to one JSON object; a missing or mistyped value is noted and replaced by a default."""

    def __init__(self, data, where: str, problems: _Problems):
        self.where, self.problems = where, problems
        if not isinstance(data, dict):
            problems.add(where, "应为一个 JSON 对象（{…}）。")
            data = {}
        self.data = data

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, kinds: tuple, description: str, *, required: bool, default):
        if key not in self.data:
            if required:
                self.problems.add(self.where, f"缺少“{key}”。")
            return default
        value = self.data[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.problems.add(
                self.where, f"“{key}”应为{description}，而不是 {json.dumps(value, ensure_ascii=False)[:40]}。"
            )
            return default
        return value

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        return self._get(key, (str,), "文字", required=required, default=default)

    def optional_text(self, key: str) -> str | None:
        return self._get(key, (str, type(None)), "文字或 null", required=False, default=None)

    def integer(self, key: str, *, required: bool = True, default: int = 0) -> int:
        return self._get(key, (int,), "整数", required=required, default=default)

    def optional_integer(self, key: str) -> int | None:
        return self._get(key, (int, type(None)), "整数或 null", required=False, default=None)

    def boolean(self, key: str, *, default: bool = False) -> bool:
        return self._get(key, (bool,), "true 或 false", required=True, default=default)

    def mapping(self, key: str) -> dict:
        return dict(self._get(key, (dict,), "JSON 对象", required=True, default={}))

    def items(self, key: str, *, required: bool = True) -> list:
        return self._get(key, (list,), "列表", required=required, default=[])

    def date(self, key: str) -> datetime.date | None:
        value = self.text(key)
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            if value:
                self.problems.add(self.where, f"“{key}”不是有效的日期（应为 YYYY-MM-DD）：{value}")
            return None

    def moment(self, key: str) -> datetime.datetime | None:
        value = self.optional_text(key)
        if not value:
            return None
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None or timezone.is_naive(moment):
            self.problems.add(self.where, f"“{key}”不是带时区的时间（ISO 8601）：{value}")
            return None
        return moment


def read_archive(folder: Path) -> Archive:
    """Read and check an archive folder; raises ArchiveError listing every problem found."""
    folder = Path(folder)
    problems = _Problems()
    if not folder.is_dir():
        raise ArchiveError(f"找不到备份目录：{folder}")
    if not (folder / MANIFEST).is_file():
        raise ArchiveError(f"{folder} 里没有 {MANIFEST}：这不是 export_archive 导出的备份目录。")
    manifest_data = _load(folder, MANIFEST, problems)
    if manifest_data is None:
        raise ArchiveError(problems)
    manifest = _Fields(manifest_data, MANIFEST, problems)
    if manifest.text("format") != FORMAT:
        raise ArchiveError(f"{MANIFEST}：这不是 Digest CMS 的备份（format 应为“{FORMAT}”）。")
    version = manifest.integer("version")
    if version != VERSION:
        raise ArchiveError(f"{MANIFEST}：备份格式第 {version} 版，本系统只能读取第 {VERSION} 版。")
    checksums = manifest.mapping("files")
    for name in list(checksums):
        if Path(name).is_absolute() or ".." in Path(name).parts:
            problems.add(MANIFEST, f"文件清单里的“{name}”不在备份目录之内。")
            del checksums[name]
    listed_issues = sorted(name for name in checksums if name.startswith(f"{ISSUES}/"))
    present_issues = sorted(f"{ISSUES}/{path.name}" for path in (folder / ISSUES).glob("*.json"))
    for name in sorted(set(present_issues) - set(listed_issues)):
        problems.add(name, f"不在 {MANIFEST} 的文件清单里（不属于这份备份？）。")
    for name, expected in checksums.items():
        path = folder / name
        if not path.is_file():
            problems.add(name, "文件缺失。")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            problems.add(name, "内容与导出时不同（校验和不符）：文件损坏或被改动过。")
    if problems:
        raise ArchiveError(problems)

    publication = _read_publication(_load(folder, "publication.json", problems), problems)
    sections = _read_sections(_load(folder, "sections.json", problems), problems)
    regions = _read_regions(_load(folder, "regions.json", problems), problems)
    resolver = _RegionResolver(regions)
    section_names = {section.name for section in sections}
    issues = [
        _read_issue(_load(folder, name, problems), name, problems, resolver=resolver, section_names=section_names)
        for name in listed_issues
    ]
    pool_data = _load(folder, "pool.json", problems) if "pool.json" in checksums else []
    pool = [
        _read_pool_article(item, f"pool.json 第 {n} 篇", problems, resolver=resolver, section_names=section_names)
        for n, item in enumerate(_list(pool_data, "pool.json", problems), start=1)
    ]
    numbers = Counter(issue.number for issue in issues if issue is not None)
    for number in sorted(number for number, times in numbers.items() if times > 1):
        problems.add(ISSUES, f"第 {number} 期出现了不止一次。")
    for key, found in (("issues", len(issues)), ("pool", len(pool))):
        expected = manifest.integer(key, required=False, default=found)
        if expected != found:
            problems.add(
                MANIFEST, f"记录了 {expected} 个{'期刊' if key == 'issues' else '待编稿件'}，目录里却有 {found} 个。"
            )
    if problems:
        raise ArchiveError(problems)
    return Archive(
        exported_at=manifest.text("exported_at", required=False),
        publication=publication,
        sections=tuple(sections),
        regions=tuple(regions),
        issues=tuple(sorted(issues, key=lambda issue: issue.number)),
        pool=tuple(pool),
    )


def _load(folder: Path, name: str, problems: _Problems):
    path = folder / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(name, "文件缺失。")
    except UnicodeDecodeError:
        problems.add(name, "不是 UTF-8 编码的文本。")
    except json.JSONDecodeError as exc:
        problems.add(name, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。")
    return None


def _read_publication(data, problems: _Problems) -> dict:
    fields = _Fields(data, "publication.json", problems)
    publication = {name: fields.text(name, required=name == "title") for name in PUBLICATION_FIELDS[:-1]}
    publication["print_copies"] = fields.optional_integer("print_copies")
    return publication


def _read_sections(data, problems: _Problems) -> list[ArchivedSection]:
    sections = []
    for n, item in enumerate(_list(data, "sections.json", problems), start=1):
        fields = _Fields(item, f"sections.json 第 {n} 项", problems)
        sections.append(
            ArchivedSection(
                name=fields.text("name"),
                slug=fields.text("slug"),
                position=fields.integer("position"),
                is_standing=fields.boolean("is_standing", default=True),
            )
        )
    for attribute in ("name", "slug", "position"):
        values = [getattr(section, attribute) for section in sections]
        for value in sorted({value for value in values if values.count(value) > 1}, key=str):
            problems.add("sections.json", f"“{value}”出现了不止一次（{attribute} 不能重复）。")
    return sections


def _read_regions(data, problems: _Problems) -> list[ArchivedRegion]:
    regions = []
    for n, item in enumerate(_list(data, "regions.json", problems), start=1):
        fields = _Fields(item, f"regions.json 第 {n} 项", problems)
        kind = fields.text("kind")
        if kind and kind not in SourceRegion.Kind.values:
            problems.add(fields.where, f"未知的级别“{kind}”（应为 {'、'.join(SourceRegion.Kind.values)}）。")
        regions.append(
            ArchivedRegion(
                name=fields.text("name"),
                slug=fields.text("slug"),
                kind=kind,
                parent=fields.optional_text("parent"),
                aliases=fields.text("aliases", required=False),
                in_yangtze_delta=fields.boolean("in_yangtze_delta"),
                position=fields.integer("position", required=False),
            )
        )
    slugs = [region.slug for region in regions]
    for slug in sorted({slug for slug in slugs if slugs.count(slug) > 1}):
        problems.add("regions.json", f"网址名“{slug}”出现了不止一次。")
    parents = {region.slug: region.parent for region in regions}
    for region in regions:
        if region.parent is not None and region.parent not in parents:
            problems.add("regions.json", f"“{region.name}”的上级地区“{region.parent}”不在文件里。")
        seen, slug = set(), region.slug
        while slug is not None and slug not in seen:
            seen.add(slug)
            slug = parents.get(slug)
        if slug is not None:
            problems.add("regions.json", f"“{region.name}”的上级地区一路向上又回到了它自己。")
    return regions


def _list(data, where: str, problems: _Problems) -> list:
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(where, "应为一个 JSON 列表（[…]）。")
        return []
    return data


class _RegionResolver:
    """A region reference in an article → the region's slug: by slug, or (export_issue files) by name and province."""

    def __init__(self, regions: list[ArchivedRegion]):
        by_slug = {region.slug: region for region in regions}
        self.slugs = set(by_slug)
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for region in regions:
            top, seen = region, set()
            while top.parent in by_slug and top.slug not in seen:
                seen.add(top.slug)
                top = by_slug[top.parent]
            self.by_name.setdefault((region.name, top.name), []).append(region.slug)

    def slug(self, fields: _Fields) -> str | None:
        if fields.has("slug"):
            slug = fields.text("slug")
            if slug not in self.slugs:
                fields.problems.add(fields.where, f"来源地区“{slug}”不在 regions.json 里。")
                return None
            return slug
        name, province = fields.text("name"), fields.text("province")
        found = self.by_name.get((name, province), [])
        if len(found) != 1:
            fields.problems.add(
                fields.where,
                f"来源地区“{name}”（{province}）"
                + ("在 regions.json 里找不到。" if not found else f"有 {len(found)} 个同名地区，无法确定是哪一个。"),
            )
            return None
        return found[0]


def _read_pool_article(data, where: str, problems: _Problems, *, resolver, section_names: set[str]):
    section = _Fields(data, where, problems).optional_text("section")
    if section is not None and section not in section_names:
        problems.add(where, f"栏目“{section}”不在 sections.json 里。")
    return _read_article(data, where, problems, resolver=resolver, section=section)


def _read_article(data, where: str, problems: _Problems, *, resolver: _RegionResolver, section: str | None):
    fields = _Fields(data, where, problems)
    title = fields.text("title")
    paragraphs = fields.items("paragraphs")
    if not all(isinstance(paragraph, str) for paragraph in paragraphs):
        problems.add(where, "“paragraphs”应为文字的列表。")
        paragraphs = []
    elif not any(paragraph.strip() for paragraph in paragraphs):
        problems.add(where, f"《{title[:20]}》没有正文。")
    regions = []
    for m, region in enumerate(fields.items("regions", required=False), start=1):
        slug = resolver.slug(_Fields(region, f"{where} 来源地区第 {m} 个", problems))
        if slug is not None:
            regions.append(slug)
    return ArchivedArticle(
        section=section,
        title=title,
        page=fields.optional_integer("page"),
        source=fields.text("source", required=False),
        regions=tuple(dict.fromkeys(regions)),
        paragraphs=tuple(paragraphs),
    )


def _read_issue(data, name: str, problems: _Problems, *, resolver, section_names: set[str]) -> ArchivedIssue | None:
    if data is None:
        return None
    fields = _Fields(data, name, problems)
    number, date, status = fields.integer("number"), fields.date("date"), fields.text("status")
    where = f"{name}（第 {number} 期）"
    if status not in Issue.Status.values:
        problems.add(where, f"未知的状态“{status}”。")
    articles, toc_order = [], []
    for n, section_data in enumerate(fields.items("sections"), start=1):
        section = _Fields(section_data, f"{where} 栏目第 {n} 个", problems)
        section_name = section.text("name")
        if section_name not in section_names:
            problems.add(where, f"栏目“{section_name}”不在 sections.json 里。")
        toc_order.append(section_name)
        for m, article in enumerate(section.items("articles"), start=1):
            articles.append(
                _read_article(
                    article, f"{where}“{section_name}”第 {m} 篇", problems, resolver=resolver, section=section_name
                )
            )
    if fields.has("section_order"):
        section_order = fields.items("section_order")
        for missing in [name for name in section_order if name not in section_names]:
            problems.add(where, f"section_order 里的栏目“{missing}”不在 sections.json 里。")
        if [name for name in section_order if name in toc_order] != toc_order:
            problems.add(where, "section_order 与文章所在栏目的顺序不一致。")
    else:
        section_order = toc_order
    if fields.has("published_at"):
        published_at = fields.moment("published_at")
    else:
        published_at = _midnight(date) if status == Issue.Status.PUBLISHED and date else None
    return ArchivedIssue(
        number=number,
        date=date,
        status=status,
        published_at=published_at,
        scheduled_at=fields.moment("scheduled_at"),
        section_order=tuple(section_order),
        articles=tuple(articles),
    )


def _midnight(date: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


# ---------------------------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    issues: int
    articles: int
    pool: int
    sections: int
    regions: int


def editorial_rows() -> dict[str, int]:
    """What the database already holds of the editorial record; a restore needs all of it to be 0."""
    return {
        "期期刊": Issue.objects.count(),
        "篇稿件": Article.objects.count(),
        "条期刊历史版本": Issue.history.count(),
        "条稿件历史版本": Article.history.count(),
    }


@transaction.atomic
def restore_archive(*, archive: Archive, user=None) -> RestoreResult:
    """Restore the archive into a database without issues or articles: all of it, or nothing (ArchiveError).

    The masthead, sections and regions become the archive's (replacing what migrate created);
    every issue gets its sections, articles and regions, one version in the history and one
    line in its workflow log saying it was restored.
    """
    held = {what: count for what, count in editorial_rows().items() if count}
    if held:
        raise ArchiveError(
            f"数据库里已有 {'、'.join(f'{count} {what}' for what, count in held.items())}。"
            "import_archive 只恢复到空数据库：请新建一个数据库，运行 migrate 后再导入。"
        )
    now = timezone.now()
    publication = _restore_publication(archive.publication)
    sections = _restore_sections(archive.sections)
    regions = _restore_regions(archive.regions)
    standing = [
        sections[section.name] for section in sorted(archive.sections, key=lambda s: s.position) if section.is_standing
    ]

    restored_issues = [
        Issue(
            publication=publication,
            number=item.number,
            date=item.date,
            status=item.status,
            published_at=item.published_at,
            scheduled_at=item.scheduled_at,
            created_by=user,
            updated_by=user,
        )
        for item in archive.issues
    ]
    _validate(restored_issues, lambda issue: issue.period_label, exclude=["publication", "created_by", "updated_by"])
    Issue.objects.bulk_create(restored_issues, batch_size=500)
    placed = []
    for issue, item in zip(restored_issues, archive.issues, strict=True):
        order = list(dict.fromkeys([*item.section_order, *(section.name for section in standing)]))
        placed += [IssueSection(issue=issue, section=sections[name], position=n) for n, name in enumerate(order, 1)]
    IssueSection.objects.bulk_create(placed, batch_size=1000)

    new_articles = [
        _article(item, issue=issue, position=position, sections=sections, user=user)
        for issue, issue_item in zip(restored_issues, archive.issues, strict=True)
        for position, item in enumerate(issue_item.articles, start=1)
    ]
    new_articles += [_article(item, issue=None, position=None, sections=sections, user=user) for item in archive.pool]
    _validate(
        new_articles,
        lambda article: f"《{article.title[:20]}》",
        exclude=["issue", "section", "created_by", "updated_by"],
    )
    Article.objects.bulk_create(new_articles, batch_size=1000)
    Through = Article.regions.through
    links = [
        Through(article_id=article.pk, sourceregion_id=regions[slug])
        for article in new_articles
        for slug in article._archived_regions
    ]
    Through.objects.bulk_create(links, batch_size=2000)

    _record_history(restored_issues, new_articles, links, user=user, now=now)
    comment = f"从备份恢复（备份导出于 {archive.exported_at or '未知时间'}）。"
    IssueTransition.objects.bulk_create(
        [
            IssueTransition(
                issue=issue, from_status="", to_status=issue.status, action=RESTORE_ACTION, user=user, comment=comment
            )
            for issue in restored_issues
        ],
        batch_size=1000,
    )
    analyze(Section, SourceRegion, Issue, IssueSection, Article, Through)
    log_action("archive_restore", user=user, issues=len(restored_issues), articles=archive.article_count)
    return RestoreResult(
        issues=len(restored_issues),
        articles=archive.article_count,
        pool=len(archive.pool),
        sections=len(sections),
        regions=len(regions),
    )


def _article(item: ArchivedArticle, *, issue: Issue | None, position: int | None, sections, user) -> Article:
    article = Article(
        issue=issue,
        section=sections[item.section] if item.section else None,
        position=position,
        page=item.page,
        title=item.title,
        body=item.body,
        source=item.source,
        created_by=user,
        updated_by=user,
    )
    article.derive_fields()
    article._archived_regions = item.regions
    return article


def _validate(instances: Iterable, label, *, exclude: list[str]) -> None:
    """Field validation of unsaved rows without queries (the database enforces uniqueness); all problems at once."""
    problems = []
    for instance in instances:
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            problems.append(f"{label(instance)}：{'；'.join(exc.messages)}")
    if problems:
        raise ArchiveError(problems)


def _restore_publication(data: dict) -> Publication:
    publication = Publication.objects.current() or Publication()
    for name, value in data.items():
        setattr(publication, name, value)
    _validate([publication], lambda _: "publication.json", exclude=[])
    publication.save()
    return publication


def _delete_all(queryset, *, parent_field: str) -> None:
    """Delete every row of a self-referencing table, leaves first (the parent link protects parents)."""
    while queryset.exists():
        queryset.exclude(pk__in=queryset.filter(**{f"{parent_field}__isnull": False}).values(parent_field)).delete()


def _restore_sections(archived: tuple[ArchivedSection, ...]) -> dict[str, Section]:
    # Nothing refers to sections in an empty database: replace them rather than reconcile names and positions.
    Section.objects.all().delete()
    rows = [
        Section(name=item.name, slug=item.slug, position=item.position, is_standing=item.is_standing)
        for item in archived
    ]
    _validate(rows, lambda section: f"栏目“{section.name}”", exclude=[])
    return {section.name: section for section in Section.objects.bulk_create(rows)}


def _restore_regions(archived: tuple[ArchivedRegion, ...]) -> dict[str, int]:
    """Replace the regions with the archive's, a level at a time (a parent gets its id before its children)."""
    _delete_all(SourceRegion.objects.all(), parent_field="parent")
    parents = {region.slug: region.parent for region in archived}

    def depth(slug: str) -> int:
        return 0 if parents[slug] is None else 1 + depth(parents[slug])

    ids: dict[str, int] = {}
    levels: dict[int, list[ArchivedRegion]] = {}
    for region in archived:
        levels.setdefault(depth(region.slug), []).append(region)
    for level in sorted(levels):
        rows = [
            SourceRegion(
                name=region.name,
                slug=region.slug,
                kind=region.kind,
                parent_id=ids[region.parent] if region.parent else None,
                aliases=region.aliases,
                in_yangtze_delta=region.in_yangtze_delta,
                position=region.position,
            )
            for region in levels[level]
        ]
        _validate(rows, lambda region: f"来源地区“{region.name}”", exclude=["parent"])
        ids.update((region.slug, region.pk) for region in SourceRegion.objects.bulk_create(rows))
    return ids


def _record_history(issues: list[Issue], articles: list[Article], links: list, *, user, now) -> None:
    """One version per issue and article (regions included), so 历史 and 回收站 start from the restored text."""
    reason = "从备份恢复"
    Issue.history.bulk_history_create(issues, default_user=user, default_change_reason=reason, default_date=now)
    history = Article.history.bulk_history_create(
        articles, default_user=user, default_change_reason=reason, default_date=now, batch_size=1000
    )
    record_region_versions(history, links)


def analyze(*models) -> None:
    """Fresh planner statistics for tables just filled in bulk (PostgreSQL; autovacuum would do it later, if it runs)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
