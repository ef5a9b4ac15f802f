"""The figures of the office's work for a year or part of one: what it published, and what that achieved.

`work_statistics(period=...)` computes everything the statistics page, the `editorial_stats`
command and the year-end Word report show, in a fixed number of grouped queries (twelve, however
large the archive). Counting rules:

- Coverage — issues, articles, characters, sections, regions — counts the published issues dated in
  the period and their articles. Drafts, issues in review, signed off, scheduled or withdrawn, and
  the pool are left out.
- An article counts under a province when it names the province or any place under it (浦东新区 →
  上海; 吴江 → 苏州 → 江苏); naming several places in one province, it counts once for that province.
  The 长三角 cities work the same way one level down; a province-level city whose places are all
  districts (上海) is its own city. The sum over provinces can exceed the articles: an article about
  上海 and 杭州 counts for both.
- Characters are the body's, without spaces and line breaks.
- Instructions and adoptions count by their own date (批示日期, 采用日期) in the period, whatever their
  article's issue's status: an instruction on an item sent up before its issue came out is the
  office's work all the same. By section and region they count under their article's, once per
  province as above.
"""

import calendar
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import BigIntegerField, Case, Count, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, Length, Replace
from django.db.models.lookups import In

from .models import Adoption, Article, Instruction, Issue, LeaderLevel, Section, SourceRegion

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
TOP_ARTICLES = 10
NO_SECTION = "（未分栏目）"
# What does not count as a character of the body.
BLANKS = ("\n", "\r", "\t", " ", "\u3000")


# ---------------------------------------------------------------------------------------------
# The period


@dataclass(frozen=True)
class Period:
    """A year, or a range of its months (a quarter is months 1–3, 4–6 …)."""

    year: int
    first_month: int = 1
    last_month: int = 12

    def __post_init__(self):
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise ValueError(f"月份范围不正确：{self.first_month}月至{self.last_month}月。")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"年份不正确：{self.year}。")

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in QUARTERS:
            raise ValueError(f"季度只能是 1 到 4，不是 {quarter}。")
        return cls(year, 3 * quarter - 2, 3 * quarter)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    @property
    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)

    @property
    def is_whole_year(self) -> bool:
        return (self.first_month, self.last_month) == (1, 12)

    @property
    def quarter(self) -> int | None:
        """The quarter this period is exactly, or None."""
        if self.last_month - self.first_month == 2 and self.first_month % 3 == 1:
            return (self.first_month + 2) // 3
        return None

    @property
    def label(self) -> str:
        """2024年, 2024年第一季度, 2024年3月, 2024年3—5月."""
        if self.is_whole_year:
            return f"{self.year}年"
        if self.quarter:
            return f"{self.year}年{QUARTERS[self.quarter]}"
        if self.first_month == self.last_month:
            return f"{self.year}年{self.first_month}月"
        return f"{self.year}年{self.first_month}—{self.last_month}月"


# ---------------------------------------------------------------------------------------------
# The region tree


@dataclass(frozen=True)
class Place:
    pk: int
    parent_id: int | None
    kind: str
    name: str
    in_delta: bool


