"""/sitemap.xml: the public pages, every published issue and article, and the sections and regions in use."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import reverse

from .caching import archive_stamp, cached_response, page_validators
from .models import Article, Issue, SourceRegion
from .selectors import regions_in_use, sections_in_use


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["editorial:home", "editorial:issue-list"]

    def location(self, name):
        return reverse(name)


class IssueSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return Issue.objects.published().newest_first().only("pk", "number", "updated_at")

    def lastmod(self, issue):
        return issue.updated_at


class ArticleSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return (
            Article.objects.published()
            .select_related("issue")
            .only("pk", "updated_at", "issue__updated_at")
            .order_by("-issue__date", "position", "pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.issue.updated_at)


class SectionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return sections_in_use()


class RegionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        used = regions_in_use()
        regions = list(SourceRegion.objects.order_by("position", "pk"))
        wanted = set(used)
        by_pk = {region.pk: region for region in regions}
        for pk in used:
            parent = by_pk[pk].parent_id
            while parent is not None and parent not in wanted:
                wanted.add(parent)
                parent = by_pk[parent].parent_id
        return [region for region in regions if region.pk in wanted]


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "issues": IssueSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "regions": RegionSitemap,
}


def cached_sitemap(request):
    """The sitemap, kept in the page cache until the archive changes (it lists every article)."""
    stamp = archive_stamp()
    validators = page_validators(request, "sitemap", stamp.token, last_modified=stamp.latest)
    return cached_response(request, validators, lambda: sitemap(request, sitemaps=SITEMAPS))
