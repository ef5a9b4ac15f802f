"""信息工作统计's counting rules (editorial/statistics.py): periods, the region tree, what counts where, and the queries."""

import datetime

import pytest

from editorial.models import Article, Issue, Section, SourceRegion
from editorial.statistics import NO_SECTION, Period, RegionTree, work_statistics
from tests.factories import (
    make_adoption,
    make_article,
    make_instruction,
    make_issue,
    make_published_issue,
    region,
)

pytestmark = pytest.mark.django_db
BLANKS = "\n\r\t \u3000"


def counts(tallies) -> dict[str, int]:
    return {tally.name: tally.count for tally in tallies if tally.count}


# --- the period -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "label", "start", "end"),
    [
        (Period(2024), "2024年", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
        (Period.of_quarter(2024, 1), "2024年第一季度", datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        (Period.of_quarter(2023, 4), "2023年第四季度", datetime.date(2023, 10, 1), datetime.date(2023, 12, 31)),
        (Period(2024, 2, 2), "2024年2月", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        (Period(2023, 2, 5), "2023年2—5月", datetime.date(2023, 2, 1), datetime.date(2023, 5, 31)),
        (Period(2023, 4, 6), "2023年第二季度", datetime.date(2023, 4, 1), datetime.date(2023, 6, 30)),
    ],
)
def test_a_period_knows_its_label_and_its_first_and_last_day(period, label, start, end):
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize("months", [(5, 3), (0, 3), (1, 13)])
def test_a_period_whose_months_make_no_sense_is_refused_in_chinese(months):
    with pytest.raises(ValueError, match="月份范围不正确"):
        Period(2024, *months)
    with pytest.raises(ValueError, match="季度只能是 1 到 4"):
        Period.of_quarter(2024, 5)


# --- the region tree ------------------------------------------------------------------------------------


def test_the_region_tree_finds_each_places_province_and_delta_city():
    town = SourceRegion.objects.create(
        name="某镇", slug="some-town", kind=SourceRegion.Kind.DISTRICT, parent=region("wujiang"), in_yangtze_delta=True
    )
    tree = RegionTree.load()
    pk = {slug: region(slug).pk for slug in ("shanghai", "pudong", "jiangsu", "suzhou", "qingdao", "shandong")}
    assert tree.province_of(region("pudong").pk) == pk["shanghai"]
    assert tree.province_of(town.pk) == pk["jiangsu"]
    assert tree.province_of(region("qingdao").pk) == pk["shandong"]
    assert tree.city_of(town.pk) == pk["suzhou"]  # 某镇 → 吴江 → 苏州
    assert tree.city_of(region("pudong").pk) == pk["shanghai"]  # 上海 has districts only: it is its own city
    assert tree.city_of(pk["jiangsu"]) is None  # a province is above city level
    assert tree.city_of(region("qingdao").pk) is None  # outside the delta
    delta = {province.name: [city.name for city in cities] for province, cities in tree.delta_cities}
    assert list(delta) == ["上海", "江苏", "浙江", "安徽"]
    assert delta["上海"] == ["上海"]
    assert len(delta["江苏"]) == 13 and len(delta["浙江"]) == 11 and len(delta["安徽"]) == 16
    assert "吴江" not in delta["江苏"] and "嘉善" not in delta["浙江"]


def test_the_sql_grouping_agrees_with_the_tree_for_every_place_even_four_levels_deep():
    """One published article per place: each province and city counts exactly the places the tree puts under it."""
    street = SourceRegion.objects.create(
        name="张江", slug="zhangjiang", kind=SourceRegion.Kind.DISTRICT, parent=region("pudong"), in_yangtze_delta=True
    )
    SourceRegion.objects.create(
        name="某村", slug="some-village", kind=SourceRegion.Kind.DISTRICT, parent=street, in_yangtze_delta=True
    )
    issue = make_published_issue(number=900, date=datetime.date(2021, 6, 4))
    places = list(SourceRegion.objects.all())
    for place in places:
        make_article(issue=issue, regions=[place])
    tree = RegionTree.load()
    assert tree.depth == 4
    stats = work_statistics(period=Period(2021))
    expected_provinces: dict[str, int] = {}
    expected_cities: dict[str, int] = {}
    for place in places:
        province = tree.places[tree.province_of(place.pk)].name
        expected_provinces[province] = expected_provinces.get(province, 0) + 1
        city = tree.city_of(place.pk)
        if city is not None:
            expected_cities[tree.places[city].name] = expected_cities.get(tree.places[city].name, 0) + 1
    assert counts(stats.by_province) == expected_provinces
    assert {city.name: city.count for p in stats.delta for city in p.cities if city.count} == expected_cities
    assert counts(stats.by_province)["上海"] == 1 + 17 + 2  # itself, its districts, 张江 and 某村


# --- what counts ----------------------------------------------------------------------------------------


@pytest.fixture
def year():
    """A year of two published issues, with unpublished issues, the pool and other years around it."""
    march = make_published_issue(number=601, date=datetime.date(2020, 3, 6))
    august = make_published_issue(number=602, date=datetime.date(2020, 8, 7))
    articles = {
        "浦东": make_article(issue=march, regions=["pudong", "shanghai"], body="浦东 新区\n\n一二三　四。"),
        "吴江": make_article(issue=march, regions=["wujiang"], body="吴江\t五六。"),
        "苏州南京": make_article(issue=march, regions=["suzhou", "nanjing"], body="苏州和南京。"),
        "嘉善杭州上海": make_article(
            issue=march, section_slug="economy", regions=["jiashan", "hangzhou", "shanghai"], body="三地。"
        ),
        "无地区": make_article(issue=march, section_slug="economy", body="没有地区。"),
        "青岛": make_article(issue=march, section_slug="beyond-delta", regions=["qingdao"], body="青岛。"),
        "江苏": make_article(issue=march, section_slug="policy", regions=["jiangsu"], body="江苏全省。"),
        "北京": make_article(issue=august, section_slug="beyond-delta", regions=["beijing"], body="北京。"),
        "合肥": make_article(issue=august, regions=["hefei"], body="合肥。\r\n"),
    }
    hidden = {}
    for number, status, date in [
        (603, Issue.Status.DRAFT, datetime.date(2020, 5, 1)),
        (604, Issue.Status.IN_REVIEW, datetime.date(2020, 5, 8)),
        (605, Issue.Status.APPROVED, datetime.date(2020, 5, 15)),
        (606, Issue.Status.WITHDRAWN, datetime.date(2020, 6, 5)),
    ]:
        issue = make_issue(number=number, status=status, date=date)
        hidden[status] = make_article(issue=issue, regions=["huzhou", "shanghai"], body="不应计入。")
    last_year = make_published_issue(number=600, date=datetime.date(2019, 12, 27))
    hidden["2019"] = make_article(issue=last_year, regions=["huzhou"], body="去年的。")
    hidden["pool"] = make_article(regions=["huzhou"], body="稿件库里的。")
    return {"articles": articles, "hidden": hidden}


def test_the_years_published_issues_articles_and_characters_are_counted_and_nothing_else(year):
    stats = work_statistics(period=Period(2020))
    assert (stats.issues, stats.articles) == (2, 9)
    bodies = [article.body for article in year["articles"].values()]
    assert stats.characters == sum(1 for body in bodies for char in body if char not in BLANKS)
    assert stats.characters == len(
        "浦东新区一二三四。吴江五六。苏州和南京。三地。没有地区。青岛。江苏全省。北京。合肥。"
    )
    assert counts(stats.by_section) == {"科创聚焦": 4, "经济热点": 2, "政策举措": 1, "域外动态": 2}
    assert [tally.name for tally in stats.by_section] == list(Section.objects.values_list("name", flat=True))


def test_an_article_counts_once_under_each_province_it_names_directly_or_through_a_place_below_it(year):
    stats = work_statistics(period=Period(2020))
    # 浦东新区 and 上海 in one article: once for 上海; 吴江 → 苏州 → 江苏; 苏州 and 南京: once for 江苏.
    assert counts(stats.by_province) == {"上海": 2, "江苏": 3, "浙江": 1, "山东": 1, "北京": 1, "安徽": 1}
    assert len(stats.by_province) == SourceRegion.objects.filter(kind="province").count()
    assert [tally.name for tally in stats.covered_provinces][:2] == ["江苏", "上海"]


def test_the_delta_cities_count_their_districts_and_the_cities_never_covered_are_named(year):
    stats = work_statistics(period=Period(2020))
    cities = {city.name: city.count for province in stats.delta for city in province.cities}
    assert {name: count for name, count in cities.items() if count} == {
        "上海": 2,
        "苏州": 2,
        "南京": 1,
        "嘉兴": 1,
        "杭州": 1,
        "合肥": 1,
    }
    assert len(cities) == stats.delta_city_count == 41
    assert "湖州" in stats.uncovered_cities  # named only by unpublished, pooled and last year's articles
    assert len(stats.uncovered_cities) == 41 - 6
    assert [province.name for province in stats.delta] == ["上海", "江苏", "浙江", "安徽"]


def test_a_quarter_or_a_range_of_months_counts_only_its_issues(year):
    first = work_statistics(period=Period.of_quarter(2020, 1))
    assert (first.issues, first.articles) == (1, 7)
    summer = work_statistics(period=Period(2020, 7, 9))
    assert (summer.issues, summer.articles) == (1, 2)
    assert counts(summer.by_province) == {"北京": 1, "安徽": 1}
    assert work_statistics(period=Period(2020, 4, 6)).articles == 0


def test_instructions_and_adoptions_count_by_their_own_date_under_their_articles_section_and_regions(year):
    articles, hidden = year["articles"], year["hidden"]
    make_instruction(article=articles["嘉善杭州上海"], date=datetime.date(2020, 3, 20), level="省级领导")
    make_instruction(article=articles["嘉善杭州上海"], date=datetime.date(2020, 4, 2), level="国家级领导")
    make_instruction(article=articles["浦东"], date=datetime.date(2020, 3, 25), level="省级领导")
    make_instruction(article=articles["无地区"], date=datetime.date(2020, 12, 31), level="其他")
    # An instruction on an item sent up before its issue came out counts all the same.
    make_instruction(article=hidden[Issue.Status.DRAFT], date=datetime.date(2020, 5, 3), level="厅局级领导")
    # Out of the year: not counted.
    make_instruction(article=articles["浦东"], date=datetime.date(2019, 12, 31))
    make_instruction(article=articles["浦东"], date=datetime.date(2021, 1, 1))
    make_adoption(article=articles["吴江"], date=datetime.date(2020, 3, 30))
    make_adoption(article=articles["吴江"], date=datetime.date(2020, 4, 1))
    make_adoption(article=articles["嘉善杭州上海"], date=datetime.date(2020, 9, 1))
    make_adoption(article=hidden["pool"], date=datetime.date(2020, 9, 2))
    make_adoption(article=articles["北京"], date=datetime.date(2021, 2, 1))

    stats = work_statistics(period=Period(2020))
    assert (stats.instructions, stats.adoptions) == (5, 4)
    months = {row.month: (row.instructions, row.adoptions) for row in stats.by_month}
    assert len(months) == 12
    assert {month: value for month, value in months.items() if value != (0, 0)} == {
        3: (2, 1),
        4: (1, 1),
        5: (1, 0),
        9: (0, 2),
        12: (1, 0),
    }
    assert counts(stats.instructions_by_level) == {"国家级领导": 1, "省级领导": 2, "厅局级领导": 1, "其他": 1}
    assert [tally.name for tally in stats.instructions_by_level] == ["国家级领导", "省级领导", "厅局级领导", "其他"]
    by_section = {row.name: (row.instructions, row.adoptions) for row in stats.records_by_section}
    # 科创聚焦: 浦东 and the draft's article; 吴江 twice and the pooled article. Sections without any are left out.
    assert by_section == {"科创聚焦": (2, 3), "经济热点": (3, 1)}
    by_province = {row.name: (row.instructions, row.adoptions) for row in stats.records_by_province}
    # 嘉善、杭州、上海 counts for 浙江 and for 上海; 浦东 and 上海 once for 上海; the draft's 湖州 and 上海 for both.
    assert by_province == {"上海": (4, 1), "浙江": (3, 2), "江苏": (0, 2)}
    assert [row.name for row in stats.records_by_province] == ["上海", "浙江", "江苏"]
    top = [
        (article.title, article.instructions, article.adoptions, article.placement) for article in stats.top_articles
    ]
    assert top[0] == (articles["嘉善杭州上海"].title, 2, 1, "2020年第601期")
    assert {entry[0] for entry in top[1:]} == {
        articles["浦东"].title,
        articles["无地区"].title,
        hidden[Issue.Status.DRAFT].title,
    }
    assert (hidden[Issue.Status.DRAFT].title, 1, 0, "2020年第603期（草稿）") in top


def test_articles_without_a_section_are_counted_under_a_name_of_their_own():
    pooled = Article.objects.create(title="尚未分栏目的稿件", body="正文。")
    make_instruction(article=pooled, date=datetime.date(2020, 2, 2))
    stats = work_statistics(period=Period(2020))
    assert {row.name: row.instructions for row in stats.records_by_section} == {NO_SECTION: 1}
    assert stats.top_articles[0].placement == "稿件库"
    assert stats.top_articles[0].section == NO_SECTION


def test_the_figures_take_the_same_twelve_queries_however_much_there_is(year, django_assert_num_queries):
    with django_assert_num_queries(12):
        work_statistics(period=Period(2020))
    for week in range(8):
        issue = make_published_issue(number=700 + week, date=datetime.date(2020, 9, 4) + datetime.timedelta(weeks=week))
        for slug in ("pudong", "nanjing", "hefei", "qingdao"):
            article = make_article(issue=issue, regions=[slug, "shanghai"])
            make_instruction(article=article, date=issue.date + datetime.timedelta(days=3))
            make_adoption(article=article, date=issue.date + datetime.timedelta(days=5))
    with django_assert_num_queries(12):
        stats = work_statistics(period=Period(2020))
    assert (stats.issues, stats.articles, stats.instructions, stats.adoptions) == (10, 41, 32, 32)