class RegionTree:
    """The source regions as a tree: which province and which 长三角 city each place belongs to."""

    def __init__(self, places: list[Place]):
        self.places = {place.pk: place for place in places}
        self.order = [place.pk for place in places]
        with_cities = {
            self.places[place.parent_id].pk
            for place in places
            if place.kind == SourceRegion.Kind.CITY and place.parent_id in self.places
        }
        # A province-level region with districts and no cities (上海) is itself a city.
        self.municipalities = {
            pk
            for pk, place in self.places.items()
            if place.kind == SourceRegion.Kind.PROVINCE and pk not in with_cities
        }

    @classmethod
    def load(cls) -> "RegionTree":
        """The tree from the region table (one query)."""
        rows = SourceRegion.objects.order_by("position", "pk").values_list(
            "pk", "parent_id", "kind", "name", "in_yangtze_delta"
        )
        return cls([Place(*row) for row in rows])

    def lineage(self, pk: int) -> list[Place]:
        """The place and every place above it, nearest first."""
        chain: list[Place] = []
        while pk is not None and pk in self.places and all(place.pk != pk for place in chain):
            chain.append(self.places[pk])
            pk = self.places[pk].parent_id
        return chain

    def province_of(self, pk: int) -> int | None:
        chain = self.lineage(pk)
        return chain[-1].pk if chain else None

    def city_of(self, pk: int) -> int | None:
        """The 长三角 city a place is in (or is), or None for places outside the delta or above city level."""
        for place in self.lineage(pk):
            if not place.in_delta:
                return None
            if place.kind == SourceRegion.Kind.CITY or place.pk in self.municipalities:
                return place.pk
        return None

    @cached_property
    def provinces(self) -> list[Place]:
        return [self.places[pk] for pk in self.order if self.places[pk].kind == SourceRegion.Kind.PROVINCE]

    @cached_property
    def delta_cities(self) -> list[tuple[Place, list[Place]]]:
        """The 长三角 provinces in order, each with its cities in order (上海 with itself)."""
        cities: dict[int, list[Place]] = defaultdict(list)
        for pk in self.order:
            place = self.places[pk]
            if place.in_delta and self.city_of(pk) == pk:
                cities[self.province_of(pk)].append(place)
        return [(province, cities[province.pk]) for province in self.provinces if province.in_delta]

    @cached_property
    def depth(self) -> int:
        """How many levels the deepest place has (province 1, city 2, district 3)."""
        return max((len(self.lineage(pk)) for pk in self.order), default=1)

    def _level(self, region: str, up: int, attribute: str) -> str:
        """The lookup path of an attribute of the place `up` levels above the region in `region`."""
        return region + "__parent" * up + f"__{attribute}"

    def province_expression(self, region: str = "sourceregion"):
        """SQL: the id of the province-level place a row's region is or is under.

        The topmost ancestor the joins reach, as deep as the tree loaded here goes, so exact for this tree.
        """
        levels = [F(self._level(region, up, "id")) for up in reversed(range(self.depth))]
        return Coalesce(*levels, output_field=BigIntegerField()) if len(levels) > 1 else levels[0]

    def city_expression(self, region: str = "sourceregion") -> Case:
        """SQL: the id of the 长三角 city a row's region is or is in (None outside the delta or above city level)."""
        nearest_city = [
            When(**{self._level(region, up, "kind"): SourceRegion.Kind.CITY}, then=F(self._level(region, up, "id")))
            for up in range(self.depth)
        ]
        province = self.province_expression(region)
        return Case(
            When(**{f"{region}__in_yangtze_delta": False}, then=Value(None)),
            *nearest_city,
            When(In(province, sorted(self.municipalities) or [0]), then=province),
            default=Value(None),
            output_field=BigIntegerField(),
        )


# ---------------------------------------------------------------------------------------------
# The figures


@dataclass(frozen=True)
class Tally:
    """A named count: articles of a section, instructions of a level …"""

    name: str
    count: int


@dataclass(frozen=True)
class DeltaProvince:
    """A 长三角 province with the articles about each of its cities."""

    name: str
    cities: tuple[Tally, ...]

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(city.name for city in self.cities if not city.count)


@dataclass(frozen=True)
class MonthRecords:
    month: int
    instructions: int
    adoptions: int


@dataclass(frozen=True)
class Records:
    """Instructions and adoptions under one name (a section, a province)."""

    name: str
    instructions: int
    adoptions: int


@dataclass(frozen=True)
class TopArticle:
    pk: int
    title: str
    placement: str  # 2024年第12期, or 稿件库
    section: str
    instructions: int
    adoptions: int


