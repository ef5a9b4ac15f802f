"""A generated archive of realistic published issues, composed from the project's own demo texts.

Every article starts from an article of the demo issues (``editorial/demo/issues/*.txt``)
of the same section: its title and paragraphs, with the place it names swapped for
another region of the catalogue (域外动态 for regions outside the delta, the other
sections for regions inside it) and its dates moved into the week before the issue.
Issues are numbered consecutively and dated a week apart (Fridays), carry 15–30
articles across all six standing sections, and are published as of their date.

The result depends only on the seed and the options, never on the database's
contents; writing goes through the services like every other writer (one transaction,
in bulk: issues, their section order, articles with their regions, a version of each,
one workflow-log entry per issue).
"""

import datetime
import random
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from editorial import services
from editorial.importers.legacy import ParsedArticle, parse_legacy
from editorial.importers.regions import RegionCatalogue, catalogue_from_db
from editorial.models import Issue, IssueTransition, Publication, Section, SourceRegion

DEMO_ISSUES = Path(__file__).resolve().parent / "issues"
FIRST_DATE = datetime.date(2015, 1, 2)
OUTSIDE_SECTION = "域外动态"
ARTICLES_PER_ISSUE = (15, 30)
DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")


class GenerationError(Exception):
    """The archive cannot be generated as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class BankArticle:
    section: str
    title: str
    paragraphs: tuple[str, ...]
    forms: tuple[str, ...]  # the names the title uses for its place, longest first


@dataclass(frozen=True)
class PlannedArticle:
    section: str
    title: str
    paragraphs: tuple[str, ...]
    page: int
    region: str  # slug


@dataclass(frozen=True)
class PlannedIssue:
    number: int
    date: datetime.date
    articles: tuple[PlannedArticle, ...]


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    in_delta: bool


def load_bank(*, folder: Path = DEMO_ISSUES, catalogue: RegionCatalogue) -> dict[str, list[BankArticle]]:
    """The demo issues' articles by section, each with the place names its title uses."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise GenerationError(f"找不到演示期刊文本（{folder}/*.txt），无法生成存档。")
    bank: dict[str, list[BankArticle]] = {}
    for path in files:
        for article in parse_legacy(path.read_bytes(), catalogue=catalogue).articles:
            forms = _place_forms(article, catalogue)
            if forms:
                bank.setdefault(article.section, []).append(
                    BankArticle(article.section, article.title, article.paragraphs, forms)
                )
    return bank


def _place_forms(article: ParsedArticle, catalogue: RegionCatalogue) -> tuple[str, ...]:
    forms = []
    for slug in article.regions:
        region = catalogue.get(slug)
        forms += [form for form in (region.name, *region.aliases) if len(form) > 1]
        for ancestor in catalogue.ancestors(slug):
            forms.append(catalogue.get(ancestor).name)
    in_title = [form for form in forms if form in article.title]
    return tuple(sorted(set(in_title), key=len, reverse=True))


def plan_archive(
    *,
    issues: int,
    seed: int,
    bank: dict[str, list[BankArticle]],
    places: list[Place],
    sections: list[str],
    first_number: int = 1,
    first_date: datetime.date = FIRST_DATE,
) -> list[PlannedIssue]:
    """The whole archive as plain data, determined by the seed alone."""
    rng = random.Random(seed)
    inside = [place for place in places if place.in_delta]
    outside = [place for place in places if not place.in_delta]
    missing = [name for name in sections if not bank.get(name)]
    if missing:
        raise GenerationError(f"演示期刊中没有这些栏目的文章：{'、'.join(missing)}。")
    if not inside or not outside:
        raise GenerationError("来源地区表中需要既有长三角内、也有长三角外的地区。")
    planned = []
    for offset in range(issues):
        number = first_number + offset
        date = first_date + datetime.timedelta(weeks=offset)
        count = rng.randint(*ARTICLES_PER_ISSUE)
        per_section = _spread(rng, count, len(sections))
        articles = []
        page = 3
        for name, how_many in zip(sections, per_section, strict=True):
            pool = bank[name]
            sources = rng.sample(pool, min(how_many, len(pool)))
            sources += [rng.choice(pool) for _ in range(how_many - len(sources))]
            used_titles = set()
            for source in sources:
                place = rng.choice(outside if name == OUTSIDE_SECTION else inside)
                title = _swap_place(source.title, source.forms, place.name)
                while title in used_titles:
                    place = rng.choice(outside if name == OUTSIDE_SECTION else inside)
                    title = _swap_place(source.title, source.forms, place.name)
                used_titles.add(title)
                paragraphs = [_retell(p, source.forms, place.name, date, rng) for p in source.paragraphs]
                if len(paragraphs) > 2 and rng.random() < 0.3:
                    paragraphs.pop(rng.randrange(1, len(paragraphs)))
                articles.append(PlannedArticle(name, title, tuple(paragraphs), page, place.slug))
                page += 1 if rng.random() < 0.75 else 0
        planned.append(PlannedIssue(number, date, tuple(articles)))
    return planned


