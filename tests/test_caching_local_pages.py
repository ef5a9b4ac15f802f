"""The readers' fast lane keeps the pages it served in the process, under the same stamped keys as the shared cache."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from redis.exceptions import ConnectionError as RedisConnectionError

from editorial import services
from editorial.caching import CachedIssuePageMiddleware
from tests.factories import make_article, make_published_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue():
    issue = make_published_issue(number=193, date=datetime.date(2020, 10, 30))
    make_article(issue=issue, title="上海技术交易所开市", body="原来的正文。")
    return issue


def test_a_page_this_process_served_is_served_again_without_asking_the_shared_cache(client, issue):
    first = client.get(issue.get_absolute_url())
    with mock.patch("editorial.caching.cache.get", side_effect=AssertionError("asked the shared cache")):
        again = client.get(issue.get_absolute_url())
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_a_page_another_process_stored_is_taken_from_the_shared_cache_once(client, issue):
    client.get(issue.get_absolute_url())
    # Another app server's process: nothing local, the shared cache has the page.
    other = type(client)()
    with mock.patch("editorial.views.IssueDetailView.get", side_effect=AssertionError("rendered again")):
        assert "上海技术交易所开市" in other.get(issue.get_absolute_url()).content.decode()
        with mock.patch("editorial.caching.cache.get", side_effect=AssertionError("asked the shared cache twice")):
            other.get(issue.get_absolute_url())


def test_a_correction_is_served_at_once_although_the_old_page_is_kept_locally(client, issue):
    client.get(issue.get_absolute_url())
    article = issue.articles.get()
    article.title = "上海技术交易所正式开市"
    article.save()
    services.issue_mark_changed(issue=issue)
    assert "上海技术交易所正式开市" in client.get(issue.get_absolute_url()).content.decode()


def test_local_copies_serve_while_the_shared_cache_is_down(client, issue):
    first = client.get(issue.get_absolute_url())
    broken = RedisConnectionError("cache down")
    with (
        mock.patch("editorial.caching.cache.get", side_effect=broken),
        mock.patch("editorial.views.IssueDetailView.get", side_effect=AssertionError("rendered again")),
    ):
        assert client.get(issue.get_absolute_url()).content == first.content


def test_a_process_keeps_only_the_pages_it_served_last():
    lane = CachedIssuePageMiddleware(lambda request: HttpResponse())
    for n in range(lane.LOCAL_PAGES + 10):
        lane._keep_page(f"key-{n}", (b"page", []))
    lane._stored_page(f"key-{10}")  # served again: now the most recent
    lane._keep_page("key-new", (b"page", []))
    assert len(lane._pages) == lane.LOCAL_PAGES
    assert "key-10" in lane._pages and "key-11" not in lane._pages and "key-0" not in lane._pages
