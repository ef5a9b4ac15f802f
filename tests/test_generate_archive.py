"""generate_archive: consecutive weekly published issues, 15–30 articles across all sections, same seed same archive."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from editorial.demo.generator import GenerationError, generate_archive, load_bank, places_from_db, plan_archive
from editorial.exports import issue_data
from editorial.importers.regions import catalogue_from_db
from editorial.models import Article, Issue, IssueSection, Section, SourceRegion
from editorial.text import normalise_for_match
from tests.factories import make_issue

pytestmark = pytest.mark.django_db

SECTIONS = ["科创聚焦", "经济热点", "产业动向", "政策举措", "经验交流", "域外动态"]


@pytest.fixture
def bank():
    return load_bank(catalogue=catalogue_from_db())


def plan(bank, **options):
    options = {"issues": 20, "seed": 3, **options}
    return plan_archive(bank=bank, places=places_from_db(), sections=SECTIONS, **options)


def test_the_demo_issues_give_a_bank_of_articles_for_every_section(bank):
    assert set(bank) == set(SECTIONS)
    assert all(len(articles) >= 3 for articles in bank.values())


def test_the_same_seed_plans_the_same_archive_and_another_seed_another(bank):
    assert plan(bank) == plan(bank)
    assert plan(bank) != plan(bank, seed=4)


def test_issues_are_consecutive_weekly_with_15_to_30_articles_across_all_sections(bank):
    planned = plan(bank, issues=30, first_number=100, first_date=datetime.date(2020, 1, 3))
    assert [issue.number for issue in planned] == list(range(100, 130))
    assert [issue.date for issue in planned] == [
        datetime.date(2020, 1, 3) + datetime.timedelta(weeks=n) for n in range(30)
    ]
    for issue in planned:
        assert 15 <= len(issue.articles) <= 30
        assert {article.section for article in issue.articles} == set(SECTIONS)
        assert len({article.title for article in issue.articles}) == len(issue.articles)
        pages = [article.page for article in issue.articles]
        assert pages == sorted(pages) and pages[0] == 3


def test_every_article_names_its_region_which_is_outside_the_delta_only_in_the_beyond_section(bank):
    delta = dict(SourceRegion.objects.values_list("slug", "in_yangtze_delta"))
    names = dict(SourceRegion.objects.values_list("slug", "name"))
    planned = plan(bank, issues=40)
    used = set()
    for issue in planned:
        for article in issue.articles:
            assert names[article.region] in article.title
            assert delta[article.region] is (article.section != "域外动态")
            assert 1 <= len(article.paragraphs) <= 5
            used.add(article.region)
    assert len(used) >= 40


def test_writing_the_archive_makes_published_issues_with_standing_sections_regions_and_search_fields(
    django_assert_max_num_queries,
):
    # A fixed number of bulk queries, including the first version of every issue and article in the history.
    with django_assert_max_num_queries(24):
        planned, written = generate_archive(issues=5, seed=1, first_number=10)
    issues = list(Issue.objects.order_by("number"))
    assert [issue.number for issue in issues] == [10, 11, 12, 13, 14]
    assert all(issue.status == Issue.Status.PUBLISHED and issue.published_at for issue in issues)
    assert written == Article.objects.count() == sum(len(issue.articles) for issue in planned)
    assert IssueSection.objects.filter(issue=issues[0]).count() == Section.objects.filter(is_standing=True).count()
    article = Article.objects.select_related("issue").prefetch_related("regions").first()
    assert article.regions.count() == 1 and article.regions.get().name in article.title
    assert normalise_for_match(article.title) in article.search_title.replace(" ", "")
    assert issues[0].transitions.get().to_status == Issue.Status.PUBLISHED
    data = issue_data(issue=issues[0])
    assert [section["name"] for section in data["sections"]] == SECTIONS


def test_a_taken_number_stops_the_whole_archive_and_writes_nothing():
    make_issue(number=12)
    with pytest.raises(GenerationError, match="第 12 期"):
        generate_archive(issues=5, seed=1, first_number=10)
    assert Issue.objects.count() == 1 and Article.objects.count() == 0


def test_the_command_reports_what_it_made_and_refuses_bad_options():
    out = io.StringIO()
    call_command("generate_archive", "--issues", "3", "--seed", "9", "--first-date", "2019-01-04", stdout=out)
    assert "已生成 3 期（第 1–3 期，2019-01-04 至 2019-01-18）" in out.getvalue()
    with pytest.raises(CommandError, match="已经存在"):
        call_command("generate_archive", "--issues", "3", stdout=io.StringIO())
    with pytest.raises(CommandError, match="正整数"):
        call_command("generate_archive", "--issues", "0", stdout=io.StringIO())


def test_two_databases_generated_with_one_seed_hold_the_same_issues():
    generate_archive(issues=3, seed=5)
    first = [issue_data(issue=issue) for issue in Issue.objects.order_by("number")]
    Issue.objects.all().delete()
    generate_archive(issues=3, seed=5)
    assert [issue_data(issue=issue) for issue in Issue.objects.order_by("number")] == first