def _spread(rng: random.Random, total: int, buckets: int) -> list[int]:
    """`total` articles over `buckets` sections, at least one each."""
    counts = [1] * buckets
    for _ in range(total - buckets):
        counts[rng.randrange(buckets)] += 1
    return counts


def _place_run(forms: tuple[str, ...]) -> re.Pattern:
    # A run of place names (上海宝山, 浙江嘉兴嘉善) is one place: it is swapped as a whole.
    return re.compile("(?:" + "|".join(map(re.escape, forms)) + ")+")


def _swap_place(text: str, forms: tuple[str, ...], name: str) -> str:
    swapped, count = _place_run(forms).subn(name, text, count=1)
    return swapped if count else f"{name}{text}"


def _retell(paragraph: str, forms: tuple[str, ...], name: str, date: datetime.date, rng: random.Random) -> str:
    """The paragraph about the new place, its dates moved into the week before the issue."""
    paragraph = _place_run(forms).sub(name, paragraph)

    def moved(_match):
        day = date - datetime.timedelta(days=rng.randint(1, 7))
        return f"{day.month}月{day.day}日"

    return DATE_IN_TEXT.sub(moved, paragraph)


# ---------------------------------------------------------------------------- writing


@transaction.atomic
def write_archive(*, planned: list[PlannedIssue], status: str = Issue.Status.PUBLISHED) -> int:
    """Write the planned issues through the services; raises GenerationError (and writes nothing) if a number is taken."""
    sections = {section.name: section for section in Section.objects.all()}
    region_ids = dict(SourceRegion.objects.values_list("slug", "pk"))
    records = [
        services.IssueRecord(
            number=plan.number,
            date=plan.date,
            status=status,
            published_at=_midnight(plan.date) if status == Issue.Status.PUBLISHED else None,
            articles=tuple(
                services.ArticleRecord(
                    title=item.title,
                    body="\n\n".join(item.paragraphs),
                    section=sections[item.section],
                    page=item.page,
                    regions=(region_ids[item.region],),
                )
                for item in plan.articles
            ),
        )
        for plan in planned
    ]
    try:
        services.issues_create(
            publication=Publication.objects.current(),
            records=records,
            user=None,
            reason="生成的演示存档",
            action=IssueTransition.Action.GENERATE,
            comment="生成的演示存档",
        )
    except ValidationError as refusal:
        if getattr(refusal, "code", None) == "number_taken":
            raise GenerationError(
                f"{refusal.messages[0]}未生成任何期刊。请用 --first-number 从未使用的期号开始。"
            ) from refusal
        raise GenerationError("；".join(refusal.messages)) from refusal
    return sum(len(plan.articles) for plan in planned)


def _midnight(date: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def places_from_db() -> list[Place]:
    return [
        Place(slug, name, in_delta)
        for slug, name, in_delta in SourceRegion.objects.order_by("position", "pk").values_list(
            "slug", "name", "in_yangtze_delta"
        )
    ]


def generate_archive(
    *,
    issues: int,
    seed: int = 0,
    first_number: int = 1,
    first_date: datetime.date = FIRST_DATE,
    status: str = Issue.Status.PUBLISHED,
) -> tuple[list[PlannedIssue], int]:
    """Plan and write an archive; returns the plan and the number of articles written."""
    catalogue = catalogue_from_db()
    planned = plan_archive(
        issues=issues,
        seed=seed,
        bank=load_bank(catalogue=catalogue),
        places=places_from_db(),
        sections=list(
            Section.objects.filter(is_standing=True).order_by("position", "pk").values_list("name", flat=True)
        ),
        first_number=first_number,
        first_date=first_date,
    )
    return planned, write_archive(planned=planned, status=status)
