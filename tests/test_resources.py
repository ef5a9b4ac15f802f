"""Spreadsheet import/export of articles, sections and regions: safe cells, all or nothing, administrators only."""

import io
import logging
import re

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from import_export.formats.base_formats import CSV, JSON, XLSX

from editorial.models import Article, Issue, Section, SourceRegion
from editorial.resources import (
    ArticleResource,
    SectionResource,
    SourceRegionResource,
    neutralise,
    restore,
)
from tests.factories import make_article, make_issue, make_user

pytestmark = pytest.mark.django_db

ARTICLE_HEADERS = ["期号", "栏目", "期内顺序", "原刊页码", "标题", "正文", "来源地区"]
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
# What a spreadsheet may read as a formula (OWASP, CSV Injection), as the probe sent it: full-width and small
# signs, white space or a line break before the sign, quotes, and a second cell behind a separator.
FORMULA_FORMS = [
    '=HYPERLINK("http://x","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    '＝HYPERLINK("http://x")',
    "＋1+1",
    "－2+3",
    "＠SUM(A1)",
    "﹦1+1",
    " =1+1",
    "\u3000=1+1",
    "\xa0=1+1",
    "\n=1+1",
    "\r\n=1+1",
    "\t=1+1",
    '"=1+1"',
    'x;=HYPERLINK("http://x")',
    "x; ＝1+1",
    "x,=1+1",
    "x\t@SUM(A1)",
    "第一段。\n\n=1+1",
    "第一段。\r\n－据报道",
    "上海;,\n=1",
]
SIGNS = "=+-@＝＋－＠﹦﹢﹣﹫"
# A tab or line break first (OWASP's list), and apostrophes already there: escaped too, and given back as they were.
ESCAPED_FIRST = ["\tcmd", "\rcmd", "\ncmd", "'=1+1", "''＝1", "' =1"]


def pieces_a_spreadsheet_may_take_for_cells(text: str) -> list[str]:
    """`text` cut wherever some spreadsheet may begin a cell: at , ; tab and line breaks, quoting ignored."""
    return re.split(r"[,;\t\r\n]", text)


def read_as_formula(piece: str) -> bool:
    """Whether a spreadsheet trimming spaces and quotes would start reading `piece` at a formula sign."""
    return re.sub(r'^[\s"]+', "", piece)[:1] in set(SIGNS)


def dataset(headers, *rows):
    return tablib.Dataset(*rows, headers=headers)


