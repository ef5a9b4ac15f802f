"""export_issue: the JSON shape other tools rely on, and legacy text that imports back to the same issue."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from editorial.exports import issue_data
from editorial.importers.loader import ImportContext, Outcome, load_issue
from editorial.management.commands.export_issue import FORMATS
from editorial.models import Article, Issue
from tests.factories import STANDING_SECTIONS, make_article, make_issue
from tests.samples import legacy_sample_bytes

pytestmark = pytest.mark.django_db


def import_text(data, **options):
    context = ImportContext.from_db()
    return load_issue(parsed=context.parse(data), context=context, **options)


def export(number, *args):
    out = io.StringIO()
    call_command("export_issue", str(number), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def sample():
    return import_text(legacy_sample_bytes()).issue


def test_the_json_export_has_the_documented_shape(sample):
    data = json.loads(export(193, "--format", "json"))
    assert list(data) == ["publication", "office", "number", "year", "date", "status", "distribution", "sections"]
    assert (data["publication"], data["office"], data["number"], data["year"], data["date"], data["status"]) == (
        "长三角每周要讯",
        "浙江省人民政府驻上海办事处",
        193,
        2020,
        "2020-10-30",
        "published",
    )
    assert [section["name"] for section in data["sections"]] == STANDING_SECTIONS
    first = data["sections"][0]["articles"][0]
    assert list(first) == ["title", "page", "regions", "paragraphs"]
    assert first["title"] == "上海技术交易所开市 建成服务全国技术转移交易网络" and first["page"] == 3
    assert first["regions"] == [{"name": "上海", "province": "上海"}]
    assert len(first["paragraphs"]) == 4 and all(isinstance(p, str) for p in first["paragraphs"])
    regions = {a["title"][:4]: a["regions"] for s in data["sections"] for a in s["articles"]}
    assert regions["浦东新区"] == [{"name": "浦东新区", "province": "上海"}]
    assert regions["青岛市全"] == [{"name": "青岛", "province": "山东"}]
    assert sum(len(s["articles"]) for s in data["sections"]) == 22


def test_a_missing_page_is_null_and_a_district_two_levels_down_names_its_province():
    issue = make_issue(number=7)
    make_article(issue=issue, title="嘉善发布", regions=["jiashan"])
    article = issue_data(issue=issue)["sections"][0]["articles"][0]
    assert article["page"] is None
    assert article["regions"] == [{"name": "嘉善", "province": "浙江"}]


def test_the_export_reads_a_constant_number_of_queries(sample, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        issue_data(issue=Issue.objects.select_related("publication").get(pk=sample.pk))


def test_the_legacy_format_export_imports_back_to_the_identical_issue(sample):
    before = issue_data(issue=sample)
    text = export(193, "--format", "txt")
    assert text.startswith("长三角每周要讯\n\n2020 年第 193 期\n")
    Issue.objects.all().delete()
    reimported = import_text(text.encode("utf-8"))
    assert reimported.outcome == Outcome.CREATED
    assert reimported.plan.parsed.warnings == ()
    assert issue_data(issue=reimported.issue) == before


def test_edited_articles_survive_the_round_trip_too():
    issue = make_issue(number=8)
    make_article(
        issue=issue,
        title="上海发布措施 19",
        body="没有句号的一段\n\n第二段，以逗号结束，\n\n“引号里的句子。”",
        page=None,
        regions=["shanghai"],
    )
    make_article(
        issue=issue, section_slug="beyond-delta", title="青岛市出台办法", body="一段。", page=4, regions=["qingdao"]
    )
    before = issue_data(issue=issue)
    text = export(8, "--format", "txt")
    Issue.objects.all().delete()
    assert issue_data(issue=import_text(text, status=Issue.Status.DRAFT).issue) == before


def test_an_imported_issues_distribution_record_survives_the_round_trip():
    text = (Path(__file__).parent / "legacy_drift" / "distribution-block.txt").read_bytes()
    issue = import_text(text).issue
    before = issue_data(issue=issue)
    assert before["distribution"].startswith("报：省委、省政府领导，")
    exported = export(199, "--format", "txt")
    assert exported.rstrip().endswith("（共印 120 份）")
    Issue.objects.all().delete()
    reimported = import_text(exported)
    assert reimported.plan.parsed.warnings == ()
    assert issue_data(issue=reimported.issue) == before


def test_the_export_can_be_written_to_a_file(sample, tmp_path):
    target = tmp_path / "193.txt"
    call_command(
        "export_issue", "193", "--format", "txt", "-o", str(target), stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert target.read_text(encoding="utf-8") == export(193, "--format", "txt")


def test_an_unknown_number_is_refused():
    with pytest.raises(CommandError, match="找不到第 404 期"):
        export(404)


def test_formats_are_a_table_with_json_and_txt():
    assert {"json", "txt"} <= set(FORMATS)
    assert all(fmt.description for fmt in FORMATS.values())


def test_articles_keep_reading_order_in_the_export():
    issue = make_issue(number=9)
    later = make_article(issue=issue, section_slug="sci-tech", title="甲")
    earlier = make_article(issue=issue, section_slug="beyond-delta", title="乙")
    issue.issue_sections.filter(section__slug="beyond-delta").update(position=0)
    titles = [a["title"] for s in issue_data(issue=issue)["sections"] for a in s["articles"]]
    assert titles == [earlier.title, later.title]
    assert Article.objects.count() == 2