@dataclass(frozen=True)
class WorkStatistics:
    period: Period
    issues: int
    articles: int
    characters: int
    by_section: tuple[Tally, ...]
    by_province: tuple[Tally, ...]  # every province-level region, in the catalogue's order
    delta: tuple[DeltaProvince, ...]
    instructions: int
    adoptions: int
    by_month: tuple[MonthRecords, ...]
    instructions_by_level: tuple[Tally, ...]
    records_by_section: tuple[Records, ...]
    records_by_province: tuple[Records, ...]  # provinces with any, most first
    top_articles: tuple[TopArticle, ...]

    @property
    def covered_provinces(self) -> tuple[Tally, ...]:
        """Provinces with articles, most first."""
        return tuple(sorted((tally for tally in self.by_province if tally.count), key=lambda tally: -tally.count))

    @property
    def uncovered_cities(self) -> tuple[str, ...]:
        return tuple(name for province in self.delta for name in province.uncovered)

    @property
    def delta_city_count(self) -> int:
        return sum(len(province.cities) for province in self.delta)


def _characters_of(field: str):
    text = field
    for blank in BLANKS:
        text = Replace(text, Value(blank), Value(""))
    return Length(text)


def work_statistics(*, period: Period) -> WorkStatistics:
    """Every figure for the period (see the module's docstring for what counts)."""
    tree = RegionTree.load()
    span = (period.start, period.end)

    totals = (
        Issue.objects.published()
        .filter(date__range=span)
        .aggregate(
            issue_total=Count("pk", distinct=True),
            article_total=Count("articles"),
            character_total=Coalesce(Sum(_characters_of("articles__body")), 0),
        )
    )
    sections = list(Section.objects.order_by("position", "pk").values_list("pk", "name"))
    published = Article.objects.filter(issue__status=Issue.Status.PUBLISHED, issue__date__range=span)
    per_section = dict(published.order_by().values("section_id").annotate(n=Count("pk")).values_list("section_id", "n"))
    links = Article.regions.through.objects.filter(
        article__issue__status=Issue.Status.PUBLISHED, article__issue__date__range=span
    )
    province_group = tree.province_expression()
    per_province = _grouped_counts(links, province_group, "article_id")
    per_city = _grouped_counts(links, tree.city_expression(), "article_id")

    # Each instruction falls in exactly one (month, level, section) group, so sums over groups count it once.
    instruction_groups = list(
        Instruction.objects.filter(date__range=span)
        .annotate(month=ExtractMonth("date"))
        .order_by()
        .values("month", "level_id", "article__section_id")
        .annotate(n=Count("pk"))
        .values_list("month", "level_id", "article__section_id", "n")
    )
    adoption_groups = list(
        Adoption.objects.filter(date__range=span)
        .annotate(month=ExtractMonth("date"))
        .order_by()
        .values("month", "article__section_id")
        .annotate(n=Count("pk"))
        .values_list("month", "article__section_id", "n")
    )
    levels = list(LeaderLevel.objects.order_by("position", "pk").values_list("pk", "name"))
    instructions_per_province = _grouped_counts(
        Article.regions.through.objects.filter(article__instructions__date__range=span),
        province_group,
        "article__instructions",
    )
    adoptions_per_province = _grouped_counts(
        Article.regions.through.objects.filter(article__adoptions__date__range=span),
        province_group,
        "article__adoptions",
    )

    instructions_by_month = _sum_by(instruction_groups, key_index=0)
    adoptions_by_month = _sum_by(adoption_groups, key_index=0)
    instructions_by_level = _sum_by(instruction_groups, key_index=1)
    section_rows = [*sections, (None, NO_SECTION)]
    return WorkStatistics(
        period=period,
        issues=totals["issue_total"],
        articles=totals["article_total"],
        characters=totals["character_total"],
        by_section=tuple(Tally(name, per_section.get(pk, 0)) for pk, name in sections),
        by_province=tuple(Tally(place.name, per_province.get(place.pk, 0)) for place in tree.provinces),
        delta=tuple(
            DeltaProvince(province.name, tuple(Tally(city.name, per_city.get(city.pk, 0)) for city in cities))
            for province, cities in tree.delta_cities
        ),
        instructions=sum(instructions_by_month.values()),
        adoptions=sum(adoptions_by_month.values()),
        by_month=tuple(
            MonthRecords(month, instructions_by_month.get(month, 0), adoptions_by_month.get(month, 0))
            for month in period.months
        ),
        instructions_by_level=tuple(Tally(name, instructions_by_level.get(pk, 0)) for pk, name in levels),
        records_by_section=_records(
            section_rows, _sum_by(instruction_groups, key_index=2), _sum_by(adoption_groups, key_index=1)
        ),
        records_by_province=tuple(
            sorted(
                _records(
                    [(place.pk, place.name) for place in tree.provinces],
                    instructions_per_province,
                    adoptions_per_province,
                ),
                key=lambda records: (-records.instructions, -records.adoptions),
            )
        ),
        top_articles=_top_articles(span, dict(sections)),
    )


