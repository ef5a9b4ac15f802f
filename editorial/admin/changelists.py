"""Admin lists of tables that grow with the archive (articles, issues), at a cost that follows the page.

Django's list counts every row it could show, counts again without the filters, and with facets
counts every filter's choices over the whole table: at 5,000 issues (112,000 articles) that was
1–4 s a page. Here the count is exact while that is cheap and estimated beyond (shown as 约 N,
editorial.estimates), the total without filters is not counted, and the filters' counts are
computed when an editor asks for them (显示计数).
"""

from django.contrib import admin
from django.utils.functional import cached_property

from .. import estimates, search
from ..estimates import EstimatedPaginator


class LargeListMixin:
    """For a ModelAdmin whose list may hold the whole archive."""

    paginator = EstimatedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.ALLOW


class ArticlePaginator(EstimatedPaginator):
    """The article list's pages: found through the indexes whatever the archive's size.

    In its default order (articles not yet in an issue first, then by their issue, newest first)
    the list is read in two parts, so that PostgreSQL walks issues by date and stops after a page:
    sorting articles by a date on the other side of an outer join meant reading all of them. A
    search's terms (`terms`) go through the bigram index when they are rare (search.reads_index_first).
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, terms=(), default_order=True):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.terms = tuple(terms)
        self.default_order = default_order

    @cached_property
    def counted(self) -> estimates.Count:
        return estimates.count(self.object_list, exact_queryset=self._indexed(self.object_list))

    def _indexed(self, queryset):
        return search.through_bigram_index(queryset, terms=self.terms) if self.terms else queryset

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        counted = self.counted
        if not counted.estimated and top + self.orphans >= self.count:
            top = self.count
        # The list shows titles: the texts stay in the database.
        rows = self.object_list.defer("body", "search_title", "search_text")
        if self.terms and search.reads_index_first(hits=counted.value, table_rows=counted.table_rows, wanted=top):
            rows = self._indexed(rows)
        if not self.default_order:
            return self._get_page(list(rows[bottom:top]), number, self)
        pool = rows.filter(issue__isnull=True)
        in_pool = pool.count()
        listed = list(pool[bottom:top]) if bottom < in_pool else []
        wanted = top - bottom - len(listed)
        if wanted > 0:
            start = max(0, bottom - in_pool)
            listed += rows.filter(issue__isnull=False)[start : start + wanted]
        return self._get_page(listed, number, self)
