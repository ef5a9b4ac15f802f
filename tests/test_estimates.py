"""Counts that do not read every row: exact for small tables and short lists, sampled (PostgreSQL) beyond."""

import pytest
from django.db import connection

from editorial import estimates
from editorial.demo.generator import generate_archive
from editorial.models import Article
from tests.factories import make_article, make_published_issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "shown", "printed"),
    [(17_380, 17_000, "约 17,000"), (112_231, 110_000, "约 110,000"), (1_234, 1_200, "约 1,200"), (99, 99, "约 99")],
)
def test_an_estimate_is_shown_to_two_significant_figures_and_says_so(value, shown, printed):
    count = estimates.Count(value, estimated=True)
    assert (count.shown, str(count)) == (shown, printed)


def test_an_exact_count_is_shown_as_it_is():
    assert str(estimates.Count(17_380)) == "17380"


def test_a_small_table_is_counted_exactly():
    issue = make_published_issue()
    for n in range(3):
        make_article(issue=issue, title=f"稿件{n}")
    make_article(title="稿件库里的稿件")
    counted = estimates.count(Article.objects.published())
    assert (counted.value, counted.estimated) == (3, False)
    assert estimates.count(Article.objects.none()).value == 0


@pytest.fixture
def sampled(monkeypatch):
    """A table of a few hundred articles treated as a large one: sampled (about 50 rows read), never counted."""
    generate_archive(issues=20, seed=5)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE editorial_article")
    monkeypatch.setattr(estimates, "SMALL_TABLE", 0)
    monkeypatch.setattr(estimates, "SAMPLE_ROWS", 50)
    monkeypatch.setattr(estimates, "EXACT_BELOW", 0)


def test_a_large_table_is_sampled_on_postgresql_and_counted_elsewhere(sampled):
    articles = Article.objects.published()
    total = articles.count()
    found = estimates.sample(articles)
    if connection.vendor != "postgresql":
        assert found is None
        assert estimates.count(articles) == estimates.Count(total)
        return
    assert not found.complete and found.table_rows == total
    # About 50 of the rows, scaled up: the right order of magnitude, not the exact number.
    assert total / 3 < found.rows < total * 3
    assert estimates.count(articles) == estimates.Count(found.rows, estimated=True, table_rows=total)


def test_a_short_list_of_a_large_table_is_counted_exactly(sampled, monkeypatch):
    monkeypatch.setattr(estimates, "EXACT_BELOW", 10**9)
    articles = Article.objects.published().filter(title__contains="发展")
    assert estimates.count(articles).value == articles.count()
    assert not estimates.count(articles).estimated


def test_the_sample_is_the_same_on_every_request_until_the_table_changes(sampled):
    articles = Article.objects.published()
    assert estimates.sample(articles) == estimates.sample(articles)
