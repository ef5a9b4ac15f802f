"""`editorial_stats` on a generated archive, checked against counts worked out here in plain Python from the rows."""

import datetime
import io
import json
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from editorial.models import Adoption, Article, Instruction, Issue, LeaderLevel, Section, SourceRegion
from tests.factories import make_adoption, make_instruction

pytestmark = pytest.mark.django_db
BLANKS = set("\n\r\t \u3000")


@pytest.fixture
def archive():
    """30 generated weekly issues (September 2015 to March 2016), a few withdrawn, some articles naming several
    places, and instructions and adoptions dated around the turn of the year."""
    call_command("generate_archive", issues=30, seed=3, first_date=datetime.date(2015, 9, 4), stdout=io.StringIO())
    rng = random.Random(7)
    issues = list(Issue.objects.order_by("number"))
    for issue in rng.sample(issues, 4):
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.WITHDRAWN)
    places = list(SourceRegion.objects.all())
    articles = list(Article.objects.order_by("pk"))
    for article in rng.sample(articles, 100):
        article.regions.add(*rng.sample(places, rng.randint(1, 3)))
    levels = list(LeaderLevel.objects.all())
    for article in rng.sample(articles, 60):
        when = article.issue.date + datetime.timedelta(days=rng.randint(0, 60))
        make_instruction(article=article, date=when, level=rng.choice(levels).name)
    for article in rng.sample(articles, 80):
        make_adoption(article=article, date=article.issue.date + datetime.timedelta(days=rng.randint(0, 40)))
    return issues


def independent_figures(year: int) -> dict:
    """The figures for `year`, from the rows, by rules written out again here."""
    places = {
        pk: (parent, name, kind, delta)
        for pk, parent, name, kind, delta in SourceRegion.objects.values_list(
            "pk", "parent_id", "name", "kind", "in_yangtze_delta"
        )
    }

    def chain(pk):
        while pk is not None:
            yield pk
            pk = places[pk][0]

    def province(pk):
        return places[list(chain(pk))[-1]][1]

    has_cities = {places[pk][0] for pk in places if places[pk][2] == "city"}

    def city(pk):
        if not places[pk][3]:
            return None
        for up in chain(pk):
            if places[up][2] == "city":
                return places[up][1]
        top = list(chain(pk))[-1]
        return places[top][1] if top not in has_cities else None

    published = {
        pk
        for pk, status, date in Issue.objects.values_list("pk", "status", "date")
        if status == "published" and date.year == year
    }
    sections = dict(Section.objects.values_list("pk", "name"))
    rows = [row for row in Article.objects.values_list("pk", "issue_id", "section_id", "body") if row[1] in published]
    in_year = {pk for pk, *_ in rows}
    named: dict[int, set[int]] = {}
    for article_id, region_id in Article.regions.through.objects.values_list("article_id", "sourceregion_id"):
        named.setdefault(article_id, set()).add(region_id)
    by_province = Counter(name for pk in in_year for name in {province(r) for r in named.get(pk, ())})
    by_city = Counter(name for pk in in_year for name in {city(r) for r in named.get(pk, ())} if name)
    instructions = [
        row for row in Instruction.objects.values_list("date", "level__name", "article_id") if row[0].year == year
    ]
    adoptions = [row for row in Adoption.objects.values_list("date", "article_id") if row[0].year == year]
    instruction_provinces = Counter(
        name for _, _, article in instructions for name in {province(r) for r in named.get(article, ())}
    )
    return {
        "issues": len(published),
        "articles": len(rows),
        "characters": sum(1 for *_, body in rows for char in body if char not in BLANKS),
        "by_section": {name: sum(1 for row in rows if row[2] == pk) for pk, name in sections.items()},
        "by_province": {
            name: by_province[name]
            for name in SourceRegion.objects.filter(kind="province").values_list("name", flat=True)
        },
        "cities": dict(by_city),
        "instructions": len(instructions),
        "adoptions": len(adoptions),
        "instructions_by_month": Counter(f"{year}-{date.month:02d}" for date, *_ in instructions),
        "instructions_by_level": Counter(level for _, level, _ in instructions),
        "instructions_by_province": {name: count for name, count in instruction_provinces.items() if count},
    }


def run_json(*args) -> dict:
    output = io.StringIO()
    call_command("editorial_stats", *args, stdout=output)
    return json.loads(output.getvalue())


