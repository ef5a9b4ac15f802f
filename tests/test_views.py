"""The public reader pages: what readers see, what they may not see, links between pages, and constant query counts."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from editorial.models import Issue, IssueSection
from tests.factories import make_article, make_issue, make_legacy_sample_issue, make_published_issue, make_user

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def links(response) -> list[str]:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.hrefs


def text(response) -> str:
    """The page's visible text, tags stripped and whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def issue_with_articles(count: int, **fields) -> Issue:
    issue = make_published_issue(**fields)
    slugs = ["sci-tech", "economy", "industry"]
    for n in range(count):
        make_article(issue=issue, section_slug=slugs[n % 3], regions=["shanghai", "pudong"][: 1 + n % 2])
    return issue


class TestHome:
    def test_shows_the_latest_published_issue_with_its_contents(self, client):
        older = make_published_issue(number=192, date=datetime.date(2020, 10, 23))
        latest = make_published_issue(number=193, date=datetime.date(2020, 10, 30))
        make_issue(number=194, date=datetime.date(2020, 11, 6))  # a draft, newer but unpublished
        article = make_article(issue=latest, title="上海技术交易所开市")
        response = client.get("/")
        assert response.status_code == 200
        page = text(response)
        assert "长三角每周要讯" in page and "2020年第193期" in page and "2020年10月30日" in page
        assert "浙江省人民政府驻上海办事处" in page
        assert "2020年第194期" not in page
        assert article.get_absolute_url() in links(response)
        assert older.get_absolute_url() in links(response)

    def test_says_so_when_nothing_is_published_yet(self, client):
        make_issue(number=1)
        response = client.get("/")
        assert response.status_code == 200
        assert "尚无已发布的期刊" in text(response)

    def test_every_article_of_the_real_sample_is_at_most_two_clicks_from_home(self, client):
        issue = make_legacy_sample_issue()
        articles = {article.get_absolute_url() for article in issue.articles.all()}
        assert len(articles) == 22
        first = set(links(client.get("/")))
        second = set()
        for href in first:
            if href.startswith("/") and not href.startswith(("/static/", "/feed/", "/sitemap")):
                response = client.get(href)
                if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                    second.update(links(response))
        assert articles <= first | second
        for url in articles:
            assert client.get(url).status_code == 200


class TestArchive:
    def test_lists_published_issues_newest_first_grouped_by_year(self, client):
        make_published_issue(number=150, date=datetime.date(2019, 12, 27))
        make_published_issue(number=193, date=datetime.date(2020, 10, 30))
        make_published_issue(number=192, date=datetime.date(2020, 10, 23))
        make_issue(number=194, date=datetime.date(2020, 11, 6))
        page = text(client.get(reverse("editorial:issue-list")))
        listing = page[page.index("2020年 第193期") :]
        assert listing.index("第193期") < listing.index("第192期") < listing.index("2019年 第150期")
        assert "第194期" not in page

    def test_filters_by_year(self, client):
        make_published_issue(number=150, date=datetime.date(2019, 12, 27))
        make_published_issue(number=193, date=datetime.date(2020, 10, 30))
        page = text(client.get(reverse("editorial:issue-list"), {"year": "2019"}))
        assert "第150期" in page and "第193期" not in page

    def test_a_bad_year_shows_everything_with_a_chinese_notice(self, client):
        make_published_issue(number=193, date=datetime.date(2020, 10, 30))
        response = client.get(reverse("editorial:issue-list"), {"year": "<b>二〇二〇</b>"})
        assert response.status_code == 200
        assert "不是有效的年份" in text(response) and "第193期" in text(response)
        assert "<b>二〇二〇</b>" not in response.content.decode()

    def test_is_paginated(self, client):
        for n in range(55):
            make_published_issue(number=n + 1, date=datetime.date(2020, 1, 1) + datetime.timedelta(weeks=n))
        first = client.get(reverse("editorial:issue-list"))
        assert "第55期" in text(first) and "第1期" not in text(first)
        assert "?page=2" in links(first)
        assert "第1期" in text(client.get(reverse("editorial:issue-list"), {"page": 2}))

    def test_shows_each_issues_article_count(self, client):
        issue_with_articles(3, number=193)
        assert "3篇" in text(client.get(reverse("editorial:issue-list")))


