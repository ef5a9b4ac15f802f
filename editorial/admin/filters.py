"""List filters for the issue and article lists: year, where an article stands, region with its subregions."""

from django.contrib import admin
from django.db.models import Q
from django.db.models.functions import ExtractYear

from ..models import Article, Issue, SourceRegion


class YearFilter(admin.SimpleListFilter):
    """出刊年份: the years issues came out in (for articles, their issue's year)."""

    title = "出刊年份"
    parameter_name = "year"
    date_path = "date"

    def lookups(self, request, model_admin):
        years = (
            Issue.objects.annotate(year=ExtractYear("date")).order_by("-year").values_list("year", flat=True).distinct()
        )
        return [(str(year), f"{year}年") for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{f"{self.date_path}__year": int(self.value())})
        return queryset


class IssueYearFilter(YearFilter):
    date_path = "issue__date"


class PlacementFilter(admin.SimpleListFilter):
    """稿件状态: still in the pool, or in an issue of a given status."""

    title = "稿件状态"
    parameter_name = "placement"
    POOL = "pool"

    def lookups(self, request, model_admin):
        return [
            (self.POOL, "稿件库（未编入期刊）"),
            *[(status.value, f"在{status.label}期刊中") for status in Issue.Status],
        ]

    def queryset(self, request, queryset):
        if self.value() == self.POOL:
            return queryset.filter(issue__isnull=True)
        if self.value() in Issue.Status.values:
            return queryset.filter(issue__status=self.value())
        return queryset


class RegionFilter(admin.SimpleListFilter):
    """来源地区: a province or city includes its districts (上海 includes 浦东新区), as on the public pages."""

    title = "来源地区"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        used = SourceRegion.objects.filter(
            Q(articles__isnull=False)
            | Q(children__articles__isnull=False)
            | Q(children__children__articles__isnull=False)
        ).distinct()
        return [(region.slug, str(region)) for region in used.order_by("position", "pk")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        region_filter = (
            Q(regions__slug=self.value())
            | Q(regions__parent__slug=self.value())
            | Q(regions__parent__parent__slug=self.value())
        )
        return queryset.filter(pk__in=Article.objects.filter(region_filter).values("pk"))
