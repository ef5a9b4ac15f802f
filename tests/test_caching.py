"""HTTP validators (ETag, Last-Modified, 304) and the rendered-page cache, and their invalidation on every change."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date
from redis.exceptions import ConnectionError as RedisConnectionError

from editorial import services, workflow
from editorial.caching import CachedIssuePageMiddleware, archive_stamp, published_issue_stamp
from editorial.caching.store import StoredPage
from editorial.models import Issue
from tests.factories import make_article, make_issue, make_published_issue, make_user, region

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


def later(issue: Issue) -> None:
    """Let the content stamp move on measurably (timestamps have microseconds, HTTP dates whole seconds)."""
    Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=5))
    issue.refresh_from_db()


@pytest.mark.parametrize("page", ["issue", "article"])
def test_issue_and_article_pages_carry_validators_and_answer_304_to_a_current_copy(client, issue, page):
    url = issue.get_absolute_url() if page == "issue" else issue.articles.get().get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert "no-cache" in response["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == response["ETag"]
    by_date = client.get(url, headers={"If-Modified-Since": response["Last-Modified"]})
    assert by_date.status_code == 304


def test_last_modified_is_the_issues_content_stamp(client, issue):
    later(issue)
    response = client.get(issue.get_absolute_url())
    assert response["Last-Modified"] == http_date(issue.updated_at.timestamp())


def test_an_older_copy_is_sent_in_full(client, issue):
    response = client.get(issue.get_absolute_url(), headers={"If-None-Match": '"something-else"'})
    assert response.status_code == 200 and "上海技术交易所开市" in response.content.decode()


def test_the_second_request_is_served_from_the_page_cache(client, issue, django_assert_max_num_queries):
    first = client.get(issue.get_absolute_url())
    with django_assert_max_num_queries(1):
        second = client.get(issue.get_absolute_url())
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_an_article_correction_shows_at_once_with_a_new_etag(client, issue):
    later(issue)
    article = issue.articles.get()
    reviewer = make_user("chief", role="审核")
    before = client.get(issue.get_absolute_url())
    before_article = client.get(article.get_absolute_url())
    article.body = "更正后的正文。"
    services.article_save(article=article, user=reviewer, expected_version=article.version, correction_note="更正")
    after = client.get(issue.get_absolute_url())
    after_article = client.get(article.get_absolute_url())
    assert "更正后的正文。" in after.content.decode() and "原来的正文。" not in after.content.decode()
    assert "更正后的正文。" in after_article.content.decode()
    assert after["ETag"] != before["ETag"] and after_article["ETag"] != before_article["ETag"]
    assert client.get(issue.get_absolute_url(), headers={"If-None-Match": before["ETag"]}).status_code == 200


def test_a_region_change_marked_on_the_issue_shows_at_once(client, issue):
    later(issue)
    client.get(issue.get_absolute_url())
    issue.articles.get().regions.set([region("pudong")])
    services.issue_mark_changed(issue=issue)
    assert "/regions/pudong/" in client.get(issue.get_absolute_url()).content.decode()


def test_an_issue_page_changes_when_the_next_issue_is_published(client, issue):
    before = client.get(issue.get_absolute_url())
    following = make_issue(number=194, date=datetime.date(2020, 11, 6), status=Issue.Status.APPROVED)
    make_article(issue=following)
    reviewer = make_user("chief", role="审核")
    workflow.publish(issue=following, user=reviewer)
    after = client.get(issue.get_absolute_url())
    assert after["ETag"] != before["ETag"]
    assert "/issues/194/" in after.content.decode() and "/issues/194/" not in before.content.decode()


def test_a_withdrawn_issue_disappears_from_home_and_archive_at_once(client, issue):
    assert "2020年第193期" in client.get("/").content.decode()
    assert "第193期" in client.get("/issues/").content.decode()
    workflow.withdraw(issue=issue, user=make_user("chief", role="审核"), comment="内容有误，撤回核实。")
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert "2020年第193期" not in client.get("/").content.decode()
    assert "第193期" not in client.get("/issues/").content.decode()


def test_search_results_follow_changes(client, issue):
    assert "共找到 <strong>1</strong> 篇" in client.get("/search/", {"q": "交易所"}).content.decode()
    make_article(issue=issue, title="又一家交易所")
    services.issue_mark_changed(issue=issue)
    assert "共找到 <strong>2</strong> 篇" in client.get("/search/", {"q": "交易所"}).content.decode()


def test_previews_are_never_stored_in_the_page_cache(client, editor):
    draft = make_issue(number=300)
    make_article(issue=draft, title="草稿稿件")
    client.force_login(editor)
    with (
        mock.patch("editorial.caching.pages.cache_set") as cache_set,
        mock.patch("editorial.caching.fast_lane.cache_set") as lane_cache_set,
    ):
        response = client.get(draft.get_absolute_url())
        client.get(draft.articles.get().get_absolute_url())
    assert response.status_code == 200 and "ETag" not in response
    cache_set.assert_not_called()
    lane_cache_set.assert_not_called()


def test_the_pages_still_render_when_the_cache_is_unreachable(client, issue):
    broken = RedisConnectionError("cache down")
    with (
        mock.patch("editorial.caching.store.cache.get", side_effect=broken),
        mock.patch("editorial.caching.store.cache.set", side_effect=broken),
    ):
        response = client.get(issue.get_absolute_url())
        search = client.get("/search/", {"q": "交易所"})
    assert response.status_code == 200 and "上海技术交易所开市" in response.content.decode()
    assert search.status_code == 200 and "共找到 <strong>1</strong> 篇" in search.content.decode()


def test_paging_through_a_search_ranks_it_only_once(client):
    issue = make_published_issue()
    for n in range(25):
        make_article(issue=issue, title=f"交易所{n}")
    first = client.get("/search/", {"q": "交易所"})
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/search/", {"q": "交易所", "page": 2})
    assert len(first.context["articles"]) == 20 and len(second.context["articles"]) == 5
    assert {article.pk for article in first.context["articles"]}.isdisjoint(
        article.pk for article in second.context["articles"]
    )
    assert not any("REPLACE(" in query["sql"].upper() for query in queries.captured_queries)


def test_the_readers_stamp_query_agrees_with_the_orm(issue):
    make_published_issue(number=192, date=datetime.date(2020, 10, 23))
    make_issue(number=194, status=Issue.Status.APPROVED)
    found = published_issue_stamp(number=193)
    issue.refresh_from_db()
    assert (found.pk, found.updated_at) == (issue.pk, issue.updated_at)
    assert found.archive == archive_stamp()
    assert published_issue_stamp(number=194) is None
    assert published_issue_stamp(number=999) is None


def test_a_readers_repeat_visit_takes_the_fast_lane_with_the_same_page_and_headers(client, issue):
    first = client.get(issue.get_absolute_url())
    with mock.patch("editorial.views.IssueDetailView.get", side_effect=AssertionError("the full stack ran")):
        second = client.get(issue.get_absolute_url())
        not_modified = client.get(issue.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200 and second.content == first.content
    assert dict(second.items()) == dict(first.items())
    assert not_modified.status_code == 304 and not_modified["ETag"] == first["ETag"]


def test_requests_with_cookies_never_take_the_fast_lane(client, issue, editor):
    client.get(issue.get_absolute_url())
    client.force_login(editor)
    with mock.patch("editorial.views.IssueDetailView.get", return_value=HttpResponse("full stack")) as view:
        assert client.get(issue.get_absolute_url()).content == b"full stack"
    view.assert_called_once()


def test_a_database_outage_in_the_fast_lane_gets_the_503_page(client, issue):
    client.get(issue.get_absolute_url())
    with (
        mock.patch("editorial.caching.fast_lane.published_issue_stamp", side_effect=OperationalError("down")),
        mock.patch("editorial.views.published_issue_stamp", side_effect=OperationalError("down")),
    ):
        response = client.get(issue.get_absolute_url())
    assert response.status_code == 503


def test_with_a_stamp_max_age_readers_see_a_change_once_it_has_passed(client, issue, settings):
    settings.READER_STAMP_MAX_AGE_MS = 1000
    clock = [1000.0]
    with mock.patch("editorial.caching.fast_lane.time.monotonic", side_effect=lambda: clock[0]):
        before = client.get(issue.get_absolute_url())
        article = issue.articles.get()
        article.title = "更正后的标题"
        article.save()
        services.issue_mark_changed(issue=issue)
        clock[0] += 0.5
        with CaptureQueriesContext(connection) as queries:
            within = client.get(issue.get_absolute_url())
        clock[0] += 1.0
        after = client.get(issue.get_absolute_url())
    assert len(queries.captured_queries) == 0
    assert within.content == before.content
    assert "更正后的标题" in after.content.decode()


# The fast lane's copies in the process, under the same stamped keys as the shared cache.


def test_a_page_this_process_served_is_served_again_without_asking_the_shared_cache(client, issue):
    first = client.get(issue.get_absolute_url())
    with mock.patch("editorial.caching.store.cache.get", side_effect=AssertionError("asked the shared cache")):
        again = client.get(issue.get_absolute_url())
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_a_page_another_process_stored_is_taken_from_the_shared_cache_once(client, issue):
    client.get(issue.get_absolute_url())
    # Another app server's process: nothing local, the shared cache has the page.
    other = type(client)()
    with mock.patch("editorial.views.IssueDetailView.get", side_effect=AssertionError("rendered again")):
        assert "上海技术交易所开市" in other.get(issue.get_absolute_url()).content.decode()
        with mock.patch(
            "editorial.caching.store.cache.get", side_effect=AssertionError("asked the shared cache twice")
        ):
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
        mock.patch("editorial.caching.store.cache.get", side_effect=broken),
        mock.patch("editorial.views.IssueDetailView.get", side_effect=AssertionError("rendered again")),
    ):
        assert client.get(issue.get_absolute_url()).content == first.content


def test_a_process_keeps_only_the_pages_it_served_last():
    lane = CachedIssuePageMiddleware(lambda request: HttpResponse())
    page = StoredPage(b"page", (), complete=True)
    for n in range(lane.LOCAL_PAGES + 10):
        lane._pages.keep(f"key-{n}", page)
    lane._stored_page("key-10")  # served again: now the most recent
    lane._pages.keep("key-new", page)
    assert len(lane._pages) == lane.LOCAL_PAGES
    assert "key-10" in lane._pages and "key-11" not in lane._pages and "key-0" not in lane._pages


# One key per page: parameters a page does not read, a foreign Host and conditional requests.


def stored_keys() -> set[str]:
    return set(cache._cache)  # the tests' local-memory cache


@pytest.mark.parametrize("url", ["/issues/193/", "/sitemap.xml", "/feed/"])
def test_junk_query_strings_add_no_cache_entries_and_no_renders(client, issue, url):
    first = client.get(url)
    assert first.status_code == 200
    keys = stored_keys()
    with mock.patch("editorial.caching.pages.cache_set", side_effect=AssertionError("rendered and stored again")):
        for n in range(40):
            junk = client.get(url, {"utm_source": f"wechat{n}", "x": f"{n}-{n * 7919}"})
            assert junk.status_code == 200 and junk.content == first.content
    assert stored_keys() == keys


def test_each_issue_page_is_stored_once_whichever_lane_renders_it(client, issue, editor):
    client.get(issue.get_absolute_url())  # a reader: the fast lane stores it
    staff = type(client)()
    staff.force_login(editor)
    staff.get(issue.get_absolute_url())  # staff: the full stack, the same key
    assert len([key for key in stored_keys() if "page:" in key]) == 1


def test_a_parameter_a_page_does_not_read_never_shows_in_it(client):
    published = make_published_issue()
    for n in range(25):
        make_article(issue=published, title=f"交易所{n}")
    page = client.get("/search/", {"q": "交易所", "utm_campaign": "秘密活动"}).content.decode()
    assert "page=2" in page and "utm_campaign" not in page and "秘密活动" not in page


def test_a_foreign_host_never_changes_what_the_next_reader_gets(client, issue, settings):
    poisoned = client.get("/feed/", HTTP_HOST="localhost")
    assert "localhost" not in poisoned.content.decode()
    after = client.get("/feed/").content.decode()
    assert settings.SITE_URL + issue.get_absolute_url() in after and "localhost" not in after
    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1").content.decode()
    assert "127.0.0.1" not in sitemap and settings.SITE_URL in sitemap


@pytest.mark.parametrize("header", [{"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}])
def test_a_conditional_request_for_a_page_that_does_not_exist_is_a_404_not_a_304(client, issue, header):
    assert client.get("/issues/", {"page": 2}, headers=header).status_code == 404
    assert client.get("/issues/", headers=header).status_code == 304


def test_the_fast_lane_remembers_a_bounded_number_of_issue_numbers(rf, settings):
    settings.READER_STAMP_MAX_AGE_MS = 60_000
    lane = CachedIssuePageMiddleware(lambda request: HttpResponse(status=404))
    for number in range(1, lane.LOCAL_STAMPS + 200):
        lane(rf.get(f"/issues/{number}/"))
    assert len(lane._stamps) == lane.LOCAL_STAMPS
