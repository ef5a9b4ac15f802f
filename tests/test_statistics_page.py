"""/admin/statistics/: the page (figures, charts with their tables, the 长三角 coverage), the period chooser, its queries,
the Excel download and the year-end Word report."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from editorial import statistics_report
from tests.factories import make_adoption, make_article, make_instruction, make_issue, make_published_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def year():
    march = make_published_issue(number=611, date=datetime.date(2020, 3, 6))
    august = make_published_issue(number=612, date=datetime.date(2020, 8, 7))
    hot = make_article(issue=march, title="示范区跨域项目落地", regions=["jiashan", "shanghai"])
    make_article(issue=march, section_slug="economy", title="合肥新能源汽车产量增长", regions=["hefei"])
    make_article(issue=august, section_slug="beyond-delta", title="青岛港集装箱吞吐量", regions=["qingdao"])
    draft = make_issue(number=613, date=datetime.date(2020, 9, 4))
    make_article(issue=draft, title="草稿里的湖州稿件", regions=["huzhou"])
    make_instruction(
        article=hot, leader="王某某", date=datetime.date(2020, 3, 20), level="省级领导", gist="请研究借鉴。"
    )
    make_instruction(article=hot, leader="赵某某", date=datetime.date(2020, 4, 1), level="国家级领导")
    make_adoption(article=hot, adopted_by="《浙江信息》", date=datetime.date(2020, 3, 25))
    return {"hot": hot}


def page(client, **query):
    response = client.get(reverse("statistics:index"), query)
    assert response.status_code == 200
    return response


def test_the_page_shows_the_years_figures_each_chart_drawn_with_its_table_and_the_uncovered_cities(
    reviewer_client, year
):
    response = page(reviewer_client, year=2020)
    html = response.content.decode()
    stats = response.context["stats"]
    assert (stats.issues, stats.articles, stats.instructions, stats.adoptions) == (2, 3, 2, 1)
    assert "2020年信息工作统计" in html
    assert "2020年共编发《长三角每周要讯》2期，刊发稿件3篇" in html
    for slug in ("sections", "provinces", "months", "levels", "record_sections", "record_provinces"):
        figure = html.split(f'id="figure-{slug}"')[1].split("</figure>")[0]
        assert f'data-chart="{slug}"' in figure and "<rect" in figure, slug
        assert '<table class="digest-table digest-figure__table">' in figure, slug
    provinces = html.split('id="figure-provinces"')[1].split("</figure>")[0]
    assert re.search(r'<th scope="row">上海</th>\s*<td class="digest-number">1</td>', provinces)
    delta = html.split('id="figure-delta"')[1].split("</figure>")[0]
    assert "本时段尚未覆盖的城市（38 个）" in delta
    assert "湖州" in delta.split("本时段尚未覆盖的城市")[1].split("</p>")[0]  # only a draft names it
    assert re.search(r"嘉兴</span>\s*<span class=\"digest-heat__count\">1 篇", delta)
    top = html.split('id="top-heading"')[1]
    assert f"{reverse('admin:editorial_article_change', args=[year['hot'].pk])}#records" in top
    assert "<script" not in html.split('id="content-main"')[1].split('id="footer"')[0]


def test_a_quarter_or_a_range_of_months_can_be_chosen_and_the_downloads_follow_it(reviewer_client, year):
    response = page(reviewer_client, year=2020, scope="q3")
    assert response.context["stats"].articles == 1
    assert "2020年第三季度信息工作统计" in response.content.decode()
    assert f"{reverse('statistics:report')}?year=2020&amp;scope=q3" in response.content.decode()
    months = page(reviewer_client, year=2020, scope="months", first_month=3, last_month=4)
    assert months.context["period"].label == "2020年3—4月"
    assert months.context["stats"].instructions == 2 and months.context["stats"].articles == 2
    assert "scope=months&amp;first_month=3&amp;last_month=4" in months.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "1999"}, "没有这个年份的数据"),
        (
            {"year": "2020", "scope": "months", "first_month": "9", "last_month": "3"},
            "结束月份（3月）不能早于开始月份（9月）",
        ),
        ({"year": "2020", "scope": "decade"}, "“范围”的选项不正确"),
    ],
)
def test_a_period_that_makes_no_sense_is_explained_and_this_years_figures_are_shown(
    reviewer_client, year, query, message
):
    response = page(reviewer_client, **query)
    assert message in response.content.decode()
    assert response.context["period"].is_whole_year


def test_without_a_choice_the_page_shows_the_latest_year_with_issues(reviewer_client, year):
    assert page(reviewer_client).context["period"].year == 2020


def test_the_page_takes_the_same_number_of_queries_however_much_the_year_holds(reviewer_client, year):
    page(reviewer_client, year=2020)
    with CaptureQueriesContext(connection) as small:
        page(reviewer_client, year=2020)
    for week in range(10):
        issue = make_published_issue(
            number=620 + week, date=datetime.date(2020, 10, 2) + datetime.timedelta(weeks=week)
        )
        for slug in ("pudong", "nanjing", "hangzhou"):
            article = make_article(issue=issue, regions=[slug, "hefei"])
            make_instruction(article=article, date=issue.date)
            make_adoption(article=article, date=issue.date)
    with CaptureQueriesContext(connection) as large:
        response = page(reviewer_client, year=2020)
    assert response.context["stats"].articles == 33
    assert len(large.captured_queries) == len(small.captured_queries) <= 25


def test_the_admin_index_offers_the_statistics_to_reviewers_and_not_to_editors(client, reviewer, editor):
    client.force_login(reviewer)
    assert reverse("statistics:index") in client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    assert reverse("statistics:index") not in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("statistics:index")).status_code == 403


def test_the_spreadsheet_downloads_with_the_periods_name(reviewer_client, year):
    response = reviewer_client.get(reverse("statistics:spreadsheet"), {"year": 2020, "scope": "q1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "filename*=UTF-8''2020%E5%B9%B4%E7%AC%AC%E4%B8%80%E5%AD%A3%E5%BA%A6" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    overview = dict(book["概况"].iter_rows(min_row=2, values_only=True))
    assert overview["统计时段"] == "2020年第一季度" and overview["刊发稿件（篇）"] == 2


def test_the_year_end_word_report_holds_the_figures_the_charts_as_pictures_and_the_instructed_articles(
    reviewer_client, year
):
    response = reviewer_client.get(reverse("statistics:report"), {"year": 2020})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (
        "2020%E5%B9%B4%E5%BA%A6%E4%BF%A1%E6%81%AF%E5%B7%A5%E4%BD%9C%E7%BB%9F%E8%AE%A1.docx"
        in response["Content-Disposition"]
    )
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "2020年度信息工作统计" in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、总体情况",
        "二、栏目分布",
        "三、地区分布",
        "四、领导批示和被采用",
        "五、获领导批示稿件一览",
        "六、被采用情况一览",
    ]
    assert "2020年共编发《长三角每周要讯》2期，刊发稿件3篇" in text
    assert "获领导批示2件（国家级领导1件，省级领导1件），被采用1次。" in text
    assert len(document.inline_shapes) == 6
    for shape in document.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        assert document.part.related_parts[blip.embed].content_type == "image/png"
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "王某某（省级领导）" in cells and "请研究借鉴。" in cells
    assert "《示范区跨域项目落地》\n2020年第611期" in cells
    assert "湖州 未覆盖" in cells and "嘉兴 1篇" in cells
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[:3] == ["表1　主要数据", "图1　各栏目刊发稿件", "表2　各栏目刊发稿件（数据）"]


def test_a_quarters_report_is_named_for_the_quarter_and_an_empty_year_still_makes_a_report(reviewer_client, year):
    document = Document(
        io.BytesIO(reviewer_client.get(reverse("statistics:report"), {"year": 2020, "scope": "q2"}).content)
    )
    assert document.paragraphs[1].text == "2020年第二季度信息工作统计"
    empty = reviewer_client.get(reverse("statistics:report"), {"year": 2026})
    assert empty.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(empty.content)).paragraphs)
    assert "本时段没有登记领导批示。" in text and "各栏目刊发稿件：本时段没有数据。" in text


def test_the_coverage_shades_spread_the_covered_cities_over_four_steps():
    thresholds = statistics_report.heat_thresholds([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 278])
    assert thresholds == (3, 5, 7)
    assert [statistics_report.heat_level(count, thresholds) for count in (0, 1, 3, 5, 7, 278)] == [0, 1, 2, 3, 4, 4]
    assert statistics_report.heat_legend(thresholds, 278) == [
        (1, "1–2 篇"),
        (2, "3–4 篇"),
        (3, "5–6 篇"),
        (4, "7–278 篇"),
    ]
    assert statistics_report.heat_legend(statistics_report.heat_thresholds([5, 5, 5]), 5) == [
        (1, "1–4 篇"),
        (4, "5 篇"),
    ]