class TestIssuePage:
    def test_shows_masthead_contents_with_anchors_and_every_article_in_reading_order(self, client):
        issue = make_published_issue(number=193)
        second = make_article(issue=issue, section_slug="economy", title="经济热点的稿件", body="第一段。\n\n第二段。")
        first = make_article(issue=issue, section_slug="sci-tech", title="科创聚焦的稿件", regions=["pudong"])
        response = client.get(issue.get_absolute_url())
        assert response.status_code == 200
        page = text(response)
        assert "2020年第193期" in page
        assert page.index("科创聚焦的稿件") < page.index("经济热点的稿件")
        hrefs = links(response)
        assert f"#article-{first.pk}" in hrefs and f"#article-{second.pk}" in hrefs
        html = response.content.decode()
        assert f'id="article-{first.pk}"' in html
        assert "<p>第一段。</p><p>第二段。</p>" in html
        assert "/regions/pudong/" in hrefs

    def test_follows_the_issues_own_section_order(self, client):
        issue = make_published_issue()
        make_article(issue=issue, section_slug="sci-tech", title="科创稿件")
        make_article(issue=issue, section_slug="economy", title="经济稿件")
        sci_tech = IssueSection.objects.get(issue=issue, section__slug="sci-tech")
        economy = IssueSection.objects.get(issue=issue, section__slug="economy")
        sci_tech.position, economy.position = 100, 101
        IssueSection.objects.bulk_update([sci_tech, economy], ["position"])
        economy.position, sci_tech.position = 1, 2
        IssueSection.objects.bulk_update([economy, sci_tech], ["position"])
        page = text(client.get(issue.get_absolute_url()))
        assert page.index("经济稿件") < page.index("科创稿件")

    @pytest.mark.parametrize(
        "status", [Issue.Status.DRAFT, Issue.Status.IN_REVIEW, Issue.Status.APPROVED, Issue.Status.WITHDRAWN]
    )
    def test_an_unpublished_issue_and_its_articles_are_not_found_by_the_public(self, client, status):
        issue = make_issue(number=300, status=status)
        article = make_article(issue=issue)
        assert client.get(issue.get_absolute_url()).status_code == 404
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_a_missing_issue_answers_a_chinese_404_page(self, client):
        response = client.get("/issues/999/")
        assert response.status_code == 404
        assert "页面不存在" in text(response)

    def test_staff_preview_an_unpublished_issue_under_a_banner_never_cached(self, client, editor):
        issue = make_issue(number=300, status=Issue.Status.IN_REVIEW)
        make_article(issue=issue, title="待审稿件")
        client.force_login(editor)
        response = client.get(issue.get_absolute_url())
        assert response.status_code == 200
        assert response.context["is_preview"] is True
        assert "预览" in text(response) and "待审" in text(response) and "待审稿件" in text(response)
        assert "no-cache" in response["Cache-Control"] and "ETag" not in response

    def test_a_published_issue_has_no_preview_banner(self, client, editor):
        issue = make_published_issue()
        client.force_login(editor)
        response = client.get(issue.get_absolute_url())
        assert response.context["is_preview"] is False
        assert "preview-banner" not in response.content.decode()

    def test_links_to_the_previous_and_next_published_issues(self, client):
        previous = make_published_issue(number=192, date=datetime.date(2020, 10, 23))
        issue = make_published_issue(number=193, date=datetime.date(2020, 10, 30))
        make_issue(number=194, date=datetime.date(2020, 11, 6))
        following = make_published_issue(number=195, date=datetime.date(2020, 11, 13))
        hrefs = links(client.get(issue.get_absolute_url()))
        assert previous.get_absolute_url() in hrefs and following.get_absolute_url() in hrefs
        assert "/issues/194/" not in hrefs

    def test_links_to_the_print_view_and_downloads_when_they_exist(self, client):
        issue = make_published_issue(number=193)
        make_article(issue=issue)
        hrefs = links(client.get(issue.get_absolute_url()))
        for name in ("issue-print", "issue-pdf", "issue-docx"):
            assert reverse(f"editorial:{name}", kwargs={"number": 193}) in hrefs

    def test_escapes_article_text(self, client):
        issue = make_published_issue()
        make_article(issue=issue, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
        html = client.get(issue.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestArticlePage:
    def test_shows_the_article_with_its_issue_section_regions_and_neighbours(self, client):
        issue = make_published_issue(number=193)
        before = make_article(issue=issue, title="前一篇")
        article = make_article(issue=issue, title="本篇", body="正文第一段。\n\n正文第二段。", regions=["pudong"])
        after = make_article(issue=issue, section_slug="economy", title="后一篇")
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        page = text(response)
        assert "本篇" in page and "正文第二段。" in page and "科创聚焦" in page and "浦东新区" in page
        hrefs = links(response)
        assert issue.get_absolute_url() in hrefs
        assert before.get_absolute_url() in hrefs and after.get_absolute_url() in hrefs
        assert "/sections/sci-tech/" in hrefs and "/regions/pudong/" in hrefs

    def test_pool_articles_have_no_public_page(self, client, editor):
        article = make_article(issue=None)
        assert client.get(article.get_absolute_url()).status_code == 404
        client.force_login(editor)
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_staff_preview_an_article_of_an_unpublished_issue(self, client, editor):
        article = make_article(issue=make_issue(status=Issue.Status.DRAFT))
        client.force_login(editor)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200 and "预览" in text(response)
        assert "no-cache" in response["Cache-Control"]

    def test_a_plain_logged_in_user_gets_no_preview(self, client):
        article = make_article(issue=make_issue(status=Issue.Status.DRAFT))
        client.force_login(make_user("reader"))
        assert client.get(article.get_absolute_url()).status_code == 404


class TestRegionAndSectionPages:
    def test_a_province_page_includes_its_districts_newest_first(self, client):
        old = make_published_issue(number=1, date=datetime.date(2020, 1, 3))
        new = make_published_issue(number=2, date=datetime.date(2020, 1, 10))
        make_article(issue=old, title="上海的稿件", regions=["shanghai"])
        make_article(issue=new, title="浦东的稿件", regions=["pudong"])
        make_article(issue=new, title="江苏的稿件", regions=["jiangsu"])
        make_article(issue=make_issue(number=3), title="草稿里的上海稿件", regions=["shanghai"])
        response = client.get("/regions/shanghai/")
        page = text(response)
        assert page.index("浦东的稿件") < page.index("上海的稿件")
        assert "江苏的稿件" not in page and "草稿里的上海稿件" not in page
        assert "/regions/pudong/" in links(response)

    def test_an_article_tagged_with_a_province_and_its_district_is_listed_once(self, client):
        make_article(issue=make_published_issue(), title="两级地区的稿件", regions=["shanghai", "pudong"])
        response = client.get("/regions/shanghai/")
        assert text(response).count("两级地区的稿件") == 1
        assert response.context["paginator"].count == 1

    def test_a_district_page_does_not_include_its_province(self, client):
        issue = make_published_issue()
        make_article(issue=issue, title="上海的稿件", regions=["shanghai"])
        make_article(issue=issue, title="浦东的稿件", regions=["pudong"])
        page = text(client.get("/regions/pudong/"))
        assert "浦东的稿件" in page and "上海的稿件" not in page

    def test_a_city_page_includes_its_districts(self, client):
        make_article(issue=make_published_issue(), title="吴江的稿件", regions=["wujiang"])
        assert "吴江的稿件" in text(client.get("/regions/suzhou/"))
        assert "吴江的稿件" in text(client.get("/regions/jiangsu/"))

    def test_a_section_page_lists_its_published_articles(self, client):
        issue = make_published_issue()
        make_article(issue=issue, section_slug="economy", title="经济稿件")
        make_article(issue=issue, section_slug="sci-tech", title="科创稿件")
        page = text(client.get("/sections/economy/"))
        assert "经济稿件" in page and "科创稿件" not in page

    def test_unknown_regions_and_sections_are_not_found(self, client):
        assert client.get("/regions/atlantis/").status_code == 404
        assert client.get("/sections/nothing/").status_code == 404


class TestSearchPage:
    def test_without_a_query_shows_the_form_only(self, client):
        make_article(issue=make_published_issue(), title="区块链")
        response = client.get(reverse("editorial:search"))
        assert response.status_code == 200
        assert "共找到" not in text(response) and "page_obj" not in response.context

    def test_shows_the_count_and_highlighted_escaped_matches(self, client):
        issue = make_published_issue()
        make_article(issue=issue, title="<b>上海</b>区块链中心", body="保险区块链创新中心成立。")
        make_article(issue=issue, title="无关稿件", body="无关。")
        response = client.get(reverse("editorial:search"), {"q": "区块链"})
        html = response.content.decode()
        assert "共找到 1 篇文章" in text(response)
        assert "&lt;b&gt;上海&lt;/b&gt;<mark>区块链</mark>中心" in html
        assert "保险<mark>区块链</mark>创新中心成立。" in html

    def test_an_excerpt_runs_chinese_paragraphs_on_and_keeps_latin_words_apart(self, client):
        make_article(issue=make_published_issue(), title="检索", body="第一段结束。\n\n第二段 AI\n\nModels 第三段。")
        html = client.get(reverse("editorial:search"), {"q": "检索"}).content.decode()
        assert "第一段结束。第二段 AI Models 第三段。" in html

    def test_a_query_term_containing_markup_is_escaped(self, client):
        make_article(issue=make_published_issue(), title="标题<i>x</i>", body="正文")
        html = client.get(reverse("editorial:search"), {"q": "<i>x</i>"}).content.decode()
        assert "<mark>&lt;i&gt;x&lt;/i&gt;</mark>" in html and "<i>x</i>" not in html

    def test_the_region_filter_includes_districts(self, client):
        issue = make_published_issue()
        make_article(issue=issue, title="浦东区块链", regions=["pudong"])
        make_article(issue=issue, title="江苏区块链", regions=["jiangsu"])
        response = client.get(reverse("editorial:search"), {"q": "区块链", "region": "shanghai"})
        assert [article.title for article in response.context["articles"]] == ["浦东区块链"]

    def test_an_empty_query_with_filters_lists_everything_matching_the_filters_newest_first(self, client):
        old = make_published_issue(number=1, date=datetime.date(2019, 5, 3))
        new = make_published_issue(number=2, date=datetime.date(2020, 5, 8))
        make_article(issue=old, section_slug="economy", title="旧经济")
        make_article(issue=new, section_slug="economy", title="新经济")
        make_article(issue=new, section_slug="sci-tech", title="新科创")
        response = client.get(reverse("editorial:search"), {"q": "", "section": "economy"})
        assert [article.title for article in response.context["articles"]] == ["新经济", "旧经济"]
        response = client.get(reverse("editorial:search"), {"year": "2019"})
        assert [article.title for article in response.context["articles"]] == ["旧经济"]
        response = client.get(reverse("editorial:search"), {"date_from": "2020-01-01", "date_to": "2020-12-31"})
        assert {article.title for article in response.context["articles"]} == {"新经济", "新科创"}

    def test_filters_keep_their_values_across_pages(self, client):
        issue = make_published_issue()
        for n in range(25):
            make_article(issue=issue, title=f"浦东区块链{n}", regions=["pudong"])
        response = client.get(reverse("editorial:search"), {"q": "区块链", "region": "shanghai"})
        assert response.context["paginator"].count == 25
        next_links = [href for href in links(response) if "page=2" in href]
        assert next_links and all(
            "q=%E5%8C%BA%E5%9D%97%E9%93%BE" in href and "region=shanghai" in href for href in next_links
        )
        second = client.get(reverse("editorial:search") + next_links[0])
        assert len(second.context["articles"]) == 5
        assert second.context["form"]["region"].value() == "shanghai"

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"region": "atlantis"}, "没有找到这个地区"),
            ({"section": "nothing"}, "没有找到这个栏目"),
            ({"year": "1800"}, "没有已发布的期刊"),
            ({"date_from": "2020-13-45"}, "起始日期的格式"),
            ({"date_from": "2020-12-01", "date_to": "2020-01-01"}, "截止日期不能早于起始日期"),
            ({"q": "长" * 101}, "检索词太长"),
        ],
    )
    def test_bad_input_gets_a_chinese_message_and_no_results(self, client, params, message):
        make_article(issue=make_published_issue(), title="区块链", regions=["shanghai"])
        response = client.get(reverse("editorial:search"), params)
        assert response.status_code == 200
        assert message in text(response)
        assert "articles" not in response.context

    def test_filter_choices_offer_only_what_published_articles_use(self, client):
        issue = make_published_issue(date=datetime.date(2020, 10, 30))
        make_article(issue=issue, section_slug="economy", regions=["pudong"])
        make_article(issue=make_issue(date=datetime.date(2018, 1, 5)), section_slug="policy", regions=["anhui"])
        form = client.get(reverse("editorial:search")).context["form"]
        regions = [value for _, options in form.fields["region"].choices[1:] for value, _ in options]
        assert regions == ["shanghai", "pudong"]
        assert [value for value, _ in form.fields["section"].choices][1:] == ["economy"]
        assert [str(value) for value, _ in form.fields["year"].choices][1:] == ["2020"]


