"""/sitemap.xml: the public pages, every published issue and article, and the sections and regions in use."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import reverse

from .caching import archive_stamp, cached_response
from .models import Article, Issue
from .selectors import region_tree, regions_shown, sections_in_use


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
        tree = region_tree()
        shown = regions_shown(tree=tree)
        regions = [region for children in tree.values() for region in children if region.pk in shown]
        return sorted(regions, key=lambda region: (region.position, region.pk))


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
