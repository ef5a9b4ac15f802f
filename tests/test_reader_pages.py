"""The reader site's finishing touches: a search that finds nothing says so and suggests what to try, its filters
fold under the keywords once a search is made, the 订阅 page explains the feed, and /favicon.ico answers."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_article, make_published_issue

SEARCH = reverse("editorial:search")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def archive(db):
    issue = make_published_issue(number=200)
    make_article(issue=issue, title="浦东区块链项目落地", body="区块链应用。", regions=["pudong"])
    make_article(issue=issue, title="江苏数据条例", body="数据要素。", regions=["jiangsu"], section_slug="policy")
    return issue


@pytest.mark.django_db
def test_a_search_without_hits_says_so_and_offers_each_keyword_alone(client, archive):
    page = text(client.get(SEARCH, {"q": "区块链 火星"}))
    assert "没有找到含“区块链 火星”的文章" in page
    assert f'href="{SEARCH}?q=%E5%8C%BA%E5%9D%97%E9%93%BE"' in page and "只查“区块链”" in page and "只查“火星”" in page
    assert "减少关键词" in page and reverse("editorial:issue-list") in page
    assert "暂无文章" not in page


@pytest.mark.django_db
def test_a_filtered_search_without_hits_names_its_filters_and_offers_to_drop_them(client, archive):
    page = text(client.get(SEARCH, {"q": "区块链", "region": "jiangsu", "year": "2020"}))
    assert "没有找到含“区块链”的文章（已限定地区“江苏（含下辖地区）”、年份“2020年”）" in re.sub(r"\s+", "", page)
    assert "不限条件，只查“区块链”" in page and f'href="{SEARCH}?q=%E5%8C%BA%E5%9D%97%E9%93%BE"' in page
    assert "放宽筛选条件" in page
    # …and dropping them finds it.
    assert client.get(SEARCH, {"q": "区块链"}).context["paginator"].count == 1


@pytest.mark.django_db
def test_the_filters_fold_under_the_keywords_once_a_search_is_made(client, archive):
    blank = text(client.get(SEARCH))
    assert re.search(r'<details class="search-fold"\s+open>', blank)
    searched = text(client.get(SEARCH, {"q": "区块链", "region": "shanghai"}))
    assert re.search(r'<details class="search-fold"\s*>', searched)
    assert '<span class="search-chosen">上海（含下辖地区）</span>' in searched
    assert searched.index("search-fold") < searched.index("results-heading")
    wrong = text(client.get(SEARCH, {"q": "区块链", "date_from": "2020-13-45"}))
    assert re.search(r'<details class="search-fold"\s+open>', wrong)  # an error in a filter is shown, not folded


@pytest.mark.django_db
@override_settings(SITE_URL="https://digest.example.gov.cn")
def test_the_subscribe_page_explains_the_feed_and_gives_its_full_address(client, archive):
    response = client.get(reverse("editorial:subscribe"))
    assert response.status_code == 200
    page = text(response)
    assert 'value="https://digest.example.gov.cn/feed/"' in page and "Outlook" in page and "Atom" in page
    home = text(client.get(reverse("editorial:home")))
    assert f'<a href="{reverse("editorial:subscribe")}">订阅</a>' in home and "订阅（Atom）" not in home


@pytest.mark.django_db
def test_the_site_answers_favicon_ico_with_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
