"""The article list's filters, facet counts and search, reworked for an archive of 11,000 articles (bench/run.py).

The counts beside each filter's choices are computed when an editor asks for them (显示计数, `_facets`).
"""

import datetime

import pytest
from django.urls import reverse

from editorial import estimates
from editorial.admin.articles import ArticleAdmin
from editorial.models import Issue
from tests.factories import make_article, make_issue

pytestmark = pytest.mark.django_db

URL = reverse("admin:editorial_article_changelist")
# The parameter Django's 显示计数 link adds: the filters' counts, on demand.
FACETS = {"_facets": "True"}


def filter_choices(response, parameter: str) -> dict[str, str]:
    """A list filter's choices as the page shows them: value → label with its count."""
    changelist = response.context["cl"]
    spec = next(spec for spec in changelist.filter_specs if getattr(spec, "parameter_name", None) == parameter)
    return {
        choice["query_string"].split(f"{parameter}=")[1].split("&")[0]: choice["display"]
        for choice in spec.choices(changelist)
        if f"{parameter}=" in choice["query_string"]
    }


def region_choices(response) -> dict[str, str]:
    return filter_choices(response, "region")


def test_the_region_filter_offers_the_regions_articles_name_and_the_regions_above_them(client, editor):
    make_article(issue=make_issue(), regions=["pudong"])
    make_article(regions=["jiangsu"])
    client.force_login(editor)
    assert list(region_choices(client.get(URL))) == ["shanghai", "jiangsu", "pudong"]


def test_region_counts_take_in_the_subregions_and_count_an_article_once(client, editor):
    issue = make_issue()
    make_article(issue=issue, regions=["pudong"])
    make_article(issue=issue, regions=["shanghai", "pudong"])
    make_article(issue=issue, regions=["shanghai"])
    make_article(regions=["jiangsu"])
    client.force_login(editor)
    choices = region_choices(client.get(URL, FACETS))
    assert choices == {"shanghai": "上海 (3)", "jiangsu": "江苏 (1)", "pudong": "浦东新区 (2)"}


def test_region_counts_follow_the_other_filters_and_the_search(client, editor):
    issue = make_issue()
    make_article(issue=issue, regions=["pudong"], title="临港新片区集成电路项目开工")
    make_article(issue=issue, regions=["shanghai"], title="上海发布养老服务新政")
    make_article(regions=["jiangsu"], title="苏州集成电路产业园扩区")
    client.force_login(editor)
    choices = region_choices(client.get(URL, {"q": "集成电路", **FACETS}))
    assert choices == {"shanghai": "上海 (1)", "jiangsu": "江苏 (1)", "pudong": "浦东新区 (1)"}
    choices = region_choices(client.get(URL, {"placement": "pool", **FACETS}))
    assert choices["jiangsu"] == "江苏 (1)" and choices["shanghai"] == "上海 (0)"


def test_status_and_year_counts_match_what_each_choice_lists(client, editor):
    old = make_issue(date=datetime.date(2020, 10, 30), status=Issue.Status.PUBLISHED)
    new = make_issue(date=datetime.date(2026, 11, 20))
    for issue, articles in ((old, 2), (new, 3)):
        for _ in range(articles):
            make_article(issue=issue, title="集成电路" if issue is old else "养老")
    make_article()
    client.force_login(editor)
    response = client.get(URL, FACETS)
    placement = filter_choices(response, "placement")
    assert (placement["pool"], placement["draft"], placement["published"]) == (
        "稿件库（未编入期刊） (1)",
        "在草稿期刊中 (3)",
        "在已发布期刊中 (2)",
    )
    assert filter_choices(response, "year") == {"2026": "2026年 (3)", "2020": "2020年 (2)"}
    for value, label in {**placement, **filter_choices(response, "year")}.items():
        parameter = "year" if value.isdigit() else "placement"
        listed = client.get(URL, {parameter: value}).context["cl"].result_count
        assert label.endswith(f"({listed})")
    assert filter_choices(client.get(URL, {"q": "养老", **FACETS}), "year") == {
        "2026": "2026年 (3)",
        "2020": "2020年 (0)",
    }


