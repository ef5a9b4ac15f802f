"""Reads that span relations: what readers, printers and exporters see of an issue."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear

from .models import Article, Issue, IssueSection, Section, SourceRegion


@dataclass(frozen=True)
class TocSection:
    """A section of one issue with its articles, both in reading order."""

    section: Section
    articles: list[Article]


def may_preview(user) -> bool:
    """Staff who may view issues also see unpublished ones (preview); everyone else only published ones."""
    return user.is_authenticated and user.is_staff and user.has_perm("editorial.view_issue")


def issues_visible_to(*, user) -> QuerySet[Issue]:
    """Published issues for everyone; every issue for staff who may view issues (preview)."""
    if may_preview(user):
        return Issue.objects.all()
    return Issue.objects.published()


def issue_table_of_contents(*, issue: Issue) -> list[TocSection]:
    """The issue's sections in the issue's own order, each with its articles by position.

    Two queries whatever the issue's size (three with regions); sections without
    articles are left out, since a reader has nothing to see under them.
    """
    return tables_of_contents(issues=[issue])[issue.pk]


def tables_of_contents(*, issues: list[Issue]) -> dict[int, list[TocSection]]:
    """issue_table_of_contents for several issues at once, by issue pk: three queries in all."""
    articles = (
        Article.objects.filter(issue__in=issues)
        .select_related("section")
        .prefetch_related("regions")
        .order_by("issue", "position", "pk")
    )
    grouped: dict[int, dict[int, list[Article]]] = {issue.pk: {} for issue in issues}
    for article in articles:
        grouped[article.issue_id].setdefault(article.section_id, []).append(article)
    placed_sections: dict[int, list[IssueSection]] = {issue.pk: [] for issue in issues}
    for placed in IssueSection.objects.filter(issue__in=issues).select_related("section").order_by("position", "pk"):
        placed_sections[placed.issue_id].append(placed)
    contents = {}
    for issue in issues:
        by_section = grouped[issue.pk]
        toc = [
            TocSection(section=placed.section, articles=by_section.pop(placed.section_id))
            for placed in placed_sections[issue.pk]
            if placed.section_id in by_section
        ]
        for stray in sorted(by_section.values(), key=lambda group: (group[0].section.position, group[0].section.pk)):
            toc.append(TocSection(section=stray[0].section, articles=stray))
        contents[issue.pk] = toc
    return contents


def articles_visible_to(*, user) -> QuerySet[Article]:
    """Articles of the issues the user may see, as issues_visible_to; pool articles have no page."""
    if may_preview(user):
        return Article.objects.filter(issue__isnull=False)
    return Article.objects.published()


def issue_neighbours(*, issue: Issue) -> tuple[Issue | None, Issue | None]:
    """The published issues just before and just after `issue` (by date, then number)."""
    published = Issue.objects.published().exclude(pk=issue.pk)
    earlier = Q(date__lt=issue.date) | Q(date=issue.date, number__lt=issue.number)
    later = Q(date__gt=issue.date) | Q(date=issue.date, number__gt=issue.number)
    previous = published.filter(earlier).order_by("-date", "-number").first()
    following = published.filter(later).order_by("date", "number").first()
    return previous, following


def reading_neighbours(*, toc: list[TocSection], article: Article) -> tuple[Article | None, Article | None]:
    """The articles before and after `article` in its issue's reading order."""
    in_order = [item for entry in toc for item in entry.articles]
    index = next((i for i, item in enumerate(in_order) if item.pk == article.pk), None)
    if index is None:
        return None, None
    previous = in_order[index - 1] if index > 0 else None
    following = in_order[index + 1] if index + 1 < len(in_order) else None
    return previous, following


def archive_issues(*, year: int | None = None) -> QuerySet[Issue]:
    """Published issues, newest first (a page's article counts come from article_counts())."""
    issues = Issue.objects.published().newest_first()
    return issues.filter(date__year=year) if year is not None else issues


def article_counts(issues: list[Issue]) -> dict[int, int]:
    """How many articles each of these issues has, by issue pk: one query over their articles only.

    Annotating the archive's queryset with the count instead joined and grouped every article
    of every published issue before the page was cut (150 ms at 5,000 issues).
    """
    rows = Article.objects.filter(issue__in=issues).order_by().values("issue").annotate(articles=Count("pk"))
    return {row["issue"]: row["articles"] for row in rows}


def archive_years() -> list[tuple[int, int]]:
    """(year, number of published issues) for every year with one, newest first."""
    rows = (
        Issue.objects.published()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(issue_count=Count("pk"))
        .order_by("-year")
    )
    return [(row["year"], row["issue_count"]) for row in rows]