def _grouped_counts(rows, group, counted: str) -> dict[int, int]:
    """Distinct `counted` per group (one query); rows outside every group are left out."""
    counts = (
        rows.order_by().annotate(group=group).values("group").annotate(n=Count(counted, distinct=True))
    ).values_list("group", "n")
    return {key: number for key, number in counts if key is not None}


def _sum_by(groups, *, key_index: int) -> Counter:
    """Totals per key from grouped rows whose last value is the count."""
    totals: Counter = Counter()
    for row in groups:
        totals[row[key_index]] += row[-1]
    return totals


def _records(names, instructions: dict, adoptions: dict) -> tuple[Records, ...]:
    """Records per name, for the names with any."""
    return tuple(
        Records(name, instructions.get(key, 0), adoptions.get(key, 0))
        for key, name in names
        if instructions.get(key) or adoptions.get(key)
    )


def _top_articles(span, section_names: dict[int, str]) -> tuple[TopArticle, ...]:
    """The articles with the most instructions in the period (one query)."""
    adopted = (
        Adoption.objects.filter(article=OuterRef("pk"), date__range=span)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    articles = (
        Article.objects.filter(instructions__date__range=span)
        .annotate(
            instruction_total=Count("instructions"),
            adoption_total=Coalesce(Subquery(adopted, output_field=IntegerField()), 0),
        )
        .order_by("-instruction_total", "-adoption_total", "pk")
        .values_list(
            "pk",
            "title",
            "issue__number",
            "issue__date",
            "issue__status",
            "section_id",
            "instruction_total",
            "adoption_total",
        )
    )[:TOP_ARTICLES]
    return tuple(
        TopArticle(
            pk=pk,
            title=title,
            placement=placement_label(number=number, date=date, status=status),
            section=section_names.get(section_id, NO_SECTION),
            instructions=instructions,
            adoptions=adoptions,
        )
        for pk, title, number, date, status, section_id, instructions, adoptions in articles
    )


def placement_label(*, number: int | None, date: datetime.date | None, status: str | None) -> str:
    """Where an article appeared: 2024年第12期; an unpublished issue's status in brackets; 稿件库 for the pool."""
    if number is None:
        return "稿件库"
    label = f"{date.year}年第{number}期"
    if status != Issue.Status.PUBLISHED:
        label += f"（{Issue.Status(status).label}）"
    return label


def instructions_in(*, period: Period):
    """The period's instructions with their articles, in date order (one query), for the year-end report's list."""
    return (
        Instruction.objects.filter(date__range=(period.start, period.end))
        .select_related("level", "article__issue", "article__section")
        .order_by("date", "pk")
    )


def adoptions_in(*, period: Period):
    """The period's adoptions with their articles, in date order (one query)."""
    return (
        Adoption.objects.filter(date__range=(period.start, period.end))
        .select_related("article__issue", "article__section")
        .order_by("date", "pk")
    )


def years_with_issues() -> list[int]:
    """The years published issues came out in, newest first (for the period chooser)."""
    return sorted({date.year for date in Issue.objects.published().dates("date", "year")}, reverse=True)
