import datetime

import pytest
from django.db import IntegrityError, transaction

from editorial.models import Article, Issue, IssueTransition, Publication, Section, SourceRegion
from tests.factories import STANDING_SECTIONS, make_article, make_issue, make_published_issue, region


@pytest.fixture(autouse=True)
def _db(db):
    pass


def test_the_masthead_starts_as_the_offices_own():
    publication = Publication.objects.current()
    assert publication.title == "长三角每周要讯"
    assert publication.office == "浙江省人民政府驻上海办事处"


def test_the_six_standing_sections_start_in_the_samples_order():
    assert list(Section.objects.values_list("name", flat=True)) == STANDING_SECTIONS


def test_all_34_province_level_regions_are_loaded():
    provinces = SourceRegion.objects.filter(kind=SourceRegion.Kind.PROVINCE)
    assert provinces.count() == 34
    assert set(provinces.filter(in_yangtze_delta=True).values_list("name", flat=True)) == {
        "上海",
        "江苏",
        "浙江",
        "安徽",
    }


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("浦东新区", "上海"),
        ("临港新片区", "上海"),
        ("宝山区", "上海"),
        ("闵行区", "上海"),
        ("青浦区", "上海"),
        ("青岛", "山东"),
        ("深圳", "广东"),
        ("嘉善", "浙江"),
        ("吴江", "江苏"),
    ],
)
def test_the_samples_cities_and_districts_sit_under_their_province(name, province):
    place = SourceRegion.objects.get(name=name)
    while place.parent is not None:
        place = place.parent
    assert place.name == province


def test_regions_inside_the_delta_are_marked_and_those_outside_are_not():
    assert region("pudong").in_yangtze_delta
    assert region("jiashan").in_yangtze_delta
    assert not region("qingdao").in_yangtze_delta


def test_an_issue_prints_its_period_from_its_date_and_number():
    issue = make_issue(number=193, date=datetime.date(2020, 10, 30))
    assert str(issue) == "2020年第193期"


def test_issue_numbers_are_unique_per_publication():
    first = make_issue(number=193)
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(publication=first.publication, number=193, date=first.date)


def test_two_articles_cannot_share_a_position_in_one_issue():
    issue = make_issue()
    make_article(issue=issue, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(issue=issue, position=1)


def test_articles_in_the_pool_need_no_position_or_section():
    article = Article.objects.create(title="待编稿件", body="正文。")
    assert article.issue is None
    assert list(Article.objects.in_pool()) == [article]


def test_an_article_placed_in_an_issue_must_have_a_section():
    issue = make_issue()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(issue=issue, position=1, title="无栏目", body="正文。")


def test_only_articles_of_published_issues_are_public():
    draft = make_issue()
    published = make_published_issue()
    make_article(issue=draft)
    visible = make_article(issue=published)
    assert list(Issue.objects.published()) == [published]
    assert list(Article.objects.published()) == [visible]


def test_reading_order_follows_the_issues_own_section_order_then_position():
    issue = make_issue()
    later_section = make_article(issue=issue, section_slug="sci-tech", position=1)
    earlier_section = make_article(issue=issue, section_slug="beyond-delta", position=2)
    issue.issue_sections.filter(section__slug="beyond-delta").update(position=0)
    assert list(Article.objects.filter(issue=issue).in_reading_order()) == [earlier_section, later_section]


def test_an_articles_paragraphs_are_its_blank_line_separated_blocks():
    article = make_article(body="第一段。\r\n\r\n第二段\n仍是第二段。\n\n\n第三段。")
    assert article.paragraphs == ["第一段。", "第二段\n仍是第二段。", "第三段。"]


def test_the_admin_is_named_after_the_masthead(admin_client):
    Publication.objects.filter(pk=Publication.objects.current().pk).update(title="沪浙合作简讯")
    page = admin_client.get("/admin/").content.decode()
    assert "沪浙合作简讯 · 编辑部" in page and "<title>工作台 | 沪浙合作简讯编辑部</title>" in page
    assert "长三角每周要讯" not in page


def test_every_model_answers_where_it_is_read(client, admin_client):
    issue = make_published_issue(number=193)
    article = make_article(issue=issue, section_slug="economy", regions=["shanghai"])
    issue_section = issue.issue_sections.get(section__slug="economy")
    transition = IssueTransition.objects.create(issue=issue, to_status=Issue.Status.PUBLISHED, action="publish")

    assert Publication.objects.current().get_absolute_url() == "/"
    assert issue_section.get_absolute_url() == "/issues/193/#section-economy"
    assert 'id="section-economy"' in client.get(issue.get_absolute_url()).content.decode()
    for public in (issue, article, issue_section.section, region("shanghai")):
        assert client.get(public.get_absolute_url()).status_code == 200, public
    log_page = admin_client.get(transition.get_absolute_url())
    assert log_page.status_code == 200 and 'id="workflow"' in log_page.content.decode()