def article_cards(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Articles ready for a list: their issue, section and regions loaded with them (two queries).

    The stored search text, as long as the body, is left in the database.
    """
    return articles.select_related("issue", "section").prefetch_related("regions").defer("search_title", "search_text")


def newest_articles(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Newest issue first, and within an issue the reading order's position."""
    return articles.order_by("-issue__date", "-issue__number", "position", "pk")


def region_tree() -> dict[int | None, list[SourceRegion]]:
    """Every region by the pk of its parent (None for provinces), each list in display order."""
    children: dict[int | None, list[SourceRegion]] = {}
    for region in SourceRegion.objects.order_by("position", "pk"):
        children.setdefault(region.parent_id, []).append(region)
    return children


def region_with_descendants(*, region: SourceRegion, tree: dict[int | None, list[SourceRegion]] | None = None):
    """The pks of `region` and every region under it (上海 includes 浦东新区)."""
    tree = region_tree() if tree is None else tree
    pks, pending = [], [region.pk]
    while pending:
        pk = pending.pop()
        pks.append(pk)
        pending.extend(child.pk for child in tree.get(pk, []))
    return pks


def region_ancestors(*, region: SourceRegion, tree: dict[int | None, list[SourceRegion]]) -> list[SourceRegion]:
    """The regions above `region` in the tree (region_tree()), the province first."""
    by_pk = {candidate.pk: candidate for regions in tree.values() for candidate in regions}
    chain, parent_pk = [], region.parent_id
    while parent_pk is not None and parent_pk in by_pk:
        chain.insert(0, by_pk[parent_pk])
        parent_pk = by_pk[parent_pk].parent_id
    return chain


def article_pks_from_region(*, region: SourceRegion, tree: dict[int | None, list[SourceRegion]] | None = None):
    """A subquery of the pks of articles tagged with the region or any region under it."""
    pks = region_with_descendants(region=region, tree=tree)
    return Article.regions.through.objects.filter(sourceregion_id__in=pks).values("article_id")


def articles_from_region(
    *, region: SourceRegion, tree: dict[int | None, list[SourceRegion]] | None = None
) -> QuerySet[Article]:
    """Published articles from the region or any region under it, each once."""
    return Article.objects.published().filter(pk__in=article_pks_from_region(region=region, tree=tree))


def _a_published_link():
    """One published article's link to the outer region: found in the index, stopping at the first.

    Listing the regions of every published article instead read the whole archive; a LIMIT 1
    subquery is never planned as a hash of every link, as an EXISTS may be.
    """
    published = Article.regions.through.objects.filter(
        sourceregion_id=OuterRef("pk"), article__issue__status=Issue.Status.PUBLISHED
    )
    return Subquery(published.values("pk")[:1])


def regions_in_use() -> set[int]:
    """The pks of the regions published articles are tagged with (asked region by region)."""
    regions = SourceRegion.objects.annotate(link=_a_published_link()).filter(link__isnull=False)
    return set(regions.values_list("pk", flat=True))


def region_tree_in_use() -> tuple[dict[int | None, list[SourceRegion]], set[int]]:
    """region_tree() and regions_in_use() in one query."""
    children: dict[int | None, list[SourceRegion]] = {}
    used = set()
    for region in SourceRegion.objects.order_by("position", "pk").annotate(link=_a_published_link()):
        children.setdefault(region.parent_id, []).append(region)
        if region.link is not None:
            used.add(region.pk)
    return children, used


def regions_shown(*, tree: dict[int | None, list[SourceRegion]], used: set[int] | None = None) -> set[int]:
    """The pks of the regions readers may browse: those published articles name, and every region above them.

    Any other region (one only drafts or the pool name, or none) has no public page and is in no public list.
    `used` is regions_in_use() when the caller has it already.
    """
    by_pk = {region.pk: region for regions in tree.values() for region in regions}
    shown: set[int] = set()
    for pk in regions_in_use() if used is None else used:
        while pk is not None and pk not in shown:
            shown.add(pk)
            pk = by_pk[pk].parent_id
    return shown


def region_choices(
    *, tree: dict[int | None, list[SourceRegion]], used: set[int]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Regions readers can filter by, grouped under their province.

    Only regions with published articles (`used`), and the regions above them (choosing 上海 also finds 浦东新区).
    """
    wanted = regions_shown(tree=tree, used=used)
    groups = []
    for province in tree.get(None, []):
        if province.pk not in wanted:
            continue
        options = [(province.slug, f"{province.name}（含下辖地区）" if tree.get(province.pk) else province.name)]
        pending = [(child, 1) for child in reversed(tree.get(province.pk, []))]
        while pending:
            region, depth = pending.pop()
            if region.pk in wanted:
                options.append((region.slug, "\u3000" * (depth - 1) + region.name))
                pending.extend((child, depth + 1) for child in reversed(tree.get(region.pk, [])))
        groups.append((province.name, options))
    return groups


def sections_in_use() -> QuerySet[Section]:
    """Sections with published articles, in their default order (asked section by section, as regions_in_use)."""
    published = Article.objects.published().filter(section=OuterRef("pk"))
    return Section.objects.filter(Exists(published)).order_by("position")


def section_choices() -> list[tuple[str, str]]:
    """Sections with published articles, as choices."""
    return [(section.slug, section.name) for section in sections_in_use()]


def year_choices() -> list[tuple[int, str]]:
    """Years with published issues, newest first."""
    return [(year, f"{year}年") for year, _ in archive_years()]


@dataclass(frozen=True)
class SearchChoices:
    """The choice lists of the search form, and the region tree its region filter walks."""

    regions: list[tuple[str, list[tuple[str, str]]]]
    sections: list[tuple[str, str]]
    years: list[tuple[int, str]]
    region_tree: dict[int | None, list[SourceRegion]]


def search_choices() -> SearchChoices:
    """Everything the search form offers, from published content only (three queries)."""
    tree, used = region_tree_in_use()
    return SearchChoices(
        regions=region_choices(tree=tree, used=used), sections=section_choices(), years=year_choices(), region_tree=tree
    )


def subregions_with_articles(
    *, region: SourceRegion, tree: dict[int | None, list[SourceRegion]], shown: set[int] | None = None
) -> list[SourceRegion]:
    """The regions directly under `region` that have published articles, themselves or below them.

    `shown` is regions_shown(tree=tree) when the caller has it already.
    """
    shown = regions_shown(tree=tree) if shown is None else shown
    return [child for child in tree.get(region.pk, []) if child.pk in shown]


def delta_provinces_shown() -> list[SourceRegion]:
    """The Yangtze Delta's provinces readers may browse (published articles name them or a place in them)."""
    tree = region_tree()
    shown = regions_shown(tree=tree)
    return [region for region in tree.get(None, []) if region.in_yangtze_delta and region.pk in shown]
