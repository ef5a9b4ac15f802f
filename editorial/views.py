"""Public pages. Every issue lookup goes through IssueMixin, so staff preview and 404s work alike everywhere."""

import datetime
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView, TemplateView

from . import selectors
from .caching import (
    REFERENCE_WINDOW,
    CachedPageMixin,
    archive_stamp,
    cache_get,
    cache_set,
    issue_stamp,
    latest,
    published_issue_stamp,
    stamped_key,
)
from .estimates import EstimatedPaginator
from .filters import ArticleFilter, parse_year
from .formatting import chinese_date
from .models import Article, Issue, Section, SourceRegion
from .search import SearchResults
from .selectors import issues_visible_to, may_preview

RECENT_ISSUES = 8
ARTICLES_PER_PAGE = 20
ISSUES_PER_PAGE = 50

# The search form's choice lists by (archive stamp, reference window): computing them takes four queries.
_search_choices: dict[tuple[str, int], selectors.SearchChoices] = {}


class IssueMixin:
    """Looks up the issue in the URL among those the user may see.

    The public sees published issues only (404 otherwise); staff may preview any
    issue, and such a response is marked as a preview and never cached.
    """

    def get_issue_queryset(self):
        return issues_visible_to(user=self.request.user).select_related("publication")

    def get_issue(self) -> Issue:
        if not hasattr(self, "_issue"):
            self._issue = get_object_or_404(self.get_issue_queryset(), number=self.kwargs["number"])
        return self._issue

    @property
    def is_preview(self) -> bool:
        # Only staff can see an unpublished issue; asking costs the public no query.
        return may_preview(self.request.user) and not self.get_issue().is_published

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if "number" in self.kwargs and self.is_preview:
            add_never_cache_headers(response)
        return response


class HomeView(CachedPageMixin, TemplateView):
    """The latest published issue's masthead and contents, and the issues before it."""

    template_name = "editorial/home.html"

    def get_stamps(self):
        stamp = archive_stamp()
        return ("home", stamp.token), stamp.latest

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recent = list(Issue.objects.published().newest_first().select_related("publication")[: RECENT_ISSUES + 1])
        issue = recent[0] if recent else None
        context.update(
            issue=issue,
            toc=selectors.issue_table_of_contents(issue=issue) if issue else [],
            recent_issues=recent[1:],
            sections=selectors.sections_in_use(),
            delta_provinces=selectors.delta_provinces_shown(),
        )
        return context


class IssueArchiveView(CachedPageMixin, ListView):
    """Every published issue, newest first, grouped by year; `?year=2020` shows one year.

    A page costs the same at any archive size: the issues of the page come from the index by date,
    their article counts from their own articles, and the number of issues from the years' counts,
    which are worked out once per archive state (the shared cache keeps them).
    """

    template_name = "editorial/issue_list.html"
    context_object_name = "issues"
    paginate_by = ISSUES_PER_PAGE
    cache_params = ("year", "page")

    def get_stamps(self):
        self.stamp = archive_stamp()
        return ("archive", self.stamp.token), self.stamp.latest

    def get_queryset(self):
        raw = self.request.GET.get("year", "").strip()
        self.year = parse_year(raw)
        self.year_error = f"“{raw[:20]}”不是有效的年份，下面列出全部往期。" if raw and self.year is None else ""
        return selectors.archive_issues(year=self.year)

    def get_years(self) -> list[tuple[int, int]]:
        """(year, issues) for every year with published issues, newest first: once per archive state."""
        if not hasattr(self, "years"):
            key = "archive-years:" + stamped_key(self.stamp.token)
            self.years = cache_get(key)
            if self.years is None:
                self.years = selectors.archive_years()
                cache_set(key, self.years)
        return self.years

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        counts = dict(self.get_years())
        known = counts.get(self.year, 0) if self.year is not None else sum(counts.values())
        return CountedPaginator(queryset, per_page, orphans, allow_empty_first_page, count=known)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        issues = list(page.object_list)
        counts = selectors.article_counts(issues)
        for issue in issues:
            issue.article_count = counts.get(issue.pk, 0)
        page.object_list = issues
        context.update(issues=issues, year=self.year, year_error=self.year_error, years=self.get_years())
        return context