class TestQueryCounts:
    """Pages run a constant number of queries, whatever the number of articles (cold cache)."""

    @pytest.fixture(autouse=True)
    def _empty_cache(self):
        from django.core.cache import cache

        cache.clear()
        yield
        cache.clear()

    def count_queries(self, client, url, django_assert_max_num_queries, budget, params=None):
        from django.core.cache import cache

        cache.clear()
        with django_assert_max_num_queries(budget):
            assert client.get(url, params or {}).status_code == 200

    @pytest.mark.parametrize("articles", [3, 30])
    def test_issue_page(self, client, django_assert_max_num_queries, articles):
        issue = issue_with_articles(articles)
        self.count_queries(client, issue.get_absolute_url(), django_assert_max_num_queries, 8)

    @pytest.mark.parametrize("articles", [3, 30])
    def test_article_page(self, client, django_assert_max_num_queries, articles):
        issue = issue_with_articles(articles)
        self.count_queries(client, issue.articles.first().get_absolute_url(), django_assert_max_num_queries, 6)

    @pytest.mark.parametrize("issues", [2, 20])
    def test_home_and_archive(self, client, django_assert_max_num_queries, issues):
        for n in range(issues):
            issue_with_articles(2, number=n + 1, date=datetime.date(2020, 1, 3) + datetime.timedelta(weeks=n))
        # The region list reads the region table (one query) to keep provinces nobody has published from out.
        self.count_queries(client, "/", django_assert_max_num_queries, 9)
        self.count_queries(client, reverse("editorial:issue-list"), django_assert_max_num_queries, 5)

    @pytest.mark.parametrize("articles", [3, 30])
    def test_search_region_and_section_pages(self, client, django_assert_max_num_queries, articles):
        issue_with_articles(articles)
        search = reverse("editorial:search")
        # On PostgreSQL the ranking runs in its own transaction with the planner told to use the index (+4).
        self.count_queries(client, search, django_assert_max_num_queries, 13, {"q": "测试 正文", "region": "shanghai"})
        self.count_queries(client, "/regions/shanghai/", django_assert_max_num_queries, 7)
        self.count_queries(client, "/sections/sci-tech/", django_assert_max_num_queries, 6)

    def test_a_cached_issue_page_costs_one_query(self, client, django_assert_max_num_queries):
        issue = issue_with_articles(10)
        client.get(issue.get_absolute_url())
        with django_assert_max_num_queries(1):
            assert client.get(issue.get_absolute_url()).status_code == 200
