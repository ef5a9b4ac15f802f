"""Reading a backup: files in, frozen values out, every problem collected with the file (and item) it is in."""

import datetime
import hashlib
import json
from collections import Counter
from pathlib import Path

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Issue, SourceRegion
from .format import (
    FORMAT,
    ISSUES,
    MANIFEST,
    PUBLICATION_FIELDS,
    VERSION,
    Backup,
    BackupError,
    SavedArticle,
    SavedIssue,
    SavedRegion,
    SavedSection,
)


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


def read_backup(folder: Path) -> Backup:
    """Read and check a backup folder; raises BackupError listing every problem found."""
    folder = Path(folder)
    problems = _Problems()
    if not folder.is_dir():
        raise BackupError(f"找不到备份目录：{folder}")
    if not (folder / MANIFEST).is_file():
        raise BackupError(f"{folder} 里没有 {MANIFEST}：这不是 export_backup（export_archive）导出的备份目录。")
    manifest_data = _load(folder, MANIFEST, problems)
    if manifest_data is None:
        raise BackupError(problems)
    manifest = _Fields(manifest_data, MANIFEST, problems)
    if manifest.text("format") != FORMAT:
        raise BackupError(f"{MANIFEST}：这不是 Digest CMS 的备份（format 应为“{FORMAT}”）。")
    version = manifest.integer("version")
    if version != VERSION:
        raise BackupError(f"{MANIFEST}：备份格式第 {version} 版，本系统只能读取第 {VERSION} 版。")
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
        raise BackupError(problems)

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
        raise BackupError(problems)
    return Backup(
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


def _read_sections(data, problems: _Problems) -> list[SavedSection]:
    sections = []
    for n, item in enumerate(_list(data, "sections.json", problems), start=1):
        fields = _Fields(item, f"sections.json 第 {n} 项", problems)
        sections.append(
            SavedSection(
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


def _read_regions(data, problems: _Problems) -> list[SavedRegion]:
    regions = []
    for n, item in enumerate(_list(data, "regions.json", problems), start=1):
        fields = _Fields(item, f"regions.json 第 {n} 项", problems)
        kind = fields.text("kind")
        if kind and kind not in SourceRegion.Kind.values:
            problems.add(fields.where, f"未知的级别“{kind}”（应为 {'、'.join(SourceRegion.Kind.values)}）。")
        regions.append(
            SavedRegion(
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

    def __init__(self, regions: list[SavedRegion]):
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
    return SavedArticle(
        section=section,
        title=title,
        page=fields.optional_integer("page"),
        source=fields.text("source", required=False),
        regions=tuple(dict.fromkeys(regions)),
        paragraphs=tuple(paragraphs),
    )


def _read_issue(data, name: str, problems: _Problems, *, resolver, section_names: set[str]) -> SavedIssue | None:
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
    return SavedIssue(
        number=number,
        date=date,
        status=status,
        published_at=published_at,
        scheduled_at=fields.moment("scheduled_at"),
        distribution=fields.text("distribution", required=False),
        section_order=tuple(section_order),
        articles=tuple(articles),
    )


def _midnight(date: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))