class CountedPaginator(Paginator):
    """A paginator told how many objects there are, instead of counting them."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, count: int):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.count = count


class IssueDetailView(IssueMixin, CachedPageMixin, TemplateView):
    """One issue: masthead, contents with in-page anchors, then every article in reading order."""

    template_name = "editorial/issue_detail.html"

    def get_stamps(self):
        if may_preview(self.request.user):
            if self.is_preview:
                return None
            found = issue_stamp(self.get_issue(), archive_stamp())
        else:
            # Readers: the issue's and the archive's stamps in one plain query, so a cached page costs little.
            found = getattr(self.request, "published_issue_stamp", None) or published_issue_stamp(
                number=self.kwargs["number"]
            )
            if found is None:
                raise Http404("没有这一期。")
        return found.parts, found.last_modified

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.get_issue()
        previous_issue, next_issue = selectors.issue_neighbours(issue=issue)
        context.update(
            issue=issue,
            toc=selectors.issue_table_of_contents(issue=issue),
            previous_issue=previous_issue,
            next_issue=next_issue,
            is_preview=self.is_preview,
        )
        return context


class ArticleDetailView(CachedPageMixin, TemplateView):
    """One article with its issue, section, regions and its neighbours in the issue."""

    template_name = "editorial/article_detail.html"

    def get_article(self) -> Article:
        if not hasattr(self, "_article"):
            self._article = get_object_or_404(
                selectors.articles_visible_to(user=self.request.user).select_related("issue__publication", "section"),
                pk=self.kwargs["pk"],
            )
        return self._article

    @property
    def is_preview(self) -> bool:
        return not self.get_article().issue.is_published

    def get_stamps(self):
        article = self.get_article()
        if self.is_preview:
            return None
        issue = article.issue
        parts = ("article", article.pk, article.updated_at.isoformat(), issue.updated_at.isoformat())
        return parts, latest(article.updated_at, issue.updated_at)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.is_preview:
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.get_article()
        toc = selectors.issue_table_of_contents(issue=article.issue)
        # The copy from the contents carries the prefetched regions.
        article = next((item for entry in toc for item in entry.articles if item.pk == article.pk), article)
        previous_article, next_article = selectors.reading_neighbours(toc=toc, article=article)
        context.update(
            article=article,
            issue=article.issue,
            previous_article=previous_article,
            next_article=next_article,
            is_preview=self.is_preview,
        )
        return context


class ArticleListMixin(CachedPageMixin):
    """A paginated list of published article cards, newest first; a long list's count is an estimate."""

    paginate_by = ARTICLES_PER_PAGE
    paginator_class = EstimatedPaginator
    context_object_name = "articles"
    cache_params = ("page",)

    def get_stamps(self):
        self.get_subject()
        stamp = archive_stamp()
        return (self.template_name, stamp.token), stamp.latest

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["terms"] = ()
        return context


class RegionDetailView(ArticleListMixin, ListView):
    """Published articles from a region and every region under it; a region none of them names has no page."""

    template_name = "editorial/region_detail.html"

    def get_subject(self) -> SourceRegion:
        if not hasattr(self, "region"):
            self.tree = selectors.region_tree()
            self.shown = selectors.regions_shown(tree=self.tree)
            regions = (region for children in self.tree.values() for region in children)
            self.region = next((region for region in regions if region.slug == self.kwargs["slug"]), None)
            if self.region is None or self.region.pk not in self.shown:
                raise Http404("没有这个地区。")
        return self.region

    def get_queryset(self):
        articles = selectors.articles_from_region(region=self.get_subject(), tree=self.tree)
        return selectors.article_cards(selectors.newest_articles(articles))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            region=self.region,
            ancestors=selectors.region_ancestors(region=self.region, tree=self.tree),
            subregions=selectors.subregions_with_articles(region=self.region, tree=self.tree, shown=self.shown),
        )
        return context


