"""A reader in Chromium: opens an issue, follows its contents, searches with a filter and pages through results."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_article, make_legacy_sample_issue, make_published_issue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_opens_the_latest_issue_and_follows_a_contents_link(page):
    issue = make_legacy_sample_issue()
    page.goto("/")
    expect(page.locator(".masthead-title")).to_contain_text("2020年第193期")
    page.get_by_role("link", name="阅读本期全文").click()
    expect(page).to_have_url(re.compile(rf"/issues/{issue.number}/$"))
    article = issue.articles.get(title__startswith="我国首个海上风机塔")
    page.locator("#toc").get_by_role("link", name=article.title).click()
    expect(page).to_have_url(re.compile(rf"#article-{article.pk}$"))
    expect(page.locator(f"#article-{article.pk}")).to_be_in_viewport()
    page.locator(f"#article-{article.pk} h3 a").click()
    expect(page.locator("h1")).to_have_text(article.title)
    expect(page.get_by_role("link", name="临港新片区").or_(page.get_by_role("link", name="上海")).first).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_searches_with_a_region_filter_and_pages_through_the_results(page):
    issue = make_published_issue(number=200)
    for n in range(23):
        make_article(issue=issue, title=f"浦东区块链项目第{n + 1}号", body="区块链应用落地。", regions=["pudong"])
    make_article(issue=issue, title="江苏区块链项目", body="区块链。", regions=["jiangsu"])
    page.goto("/")
    page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="检索").click()
    page.get_by_label("关键词").fill("区块链")
    page.get_by_label("地区", exact=True).select_option("shanghai")
    page.get_by_role("button", name="检索", exact=True).last.click()
    expect(page.locator(".results-heading")).to_contain_text("共找到 23 篇文章")
    expect(page.locator(".card")).to_have_count(20)
    expect(page.locator(".card mark").first).to_have_text("区块链")
    expect(page.get_by_text("江苏区块链项目")).to_have_count(0)
    page.get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator(".card")).to_have_count(3)
    expect(page.get_by_label("关键词")).to_have_value("区块链")
    expect(page.get_by_label("地区", exact=True)).to_have_value("shanghai")
    page.get_by_role("link", name="上一页").click()
    expect(page.locator(".card")).to_have_count(20)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_the_results_come_first_and_the_filters_fold(page):
    issue = make_published_issue(number=200)
    for n in range(3):
        make_article(issue=issue, title=f"浦东区块链项目第{n + 1}号", body="区块链应用落地。", regions=["pudong"])
    make_article(issue=issue, title="江苏区块链项目", body="区块链。", regions=["jiangsu"])
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/search/?q=区块链")

    first_card = page.locator(".card").first
    expect(first_card).to_be_in_viewport()
    assert page.locator(".results-heading").bounding_box()["y"] < 450
    region = page.get_by_label("地区", exact=True)
    expect(region).to_be_hidden()  # folded under 筛选条件

    page.locator(".search-fold > summary").click()
    expect(region).to_be_visible()
    region.select_option("jiangsu")
    page.get_by_role("button", name="按条件检索").click()
    expect(page.locator(".results-heading")).to_contain_text("共找到 1 篇文章")
    expect(page.locator(".search-chosen")).to_have_text("江苏（含下辖地区）")
    expect(page.locator(".card")).to_have_count(1)