def state():
    return (
        list(
            Article.objects.order_by("pk").values_list(
                "pk", "issue_id", "section_id", "position", "page", "title", "body"
            )
        ),
        list(Article.regions.through.objects.order_by("pk").values_list("article_id", "sourceregion_id")),
        list(Section.objects.order_by("pk").values_list("pk", "name", "slug", "position", "is_standing")),
        list(SourceRegion.objects.order_by("pk").values_list("pk", "name", "slug", "kind", "parent_id", "aliases")),
        Article.history.count(),
    )


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_like_cells_get_an_apostrophe_and_come_back_unchanged(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", FORMULA_FORMS)
def test_every_form_of_formula_is_neutralised_wherever_a_cell_may_begin_and_comes_back_unchanged(value):
    assert any(read_as_formula(piece) for piece in [value, *pieces_a_spreadsheet_may_take_for_cells(value)])
    safe = neutralise(value)
    assert not read_as_formula(safe), repr(safe)
    assert not any(read_as_formula(piece) for piece in pieces_a_spreadsheet_may_take_for_cells(safe)), repr(safe)
    assert restore(safe) == value


@pytest.mark.parametrize("value", ESCAPED_FIRST)
def test_a_leading_tab_or_line_break_and_apostrophes_before_a_sign_get_one_apostrophe_more(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize(
    "value", ["上海", "5G 网络", "'引号开头", "", 3, None, "增长 5%，其中 A、B 两类", "第一段。\n\n第二段。", "a,b;c"]
)
def test_ordinary_cells_are_left_alone_and_empty_stays_empty(value):
    assert neutralise(value) == ("" if value is None else value)
    assert restore(neutralise(value)) == ("" if value is None else value)


@given(st.text(alphabet=st.sampled_from("ab上'\" ;,\t\r\n\u3000=+-@＝＋－＠﹦"), max_size=12) | st.text(max_size=30))
@hypothesis_settings(max_examples=400, deadline=None)
def test_any_text_is_neutralised_and_restored_exactly(value):
    safe = neutralise(value)
    assert restore(safe) == value
    assert not read_as_formula(safe)
    assert not any(read_as_formula(piece) for piece in pieces_a_spreadsheet_may_take_for_cells(safe))


@pytest.fixture
def issue():
    return make_issue(number=193)


@pytest.fixture
def articles(issue):
    placed = make_article(
        issue=issue, title="浦东新区发布白皮书", body="第一段。\n\n第二段。", page=5, regions=["pudong"]
    )
    risky = make_article(issue=issue, section_slug="beyond-delta", title=FORMULAS[0], body=FORMULAS[1])
    pool = make_article(title="待编稿件", body="正文。")
    return placed, risky, pool


def test_the_article_export_has_chinese_headers_natural_keys_and_empty_cells(articles):
    exported = CSV().export_data(ArticleResource().export())
    rows = list(tablib.Dataset().load(exported, format="csv").dict)
    assert list(rows[0]) == ARTICLE_HEADERS
    assert rows[0] == {
        "期号": "193",
        "栏目": "科创聚焦",
        "期内顺序": "1",
        "原刊页码": "5",
        "标题": "浦东新区发布白皮书",
        "正文": "第一段。\n\n第二段。",
        "来源地区": "浦东新区",
    }
    assert rows[1]["标题"] == "'" + FORMULAS[0] and rows[1]["正文"] == "'" + FORMULAS[1]
    assert rows[1]["原刊页码"] == "" and rows[1]["来源地区"] == ""
    assert rows[2]["期号"] == "" and rows[2]["期内顺序"] == ""
    assert "None" not in exported


def test_the_xlsx_export_neutralises_formulas_and_leaves_empty_cells_empty(articles):
    book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(ArticleResource().export())))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ARTICLE_HEADERS
    risky = values[2]
    assert risky[4] == "'" + FORMULAS[0] and risky[5] == "'" + FORMULAS[1]
    assert risky[3] in (None, "")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_exported_sheet_imports_back_unchanged(articles):
    before = state()
    for file_format in (CSV(), XLSX(), JSON()):
        exported = file_format.export_data(ArticleResource().export())
        loaded = file_format.create_dataset(exported)
        articles_only = dataset(loaded.headers, *[row for row in loaded if row[0] not in ("", None)])
        result = ArticleResource().import_data(articles_only, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), file_format
        assert state() == before, file_format


@pytest.fixture
def formula_articles(issue):
    return [make_article(issue=issue, title=form, body=form) for form in FORMULA_FORMS + ESCAPED_FIRST]


@pytest.mark.parametrize("file_format", [CSV(), XLSX()], ids=["csv", "xlsx"])
def test_no_form_of_formula_survives_an_export(formula_articles, file_format):
    exported = file_format.export_data(ArticleResource().export())
    if isinstance(file_format, CSV):
        texts = [exported]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        assert len(texts) > 2 * len(formula_articles)
    for text in texts:
        assert not read_as_formula(text), repr(text)
        assert not any(read_as_formula(piece) for piece in pieces_a_spreadsheet_may_take_for_cells(text)), repr(text)