def test_the_filters_count_their_choices_only_when_asked(client, editor):
    make_article(issue=make_issue(), regions=["shanghai"])
    client.force_login(editor)
    plain = client.get(URL)
    assert filter_choices(plain, "region") == {"shanghai": "上海"}
    assert "显示计数" in plain.content.decode()
    assert filter_choices(client.get(URL, FACETS), "region") == {"shanghai": "上海 (1)"}


def test_filtering_by_a_region_lists_the_articles_of_its_subregions(client, editor):
    issue = make_issue()
    in_pudong = make_article(issue=issue, regions=["pudong"])
    in_shanghai = make_article(issue=issue, regions=["shanghai"])
    make_article(issue=issue, regions=["jiangsu"])
    client.force_login(editor)
    listed = {article.pk for article in client.get(URL, {"region": "shanghai"}).context["cl"].result_list}
    assert listed == {in_pudong.pk, in_shanghai.pk}
    assert list(client.get(URL, {"region": "no-such-region"}).context["cl"].result_list) == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("集成电路", {"chips"}),
        ("ＡＩ 产业", {"ai"}),  # full-width letters, two terms: both must occur
        ("ai 养老", set()),
        ("正文里的词", {"chips"}),  # the body counts as well as the title
    ],
)
def test_the_admin_search_compares_title_and_body_as_the_public_search_does(client, editor, query, found):
    issue = make_issue()
    articles = {
        "chips": make_article(issue=issue, title="集成电路项目开工", body="正文里的词。"),
        "ai": make_article(issue=issue, title="AI 产业园开园", body="人工智能。"),
        "care": make_article(title="养老服务新政", body="社区养老。"),
    }
    client.force_login(editor)
    listed = {article.pk for article in client.get(URL, {"q": query}).context["cl"].result_list}
    assert listed == {articles[name].pk for name in found}


def test_a_search_the_public_search_would_refuse_lists_nothing_and_says_why(client, editor):
    make_article(title="标题")
    client.force_login(editor)
    response = client.get(URL, {"q": " ".join(f"词{n}" for n in range(12))})
    assert list(response.context["cl"].result_list) == []
    assert any("关键词太多了" in str(message) for message in response.context["messages"])


def test_the_article_list_reads_the_regions_once_whatever_the_number_of_regions_and_articles(
    client, editor, django_assert_max_num_queries
):
    issue = make_issue()
    for slug in ["pudong", "shanghai", "jiangsu", "hangzhou", "hefei"]:
        make_article(issue=issue, regions=[slug])
        make_article(regions=[slug])
    client.force_login(editor)
    client.get(URL)
    with django_assert_max_num_queries(25):
        assert client.get(URL, {"q": "测试", "region": "shanghai"}).status_code == 200


def listed_titles(response) -> list[str]:
    return [article.title for article in response.context["cl"].result_list]


def test_pages_list_articles_not_yet_in_an_issue_first_then_by_issue_newest_first(client, editor, monkeypatch):
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 3)
    old = make_issue(number=1, date=datetime.date(2020, 1, 3), status=Issue.Status.PUBLISHED)
    new = make_issue(number=2, date=datetime.date(2020, 1, 10))
    expected = [make_article(title=f"稿件库{n}").title for n in range(2)]
    expected += [make_article(issue=new, title=f"新一期{n}").title for n in range(2)]
    expected += [make_article(issue=old, title=f"旧一期{n}").title for n in range(3)]
    client.force_login(editor)
    pages = [listed_titles(client.get(URL, {"p": page})) for page in (1, 2, 3)]
    assert pages == [expected[0:3], expected[3:6], expected[6:7]]
    # Sorted by a column instead, the list is one query's order.
    by_title = listed_titles(client.get(URL, {"o": "1"}))
    assert by_title == sorted(expected)[:3]


def test_a_long_list_says_its_count_is_an_estimate(client, editor, monkeypatch):
    monkeypatch.setattr(estimates, "count", lambda queryset, **options: estimates.Count(112_231, estimated=True))
    make_article(issue=make_issue(), title="一篇")
    client.force_login(editor)
    page = client.get(URL, {"q": "一篇"}).content.decode()
    assert "共约 110,000 篇稿件（估计数）" in page
    assert "约 110,000 条结果" in page
