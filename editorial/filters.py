"""The search form: keywords, and filters by region, section, year and date range (django-filter)."""

import datetime

import django_filters
from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article
from .search import MAX_QUERY_LENGTH, QueryError, matching, parse_query
from .selectors import SearchChoices, article_pks_from_region


def parse_year(value: str) -> int | None:
    """The year a query parameter names: four ASCII digits from 0001 to 9999 (what a date can hold), else None."""
    value = value.strip()
    if len(value) == 4 and value.isascii() and value.isdigit() and int(value) >= datetime.MINYEAR:
        return int(value)
    return None


class QuickSelect(forms.Select):
    """Django's <select>, written in Python: the same HTML without a template rendered for every option.

    The search form's region, section and year lists (one option a year: 96 at 5,000 weekly issues)
    rendered option by option took a third of a new search's CPU.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every piece of text above is escaped


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them (escaped): True alone, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class KeywordsField(forms.CharField):
    """The reader's query; cleans to its tuple of normalised terms (empty when there are none)."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_query(value or "")
        except QueryError as error:
            raise forms.ValidationError(str(error), code="query") from error


class KeywordsFilter(django_filters.Filter):
    field_class = KeywordsField


class ArticleFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned


class ArticleFilter(django_filters.FilterSet):
    """Published articles matching the keywords and filters, newest first (search.SearchResults ranks them).

    The queryset passed in must be published articles, newest first.
    Choice lists come from `choices` (selectors.search_choices()): only what published articles use.
    """

    q = KeywordsFilter(
        label="关键词",
        method="filter_keywords",
        # The length is checked by parse_query, with its own message; the browser stops at it too.
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": "输入关键词，多个关键词用空格分隔"}
        ),
    )
    region = django_filters.ChoiceFilter(
        label="地区",
        widget=QuickSelect,
        method="filter_region",
        empty_label="全部地区",
        error_messages={"invalid_choice": "没有找到这个地区（%(value)s），请从列表中选择。"},
    )
    section = django_filters.ChoiceFilter(
        label="栏目",
        widget=QuickSelect,
        field_name="section__slug",
        empty_label="全部栏目",
        error_messages={"invalid_choice": "没有找到这个栏目（%(value)s），请从列表中选择。"},
    )
    year = django_filters.ChoiceFilter(
        label="年份",
        widget=QuickSelect,
        field_name="issue__date__year",
        empty_label="全部年份",
        error_messages={"invalid_choice": "这一年（%(value)s）没有已发布的期刊，请从列表中选择。"},
    )
    date_from = django_filters.DateFilter(
        label="起始日期",
        field_name="issue__date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "起始日期的格式应为 2020-10-30。"},
    )
    date_to = django_filters.DateFilter(
        label="截止日期",
        field_name="issue__date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "截止日期的格式应为 2020-10-30。"},
    )

    class Meta:
        model = Article
        fields = ["q", "region", "section", "year", "date_from", "date_to"]
        form = ArticleFilterForm

    def __init__(self, data=None, queryset=None, *, choices: SearchChoices, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["region"].extra["choices"] = choices.regions
        self.filters["section"].extra["choices"] = choices.sections
        self.filters["year"].extra["choices"] = choices.years
        self._region_tree = choices.region_tree

    @property
    def terms(self) -> tuple[str, ...]:
        """The cleaned query's terms (for highlighting); empty when there are none or the form is invalid."""
        return self.form.cleaned_data.get("q", ()) if self.is_valid() else ()

    def filter_keywords(self, queryset, name, terms):
        return matching(queryset, terms=terms)

    def filter_region(self, queryset, name, slug):
        region = next(
            (region for regions in self._region_tree.values() for region in regions if region.slug == slug), None
        )
        if region is None:
            return queryset.none()
        return queryset.filter(pk__in=article_pks_from_region(region=region, tree=self._region_tree))