@pytest.mark.parametrize("file_format", [CSV(), XLSX(), JSON()], ids=["csv", "xlsx", "json"])
def test_a_sheet_full_of_formulas_imports_back_unchanged(formula_articles, file_format):
    before = state()
    exported = file_format.export_data(ArticleResource().export())
    result = ArticleResource().import_data(file_format.create_dataset(exported), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert state() == before
    titles = set(Article.objects.values_list("title", flat=True))
    assert set(FORMULA_FORMS + ESCAPED_FIRST) <= titles


def test_importing_articles_creates_them_with_regions_history_and_a_fresh_issue_stamp(issue, administrator):
    stamp = Issue.objects.get(pk=issue.pk).updated_at
    rows = dataset(
        ARTICLE_HEADERS,
        ["193", "科创聚焦", "1", "3", "青岛市发布新政", "近日，青岛市发布新政。", "青岛"],
        ["193", "域外动态", "2", "", "'=不是公式", "正文。", "浦东新区、qingdao"],
        ["", "", "", "", "待编的稿件", "正文。", ""],
    )
    result = ArticleResource().import_data(rows, dry_run=False, user=administrator)
    assert not result.has_errors() and not result.has_validation_errors()
    first = Article.objects.get(title="青岛市发布新政")
    assert (first.issue, first.section.name, first.position, first.page) == (issue, "科创聚焦", 1, 3)
    assert [region.name for region in first.regions.all()] == ["青岛"]
    assert "青岛市发布新政" in first.search_text
    record = first.history.get()
    assert (record.history_user, [link.sourceregion.name for link in record.regions.all()]) == (administrator, ["青岛"])
    assert Article.objects.get(position=2, issue=issue).title == "=不是公式"
    assert Article.objects.in_pool().get().title == "待编的稿件"
    assert Issue.objects.get(pk=issue.pk).updated_at > stamp


@pytest.mark.parametrize(
    "bad_row",
    [
        ["193", "科创聚焦", "3", "", "地区写错", "正文。", "火星"],
        ["193", "没有这个栏目", "3", "", "栏目写错", "正文。", ""],
        ["999", "科创聚焦", "3", "", "期号写错", "正文。", ""],
        ["193", "", "3", "", "没有栏目", "正文。", ""],
        ["193", "科创聚焦", "3", "", "很" * 201, "正文。", ""],
        ["193", "科创聚焦", "三", "", "顺序写错", "正文。", ""],
    ],
)
def test_one_bad_row_anywhere_imports_nothing(issue, bad_row):
    before = state()
    rows = dataset(
        ARTICLE_HEADERS,
        ["193", "科创聚焦", "1", "", "好的第一行", "正文。", "上海"],
        bad_row,
        ["193", "科创聚焦", "4", "", "好的最后一行", "正文。", ""],
    )
    result = ArticleResource().import_data(rows, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert state() == before


def test_articles_can_swap_positions_in_one_import(issue):
    first = make_article(issue=issue, title="甲", position=1)
    second = make_article(issue=issue, title="乙", position=2)
    rows = dataset(
        ARTICLE_HEADERS,
        ["193", "科创聚焦", "1", "", "乙", second.body, ""],
        ["193", "科创聚焦", "2", "", "甲", first.body, ""],
    )
    result = ArticleResource().import_data(rows, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(issue.articles.order_by("position").values_list("title", flat=True)) == ["乙", "甲"]


def test_sections_can_swap_positions_but_not_take_one_held_outside_the_sheet():
    rows = dataset(
        ["栏目名称", "网址名", "默认顺序", "常设栏目"],
        ["经济热点", "economy", "1", "是"],
        ["科创聚焦", "sci-tech", "2", "是"],
    )
    result = SectionResource().import_data(rows, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(Section.objects.values_list("slug", flat=True)[:2]) == ["economy", "sci-tech"]
    before = state()
    clash = dataset(["栏目名称", "网址名", "默认顺序", "常设栏目"], ["专题", "special", "3", "否"])
    result = SectionResource().import_data(clash, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert state() == before
    result = SectionResource().import_data(dataset(clash.headers, ["专题", "special", "7", "否"]), dry_run=False)
    assert not result.has_errors() and not Section.objects.get(slug="special").is_standing


def test_regions_import_with_chinese_levels_and_parent_slugs_and_refuse_a_province_with_a_parent():
    headers = ["名称", "网址名", "级别", "上级地区（网址名）", "别名", "属于长三角", "排序"]
    result = SourceRegionResource().import_data(
        dataset(headers, ["昆山", "kunshan", "市", "suzhou", "昆山市", "是", "1000"]), dry_run=False
    )
    assert not result.has_errors() and not result.has_validation_errors()
    kunshan = SourceRegion.objects.get(slug="kunshan")
    assert (kunshan.kind, kunshan.parent.slug, kunshan.in_yangtze_delta) == ("city", "suzhou", True)
    before = state()
    result = SourceRegionResource().import_data(
        dataset(headers, ["某省", "mousheng", "省级", "jiangsu", "", "否", "1010"]), dry_run=False
    )
    assert result.has_validation_errors()
    assert state() == before


def test_the_region_export_reads_back_as_it_was():
    before = state()
    exported = XLSX().export_data(SourceRegionResource().export())
    result = SourceRegionResource().import_data(XLSX().create_dataset(exported), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == SourceRegion.objects.count()
    assert state() == before


def test_an_ambiguous_region_name_asks_for_the_slug(issue):
    SourceRegion.objects.create(
        name="普陀区", slug="putuo-zs", kind="district", parent=SourceRegion.objects.get(slug="zhejiang")
    )
    rows = dataset(ARTICLE_HEADERS, ["193", "科创聚焦", "1", "", "普陀发布", "正文。", "普陀区"])
    before = state()
    result = ArticleResource().import_data(rows, dry_run=False)
    assert result.has_errors()
    assert "请改用网址名" in str(result.row_errors()[0][1][0].error)
    assert state() == before
    rows = dataset(ARTICLE_HEADERS, ["193", "科创聚焦", "1", "", "普陀发布", "正文。", "putuo-zs"])
    assert not ArticleResource().import_data(rows, dry_run=False).has_validation_errors()


# ------------------------------------------------------------------ the admin


def section_import_formats():
    return admin.site._registry[Section].get_import_formats()


@pytest.mark.parametrize("model", ["article", "section", "sourceregion"])
def test_administrators_can_open_import_and_export_and_editors_cannot(client, administrator, model):
    client.force_login(administrator)
    for action in ("import", "export"):
        assert client.get(reverse(f"admin:editorial_{model}_{action}")).status_code == 200
    changelist = client.get(reverse(f"admin:editorial_{model}_changelist")).text
    assert reverse(f"admin:editorial_{model}_import") in changelist
    client.force_login(make_user("editor-x", role="编辑"))
    for action in ("import", "export"):
        assert client.get(reverse(f"admin:editorial_{model}_{action}")).status_code == 403


def test_the_section_admin_imports_a_csv_after_its_preview_and_only_then(
    client, administrator, caplog, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    csv = "栏目名称,网址名,默认顺序,常设栏目\n经济热点,economy,1,是\n科创聚焦,sci-tech,2,是\n专题报道,special,7,否\n".encode()
    formats = [f.__name__ for f in section_import_formats()]
    upload = io.BytesIO(csv)
    upload.name = "sections.csv"
    preview = client.post(
        reverse("admin:editorial_section_import"),
        {"resource": "0", "format": str(formats.index("CSV")), "import_file": upload},
    )
    assert preview.status_code == 200
    assert not Section.objects.filter(slug="special").exists()
    assert "1000" not in preview.text  # a holder moved aside shows its real position in the diff
    confirm = preview.context["confirm_form"]
    with caplog.at_level(logging.INFO, logger="editorial.activity"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:editorial_section_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Section.objects.get(slug="special").name == "专题报道"
    logged = [record.getMessage() for record in caplog.records if record.name == "editorial.activity"]
    assert logged == ["editorial action=spreadsheet_import model=section new=1 updated=2 deleted=0 user=admin"]
    assert list(Section.objects.values_list("slug", flat=True)[:2]) == ["economy", "sci-tech"]


def test_the_export_form_labels_fields_with_the_chinese_column_names(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:editorial_sourceregion_export"))
    assert "上级地区（网址名）" in response.text and "In Yangtze Delta" not in response.text


def test_reference_admins_offer_exactly_csv_xlsx_and_json():
    assert [f.__name__ for f in section_import_formats()] == ["CSV", "XLSX", "JSON"]
