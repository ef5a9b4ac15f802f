"""The Atom feed and the sitemap: published issues and articles only, newest first."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from editorial.models import Issue
from tests.factories import make_article, make_issue, make_published_issue

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_feed_lists_published_issues_newest_first_with_their_articles(client):
    older = make_published_issue(number=192, date=datetime.date(2020, 10, 23))
    latest = make_published_issue(number=193, date=datetime.date(2020, 10, 30))
    make_issue(number=194, date=datetime.date(2020, 11, 6), status=Issue.Status.APPROVED)
    article = make_article(issue=latest, title="上海技术交易所开市")
    make_article(issue=latest, section_slug="economy", title="江苏发布区块链产业发展计划")
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == "长三角每周要讯"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "长三角每周要讯 2020年第193期",
        "长三角每周要讯 2020年第192期",
    ]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(latest.get_absolute_url())
    assert entries[1].find(f"{ATOM}link").get("href").endswith(older.get_absolute_url())
    summary = entries[0].findtext(f"{ATOM}summary")
    assert "科创聚焦" in summary and "经济热点" in summary
    assert f'href="{settings.SITE_URL}{article.get_absolute_url()}"' in summary
    assert summary.index("上海技术交易所开市") < summary.index("江苏发布区块链产业发展计划")


def test_the_feed_escapes_titles(client):
    make_article(issue=make_published_issue(), title="<script>x</script>")
    summary = ET.fromstring(client.get("/feed/").content).find(f"{ATOM}entry").findtext(f"{ATOM}summary")
    assert "<script>" not in summary and "&lt;script&gt;" in summary


def test_the_feed_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(12):
        issue = make_published_issue(number=n + 1, date=datetime.date(2020, 1, 3) + datetime.timedelta(weeks=n))
        make_article(issue=issue, regions=["shanghai"])
        make_article(issue=issue, section_slug="economy")
    with django_assert_max_num_queries(6):
        entries = ET.fromstring(client.get("/feed/").content).findall(f"{ATOM}entry")
    assert len(entries) == 10


def test_the_sitemap_lists_published_issues_articles_sections_and_regions_only(client):
    issue = make_published_issue(number=193)
    article = make_article(issue=issue, section_slug="economy", regions=["pudong"])
    draft = make_issue(number=194)
    hidden = make_article(issue=draft, section_slug="policy", regions=["anhui"])
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [element.text for element in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert all(location.startswith(settings.SITE_URL + "/") for location in locations)
    paths = {location.removeprefix(settings.SITE_URL) for location in locations}
    assert {"/", "/issues/", "/issues/193/", article.get_absolute_url(), "/sections/economy/"} <= paths
    assert {"/regions/pudong/", "/regions/shanghai/"} <= paths
    assert draft.get_absolute_url() not in paths and hidden.get_absolute_url() not in paths
    assert "/sections/policy/" not in paths and "/regions/anhui/" not in paths


def test_the_sitemap_gives_issues_their_last_change_in_shanghai_time(client):
    issue = make_published_issue(number=193)
    # 17:30 UTC is already the next morning in Shanghai.
    Issue.objects.filter(pk=issue.pk).update(updated_at=datetime.datetime(2020, 10, 30, 17, 30, tzinfo=datetime.UTC))
    root = ET.fromstring(client.get("/sitemap.xml").content)
    for url in root.iter(f"{SITEMAP}url"):
        if url.findtext(f"{SITEMAP}loc").endswith("/issues/193/"):
            assert url.findtext(f"{SITEMAP}lastmod") == "2020-10-31"
            break
    else:
        pytest.fail("issue 193 is not in the sitemap")
