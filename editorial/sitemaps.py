"""/sitemap.xml: the public pages, every published issue and article, and the sections and regions in use."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import reverse

from .caching import archive_stamp, cached_response
from .models import Article, Issue, SourceRegion
from .selectors import regions_in_use, sections_in_use


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL, never on the Host header of whoever asked first (the sitemap is cached)."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticPagesSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return ["editorial:home", "editorial:issue-list"]

    def location(self, name):
        return reverse(name)


class IssueSitemap(SiteSitemap):
    changefreq = "yearly"

    def items(self):
        return Issue.objects.published().newest_first().only("pk", "number", "updated_at")

    def lastmod(self, issue):
        return issue.updated_at


class ArticleSitemap(SiteSitemap):
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


class SectionSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return sections_in_use()


class RegionSitemap(SiteSitemap):
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
    return cached_response(
        request,
        params=("p",),  # the sitemap's own pagination (beyond 50,000 addresses a section)
        stamps=("sitemap", stamp.token),
        last_modified=stamp.latest,
        render=lambda: sitemap(request, sitemaps=SITEMAPS),
    )