class SectionDetailView(ArticleListMixin, ListView):
    """Published articles of a section; a section no published article is in has no page."""

    template_name = "editorial/section_detail.html"

    def get_subject(self) -> Section:
        if not hasattr(self, "section"):
            self.section = get_object_or_404(selectors.sections_in_use(), slug=self.kwargs["slug"])
        return self.section

    def get_queryset(self):
        return selectors.article_cards(
            selectors.newest_articles(Article.objects.published().filter(section=self.get_subject()))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        return context


class SubscribeView(TemplateView):
    """订阅: what the Atom feed is and how to follow the digest with it."""

    template_name = "editorial/subscribe.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "feed_url": settings.SITE_URL + reverse("editorial:feed")}


class SearchView(CachedPageMixin, TemplateView):
    """Keyword search over published articles with filters; the filters keep their values across pages."""

    template_name = "editorial/search.html"
    cache_params = (*ArticleFilter.base_filters, "page")

    def get_stamps(self):
        self.stamp = archive_stamp()
        return ("search", self.stamp.token), self.stamp.latest

    def get_choices(self) -> selectors.SearchChoices:
        """The form's choice lists, computed once per archive state (and reference window) in each process."""
        key = (self.stamp.token, int(time.time()) // REFERENCE_WINDOW)
        choices = _search_choices.get(key)
        if choices is None:
            choices = selectors.search_choices()
            # Only the current state is worth keeping; dict operations are atomic, so threads may share it.
            _search_choices.clear()
            _search_choices[key] = choices
        return choices

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        searched = any(value.strip() for value in params.values())
        filterset = ArticleFilter(
            self.request.GET if searched else None,
            queryset=selectors.newest_articles(Article.objects.published()),
            choices=self.get_choices(),
        )
        context.update(filter=filterset, form=filterset.form, searched=searched, terms=())
        if searched and filterset.is_valid():
            context["active_filters"] = active_filters(filterset.form)
            # Every page of one search shares its ranking and count, remembered until the archive changes.
            key = "search-results:" + stamped_key(sorted(params.lists()), self.stamp.token)
            results = SearchResults(
                filterset.qs,
                terms=filterset.terms,
                load=selectors.article_cards,
                remember=(lambda: cache_get(key), lambda found: cache_set(key, found)),
            )
            paginator = Paginator(results, ARTICLES_PER_PAGE)
            page = paginator.get_page(self.request.GET.get("page"))
            context.update(
                page_obj=page,
                articles=page.object_list,
                paginator=paginator,
                is_paginated=page.has_other_pages(),
                terms=filterset.terms,
                total=results.total,
                truncated=results.truncated,
                ranked_hits=len(results),
            )
            if not paginator.count:
                context["suggestions"] = no_hit_suggestions(
                    terms=filterset.terms, query=self.request.GET.get("q", ""), filters=context["active_filters"]
                )
        return context


def active_filters(form) -> list[tuple[str, str]]:
    """The filters a search uses besides its keywords, as (label, what was chosen) for the page to name."""
    chosen = []
    for name in ("region", "section", "year", "date_from", "date_to"):
        value = form.cleaned_data.get(name)
        if not value:
            continue
        if isinstance(value, datetime.date):
            shown = chinese_date(value)
        else:
            shown = dict(_flat_choices(form.fields[name].choices)).get(value, value)
        chosen.append((str(form.fields[name].label), str(shown)))
    return chosen


def _flat_choices(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield str(value), label


def no_hit_suggestions(*, terms: tuple[str, ...], query: str, filters: list) -> list[tuple[str, str]]:
    """What to try after a search found nothing: the keywords without the filters, each keyword alone."""
    search_url = reverse("editorial:search")
    suggestions = []
    if filters and query.strip():
        suggestions.append((f"不限条件，只查“{query.strip()}”", f"{search_url}?{urlencode({'q': query.strip()})}"))
    if len(terms) > 1:
        suggestions += [(f"只查“{term}”", f"{search_url}?{urlencode({'q': term})}") for term in terms[:3]]
    return suggestions
