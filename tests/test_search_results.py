"""A reader's search ranks its newest hits only, says when there are more, and labels an estimated count."""

import datetime

import pytest
from django import forms
from django.db import connection
from django.urls import reverse

from editorial import estimates, search
from editorial.filters import QuickSelect
from editorial.models import Article
from editorial.search import SearchResults, matching, parse_query, search_articles
from tests.factories import make_article, make_published_issue
from tests.test_views import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_hits():
    """区块链 in four issues a week apart; the oldest article would rank first (in its title, three times)."""
    articles = []
    for week, (title, body) in enumerate(
        [
            ("标题里的区块链", "区块链，区块链。"),
            ("第二周", "区块链。"),
            ("第三周", "区块链，区块链。"),
            ("第四周", "区块链。"),
        ]
    ):
        issue = make_published_issue(number=week + 1, date=datetime.date(2020, 1, 3) + datetime.timedelta(weeks=week))
        articles.append(make_article(issue=issue, title=title, body=body))
    make_article(issue=articles[-1].issue, title="无关", body="无关。")
    return articles


def results(terms: str) -> SearchResults:
    queryset = matching(
        Article.objects.published().order_by("-issue__date", "-issue__number", "position", "pk"),
        terms=parse_query(terms),
    )
    return SearchResults(queryset, terms=parse_query(terms))


def titles(found: SearchResults) -> list[str]:
    return [article.title for article in found[0 : len(found)]]


def test_with_fewer_hits_than_it_ranks_a_search_ranks_them_all(four_hits):
    found = results("区块链")
    assert not found.truncated and str(found.total) == "4"
    assert titles(found) == list(
        search_articles(Article.objects.published(), terms=["区块链"]).values_list("title", flat=True)
    )


def test_a_search_ranks_its_newest_hits_only_in_the_order_of_the_full_ranking(four_hits, monkeypatch):
    monkeypatch.setattr(search, "RANKED_HITS", 3)
    found = results("区块链")
    assert found.truncated
    assert found.total == estimates.Count(4)  # a table this small is counted, not estimated
    newest = [article.pk for article in four_hits[1:]]
    ranked = search_articles(Article.objects.filter(pk__in=newest), terms=["区块链"])
    assert titles(found) == list(ranked.values_list("title", flat=True)) == ["第三周", "第四周", "第二周"]


def test_the_page_says_only_the_newest_are_ranked(client, four_hits, monkeypatch):
    monkeypatch.setattr(search, "RANKED_HITS", 3)
    page = text(client.get(reverse("editorial:search"), {"q": "区块链"}))
    assert "共找到 4 篇文章，按相关程度排列其中最近的 3 篇" in page
    assert "只按相关程度排列了最近的 3 篇" in page and "标题里的区块链" not in page


def test_an_estimated_count_says_so(client, four_hits, monkeypatch):
    monkeypatch.setattr(search, "RANKED_HITS", 3)
    monkeypatch.setattr(
        estimates, "sample", lambda queryset: estimates.Sample(rows=17_380, table_rows=112_231, complete=False)
    )
    page = text(client.get(reverse("editorial:search"), {"q": "区块链"}))
    assert "共找到约 17,000 篇文章，按相关程度排列其中最近的 3 篇" in page
    assert "总数是估计的" in page


def test_a_search_by_filters_alone_lists_every_match_newest_first_with_an_estimated_count(
    client, four_hits, monkeypatch
):
    monkeypatch.setattr(estimates, "count", lambda queryset, **options: estimates.Count(25_000, estimated=True))
    response = client.get(reverse("editorial:search"), {"year": "2020"})
    assert "共找到约 25,000 篇文章，按出刊日期由近及远排列" in text(response)
    assert [article.title for article in response.context["articles"]][:2] == ["第四周", "无关"]


@pytest.mark.parametrize("hits_in_sample", [1, 10**6])
def test_reading_newest_first_or_through_the_index_finds_the_same_hits(four_hits, monkeypatch, hits_in_sample):
    """The sample only chooses how the database finds the newest hits; which ones it finds never changes."""
    monkeypatch.setattr(search, "RANKED_HITS", 2)
    expected = titles(results("区块链"))
    monkeypatch.setattr(
        estimates, "sample", lambda queryset: estimates.Sample(rows=hits_in_sample, table_rows=10**6, complete=False)
    )
    assert titles(results("区块链")) == expected


@pytest.mark.parametrize(
    ("hits", "index"),
    [(300, True), (501, True), (3_000, True), (13_000, False), (17_000, False)],
)
def test_rare_terms_go_through_the_index_and_common_ones_newest_first(hits, index):
    assert search.reads_index_first(hits=hits, table_rows=112_000, wanted=501) is index


def test_the_index_condition_names_the_table_of_the_query_it_is_in(four_hits):
    """Inside the query of the newest hits (a subquery) the condition is on that query's row, not the outer one's."""
    hits = search.through_bigram_index(matching(Article.objects.published(), terms=["区块链"]), terms=["区块链"])
    sql = str(Article.objects.filter(pk__in=hits[:5].values("pk")).query)
    if connection.vendor == "postgresql":
        assert "U0.search_bigrams" in sql and '"editorial_article".search_bigrams' not in sql
    else:
        assert "search_bigrams" not in sql


@pytest.mark.parametrize("value", ["", "pudong", "<x>"])
def test_the_search_forms_lists_are_djangos_select_written_faster(value):
    choices = [
        ("", "全部地区"),
        ("上海", [("shanghai", "上海（含下辖地区）"), ("pudong", "\u3000浦东新区")]),
        ("江苏", [("jiangsu", "江苏"), ("<x>", "<b>标记</b> & “引号”")]),
    ]
    attrs = {"id": "id_region", "required": True, "disabled": False, "data-x": 'a"b'}
    quick = QuickSelect(choices=choices).render("region", value, attrs=attrs)
    assert quick == forms.Select(choices=choices).render("region", value, attrs=attrs)
    assert quick.count(" selected>") == 1


def test_a_rare_one_character_term_is_found_by_reading_every_article(four_hits):
    """No index holds single characters: the few hits are read from the whole table, all of them, ranked."""
    make_article(issue=four_hits[0].issue, title="沪上新闻", body="沪。")
    make_article(issue=four_hits[2].issue, title="另一条", body="沪，沪。")
    found = results("沪")
    assert titles(found) == ["沪上新闻", "另一条"] and found.total == estimates.Count(2)