@pytest.mark.parametrize("year", [2015, 2016])
def test_the_json_figures_match_counts_worked_out_independently_from_the_rows(archive, year):
    figures = run_json("--year", str(year))
    expected = independent_figures(year)
    assert figures["year"] == year
    assert expected["issues"] > 0 and expected["instructions"] > 0  # the archive reaches into both years
    for key in ("issues", "articles", "characters", "by_section", "by_province", "instructions", "adoptions"):
        assert figures[key] == expected[key], key
    cities = {city: count for cities in figures["delta_cities"].values() for city, count in cities.items() if count}
    assert cities == expected["cities"]
    assert figures["uncovered_cities"] == [
        city for cities in figures["delta_cities"].values() for city, count in cities.items() if not count
    ]
    assert {month: n for month, n in figures["instructions_by_month"].items() if n} == expected["instructions_by_month"]
    assert {level: n for level, n in figures["instructions_by_level"].items() if n} == expected["instructions_by_level"]
    provinces = {name: n for name, n in figures["instructions_by_province"].items() if n}
    assert provinces == expected["instructions_by_province"]


def test_a_quarter_or_months_narrow_the_figures_and_bad_options_are_refused_in_chinese(archive, tmp_path):
    whole = run_json("--year", "2015")
    quarters = [run_json("--year", "2015", "--quarter", str(q)) for q in (1, 2, 3, 4)]
    assert sum(q["articles"] for q in quarters) == whole["articles"]
    assert sum(q["instructions"] for q in quarters) == whole["instructions"]
    assert quarters[2]["articles"] > 0 and quarters[3]["articles"] > quarters[2]["articles"]
    assert quarters[2]["period"] == {"from": "2015-07-01", "to": "2015-09-30", "label": "2015年第三季度"}
    assert run_json("--year", "2015", "--months", "7-9")["articles"] == quarters[2]["articles"]
    assert run_json("--year", "2015", "--months", "3")["period"]["label"] == "2015年3月"
    with pytest.raises(CommandError, match="月份范围不正确"):
        call_command("editorial_stats", "--year", "2015", "--months", "9-3")
    with pytest.raises(CommandError, match="--months 应写成"):
        call_command("editorial_stats", "--year", "2015", "--months", "春季")
    with pytest.raises(CommandError, match="请用 -o 指定输出文件"):
        call_command("editorial_stats", "--year", "2015", "--format", "xlsx")
    with pytest.raises(CommandError, match="无法写入"):
        call_command("editorial_stats", "--year", "2015", "-o", str(tmp_path / "missing" / "x.json"))


def test_the_json_can_be_written_to_a_file(archive, tmp_path):
    target = tmp_path / "2015.json"
    call_command("editorial_stats", "--year", "2015", "-o", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == run_json("--year", "2015")


def test_the_xlsx_holds_the_same_figures_one_table_a_sheet_with_formulas_neutralised(archive, tmp_path):
    article = Article.objects.filter(issue__status="published", issue__date__year=2015).first()
    make_instruction(article=article, date=datetime.date(2015, 10, 1), gist='=HYPERLINK("http://x","点我")')
    make_adoption(article=article, date=datetime.date(2015, 10, 2), adopted_by="@SUM(1,2)")
    target = tmp_path / "2015.xlsx"
    errors = io.StringIO()
    call_command("editorial_stats", "--year", "2015", "--format", "xlsx", "-o", str(target), stderr=errors)
    assert "已写入" in errors.getvalue()
    figures = run_json("--year", "2015")
    book = load_workbook(target)
    assert book.sheetnames == [
        "概况",
        "栏目",
        "省份",
        "长三角城市",
        "每月批示和采用",
        "领导级别",
        "栏目批示和采用",
        "地区批示和采用",
        "批示最多的稿件",
        "批示清单",
        "采用清单",
    ]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["出刊期数"] == figures["issues"]
    assert overview["刊发稿件（篇）"] == figures["articles"]
    assert overview["领导批示（件）"] == figures["instructions"]
    sections = {row[0]: row[1] for row in book["栏目"].iter_rows(min_row=2, values_only=True)}
    assert sections == figures["by_section"]
    gists = [row[4] for row in book["批示清单"].iter_rows(min_row=2, values_only=True)]
    assert len(gists) == figures["instructions"]
    assert '\'=HYPERLINK("http://x","点我")' in gists
    assert "'@SUM(1,2)" in [row[1] for row in book["采用清单"].iter_rows(min_row=2, values_only=True)]
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
