"""The Atom feed of the latest published issues, each entry listing the issue's articles."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .caching import archive_stamp, cached_response
from .models import Issue, Publication
from .selectors import tables_of_contents

FEED_ISSUES = 10


class LatestIssuesFeed(Feed):
    """One entry per issue, newest first; its content is the issue's table of contents with links."""

    feed_type = Atom1Feed
    description_template = "editorial/feeds/issue_entry.html"

    def __call__(self, request, *args, **kwargs):
        stamp = archive_stamp()
        return cached_response(
            request,
            params=(),
            stamps=("feed", stamp.token),
            last_modified=stamp.latest,
            render=lambda: super(LatestIssuesFeed, self).__call__(request),
        )

    def get_object(self, request, *args, **kwargs):
        return Publication.objects.current()

    def title(self, publication):
        return publication.title

    def subtitle(self, publication):
        return f"{publication.office}编发，每周一期"

    def author_name(self, publication):
        return publication.office

    # Absolute links from SITE_URL (Django leaves absolute ones alone), never from the request's Host.
    def link(self):
        return settings.SITE_URL + reverse("editorial:home")

    def feed_url(self):
        return settings.SITE_URL + reverse("editorial:feed")

    def items(self):
        issues = list(Issue.objects.published().newest_first().select_related("publication")[:FEED_ISSUES])
        contents = tables_of_contents(issues=issues)
        for issue in issues:
            issue.toc = contents[issue.pk]
        return issues

    def item_title(self, issue):
        return f"{issue.publication.title} {issue.period_label}"

    def item_link(self, issue):
        return settings.SITE_URL + issue.get_absolute_url()

    def item_pubdate(self, issue):
        return issue.published_at

    def item_updateddate(self, issue):
        return issue.updated_at

    def item_author_name(self, issue):
        return issue.publication.office

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["toc"] = kwargs["item"].toc
        context["base_url"] = settings.SITE_URL
        return context
