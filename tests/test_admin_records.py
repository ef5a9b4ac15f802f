"""批示 and 采用 in the admin: who may see and record them, the forms (scan upload refused clearly), the article's panel,
the compose board's counts, the lists' filters and export, the scan viewer — and that no reader ever sees any of it."""

import datetime
import io
import re
import urllib.parse

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from editorial import achievements
from editorial.models import Adoption, Article, Instruction, LeaderLevel
from tests.factories import (
    database_state,
    leader_level,
    make_adoption,
    make_article,
    make_instruction,
    make_issue,
    make_published_issue,
    make_user,
)

pytestmark = pytest.mark.django_db
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ROLE_GROUPS = {"editor": "编辑", "reviewer": "审核", "administrator": "管理员"}
ROLES = ["anonymous", "reader", "editor", "reviewer", "administrator"]
# What only the records carry; no reader page may show any of it.
SECRETS = ["秘书长某某", "此件很好请研究", "某某内参", "采用说明某某"]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    location = tmp_path / "storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    cache.clear()
    return location


def client_for(role: str) -> Client:
    client = Client()
    if role == "reader":
        client.force_login(make_user("plain-reader"))
    elif role != "anonymous":
        client.force_login(make_user(f"{role}-records", role=ROLE_GROUPS[role]))
    return client


@pytest.fixture
def world():
    issue = make_published_issue(number=801, date=datetime.date(2020, 10, 30))
    article = make_article(issue=issue, title="长三角一体化示范区新进展", regions=["jiashan"])
    other = make_article(issue=issue, section_slug="economy", title="上海数据交易所扩容", regions=["pudong"])
    instruction = make_instruction(
        article=article, leader="秘书长某某", gist="此件很好请研究", date=datetime.date(2020, 11, 3)
    )
    achievements.instruction_save(instruction=instruction, user=None, scan=SimpleUploadedFile("x.pdf", PDF_BYTES))
    adoption = make_adoption(
        article=article, adopted_by="某某内参", note="采用说明某某", date=datetime.date(2020, 11, 4)
    )
    return {"issue": issue, "article": article, "other": other, "instruction": instruction, "adoption": adoption}


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


# --- who may open what ----------------------------------------------------------------------------------

STAFF = {"anonymous": 302, "reader": 302, "editor": 200, "reviewer": 200, "administrator": 200}
CHIEFS = {"anonymous": 302, "reader": 302, "editor": 403, "reviewer": 200, "administrator": 200}
ADMINISTRATORS = {"anonymous": 302, "reader": 302, "editor": 403, "reviewer": 403, "administrator": 200}


def pages(world) -> dict:
    instruction, adoption = world["instruction"], world["adoption"]
    return {
        "instruction list": (admin_url("editorial_instruction_changelist"), STAFF),
        "instruction add": (admin_url("editorial_instruction_add"), STAFF),
        "instruction page": (admin_url("editorial_instruction_change", instruction.pk), STAFF),
        "instruction delete page": (admin_url("editorial_instruction_delete", instruction.pk), STAFF),
        "instruction export": (admin_url("editorial_instruction_export"), STAFF),
        "instruction scan": (admin_url("editorial_instruction_scan", instruction.pk), STAFF),
        "adoption list": (admin_url("editorial_adoption_changelist"), STAFF),
        "adoption add": (admin_url("editorial_adoption_add"), STAFF),
        "adoption page": (admin_url("editorial_adoption_change", adoption.pk), STAFF),
        "adoption export": (admin_url("editorial_adoption_export"), STAFF),
        "level list": (admin_url("editorial_leaderlevel_changelist"), STAFF),
        "level add": (admin_url("editorial_leaderlevel_add"), ADMINISTRATORS),
        "statistics": (reverse("statistics:index"), CHIEFS),
        "statistics report": (reverse("statistics:report") + "?year=2020", CHIEFS),
        "statistics spreadsheet": (reverse("statistics:spreadsheet") + "?year=2020", CHIEFS),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_records_page_answers_each_role_as_the_matrix_says_and_changes_nothing(world, role):
    client = client_for(role)
    before = (database_state(), list(Instruction.objects.values_list()), list(Adoption.objects.values_list()))
    wrong = {}
    for name, (url, expected) in pages(world).items():
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong[name] = (response.status_code, expected[role])
        if expected[role] == 302:
            assert response["Location"].startswith(reverse("admin:login") + "?next="), name
    assert wrong == {}
    assert (database_state(), list(Instruction.objects.values_list()), list(Adoption.objects.values_list())) == before


def record_instruction(world):
    data = {
        "article": world["other"].pk,
        "leader": "张某某",
        "leader_title": "副省长",
        "level": leader_level("省级领导").pk,
        "date": "2020-11-12",
        "gist": "请省发展改革委研究。",
    }
    return admin_url("editorial_instruction_add"), data, lambda: Instruction.objects.filter(leader="张某某").exists()


def record_adoption(world):
    data = {"article": world["other"].pk, "adopted_by": "《浙江信息》", "date": "2020-11-13", "note": ""}
    return admin_url("editorial_adoption_add"), data, lambda: Adoption.objects.filter(article=world["other"]).exists()


def delete_instruction(world):
    pk = world["instruction"].pk
    return (
        admin_url("editorial_instruction_delete", pk),
        {"post": "yes"},
        lambda: Instruction.objects.filter(pk=pk).exists(),
    )


def add_level(world):
    data = {"name": "市级领导", "position": 25}
    return admin_url("editorial_leaderlevel_add"), data, lambda: LeaderLevel.objects.filter(name="市级领导").exists()


RECORDERS = {"editor", "reviewer", "administrator"}
ACTIONS = {
    "登记领导批示": (record_instruction, RECORDERS),
    "登记被采用": (record_adoption, RECORDERS),
    "删除领导批示": (delete_instruction, RECORDERS),
    "新增领导级别": (add_level, {"administrator"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_records_action_works_for_the_roles_allowed_it_and_is_refused_to_the_others(world, role, action):
    prepare, allowed = ACTIONS[action]
    client = client_for(role)
    url, data, observe = prepare(world)
    seen_before = observe()
    counts = (Instruction.objects.count(), Adoption.objects.count(), LeaderLevel.objects.count())
    response = client.post(url, data)
    if role in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert observe() != seen_before
    else:
        assert response.status_code == (403 if role in ROLE_GROUPS else 302)
        assert (Instruction.objects.count(), Adoption.objects.count(), LeaderLevel.objects.count()) == counts


# --- never public -----------------------------------------------------------------------------------------


def test_no_reader_page_shows_an_instruction_or_adoption(world, client):
    issue, article = world["issue"], world["article"]
    make_user("reader")
    urls = [
        "/",
        "/issues/",
        issue.get_absolute_url(),
        reverse("editorial:issue-print", args=[issue.number]),
        article.get_absolute_url(),
        "/regions/jiashan/",
        "/regions/zhejiang/",
        "/sections/sci-tech/",
        "/search/?" + urllib.parse.urlencode({"q": "示范区"}),
        "/feed/",
        "/sitemap.xml",
    ]
    for viewer in (Client(), client_for("reader")):
        for url in urls:
            response = viewer.get(url)
            assert response.status_code == 200, url
            text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
            for secret in SECRETS:
                assert secret not in text, (url, secret)
            assert "instruction" not in text and "批示" not in text, url
        # Searching for an instruction's words finds nothing (the query itself is echoed back, of course).
        found = viewer.get("/search/?" + urllib.parse.urlencode({"q": "此件很好请研究"})).content.decode()
        assert article.get_absolute_url() not in found and "秘书长某某" not in found
    # The scan's file is not reachable by its storage name either.
    assert Client().get("/media/" + world["instruction"].scan.name).status_code == 404


def test_the_word_and_pdf_files_of_an_issue_carry_no_record(world, client, settings):
    from docx import Document

    response = client.get(reverse("editorial:issue-docx", args=[world["issue"].number]))
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert world["article"].title in text
    assert not any(secret in text for secret in SECRETS)


# --- the forms --------------------------------------------------------------------------------------------


def form_data(article, **overrides):
    data = {
        "article": article.pk,
        "leader": "李某某",
        "leader_title": "",
        "level": leader_level("厅局级领导").pk,
        "date": "2020-11-20",
        "gist": "阅。",
    }
    return {**data, **overrides}


def test_an_editor_records_an_instruction_with_a_scan_from_the_article_page_and_goes_back_there(world):
    client = client_for("editor")
    article = world["other"]
    page = client.get(admin_url("editorial_article_change", article.pk))
    add_link = (
        re.search(r'href="([^"]*/instruction/add/\?[^"]*)"', page.content.decode()).group(1).replace("&amp;", "&")
    )
    assert f"article={article.pk}" in add_link
    form = client.get(add_link)
    assert form.context["adminform"].form.initial["article"] == str(article.pk)
    scan = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(scan, format="JPEG")
    upload = SimpleUploadedFile("领导批示.jpg", scan.getvalue(), content_type="image/jpeg")
    response = client.post(add_link, {**form_data(article), "scan_upload": upload})
    assert response.status_code == 302
    assert response["Location"] == admin_url("editorial_article_change", article.pk) + "#records"
    instruction = Instruction.objects.get(article=article)
    assert instruction.scan_type == "image/jpeg" and instruction.created_by.username == "editor-records"
    panel = client.get(response["Location"]).content.decode()
    assert "李某某" in panel and "厅局级领导" in panel
    assert admin_url("editorial_instruction_scan", instruction.pk) in panel


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("批示.pdf", b"PK\x03\x04 a Word file renamed", "不是 PDF 文件，也不是 JPG 或 PNG 图片"),
        ("批示.png", b"GIF89a" + b"\0" * 64, "不是 PDF 文件，也不是 JPG 或 PNG 图片"),
        ("大批示.pdf", PDF_BYTES + b"0" * 3000, "太大"),
    ],
)
def test_a_wrong_or_oversized_scan_is_refused_on_the_form_in_chinese_and_nothing_is_saved(
    world, settings, storage, name, content, message
):
    settings.INSTRUCTION_SCAN_MAX_BYTES = 2048
    client = client_for("reviewer")
    before = Instruction.objects.count()
    files_before = sorted(path for path in storage.rglob("*") if path.is_file())
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(admin_url("editorial_instruction_add"), {**form_data(world["other"]), "scan_upload": upload})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["scan_upload"]
    assert message in errors[0] and name in errors[0]
    assert Instruction.objects.count() == before
    assert sorted(path for path in storage.rglob("*") if path.is_file()) == files_before


def test_a_scan_is_replaced_or_removed_from_the_instructions_page(world, django_capture_on_commit_callbacks):
    client = client_for("editor")
    instruction = world["instruction"]
    first = instruction.scan.name
    url = admin_url("editorial_instruction_change", instruction.pk)
    page = client.get(url).content.decode()
    assert "删除已上传的扫描件" in page and "查看（PDF）" in page
    png = io.BytesIO()
    Image.new("RGB", (20, 20)).save(png, format="PNG")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**form_data(instruction.article), "scan_upload": SimpleUploadedFile("n.png", png.getvalue())})
    instruction.refresh_from_db()
    assert instruction.scan_type == "image/png" and not default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**form_data(instruction.article), "remove_scan": "on"})
    instruction.refresh_from_db()
    assert not instruction.scan
    assert "删除已上传的扫描件" not in client.get(url).content.decode()


def test_the_scan_is_served_to_staff_only_inline_with_its_type_and_never_cached(world):
    instruction = world["instruction"]
    url = admin_url("editorial_instruction_scan", instruction.pk)
    response = client_for("editor").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="instruction-')
    assert "no-store" in response["Cache-Control"]
    clerk = make_user("clerk")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.set(Permission.objects.filter(codename="view_article"))
    staff_without_right = Client()
    staff_without_right.force_login(clerk)
    assert staff_without_right.get(url).status_code == 403
    bare = make_instruction(article=world["other"])
    assert client_for("reviewer").get(admin_url("editorial_instruction_scan", bare.pk)).status_code == 404


def test_the_adoption_form_offers_the_publications_used_before(world):
    make_adoption(article=world["other"], adopted_by="《浙江信息》")
    make_adoption(article=world["other"], adopted_by="《浙江信息》")
    page = client_for("editor").get(admin_url("editorial_adoption_add")).content.decode()
    assert 'list="id_adopted_by-suggestions"' in page
    options = re.findall(r'<option value="([^"]*)"></option>', page.split('id="id_adopted_by-suggestions"')[1])
    assert options[:2] == ["《浙江信息》", "某某内参"]


# --- the compose board and the lists ----------------------------------------------------------------------


def test_the_compose_board_shows_each_articles_counts_without_a_query_per_article(world, django_assert_max_num_queries):
    client = client_for("reviewer")
    issue = world["issue"]
    url = admin_url("editorial_issue_change", issue.pk)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    for _ in range(5):
        article = make_article(issue=issue)
        make_instruction(article=article)
        make_adoption(article=article)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    board = page.split('id="board"')[1]
    first = board.split(f'data-article-id="{world["article"].pk}"')[1].split("</li>")[0]
    assert '<span class="is-instructed">批示 1</span>' in first and '<span class="is-adopted">采用 1</span>' in first
    assert f"{admin_url('editorial_article_change', world['article'].pk)}#records" in first
    second = board.split(f'data-article-id="{world["other"].pk}"')[1].split("</li>")[0]
    assert "<span>批示 0</span>" in second


def test_the_instruction_list_filters_by_level_section_region_and_date(world):
    client = client_for("editor")
    shanghai = make_instruction(article=world["other"], level="国家级领导", date=datetime.date(2021, 1, 5))
    url = admin_url("editorial_instruction_changelist")

    def listed(**query):
        response = client.get(url + "?" + urllib.parse.urlencode(query))
        assert response.status_code == 200
        return {instruction.pk for instruction in response.context["cl"].result_list}

    both = {world["instruction"].pk, shanghai.pk}
    assert listed() == both
    assert listed(level__id__exact=leader_level("国家级领导").pk) == {shanghai.pk}
    assert listed(section=world["other"].section_id) == {shanghai.pk}
    from tests.factories import region

    assert listed(region=region("zhejiang").pk) == {world["instruction"].pk}  # 嘉善 is under 嘉兴, under 浙江
    assert listed(region=region("jiaxing").pk) == {world["instruction"].pk}
    assert listed(region=region("shanghai").pk) == {shanghai.pk}  # 浦东新区 is under 上海
    assert listed(region=region("jiangsu").pk) == set()
    assert listed(**{"date__gte": "2021-01-01", "date__lte": "2021-12-31"}) == {shanghai.pk}
    assert listed(date__year="2020") == {world["instruction"].pk}
    assert listed(q="此件很好") == {world["instruction"].pk}


def test_the_lists_export_to_a_spreadsheet_with_formulas_neutralised(world):
    make_instruction(article=world["other"], leader="=cmd|' /C calc'!A0", gist="+1+1")
    client = client_for("editor")
    page = client.get(admin_url("editorial_instruction_export"))
    assert page.status_code == 200
    fields = [name for name in page.context["form"].fields if name.startswith("instructionresource_")]
    response = client.post(
        admin_url("editorial_instruction_export"),
        {"format": "0", "resource": "0", **dict.fromkeys(fields, "on")},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("批示日期", "批示领导", "职务", "领导级别", "批示要点")
    body = {row[1]: row for row in rows[1:]}
    assert body["秘书长某某"][5] == "长三角一体化示范区新进展" and body["秘书长某某"][6] == "2020年第801期"
    assert body["秘书长某某"][8] == "嘉善" and body["秘书长某某"][9] == "是"
    assert "'=cmd|' /C calc'!A0" in body and body["'=cmd|' /C calc'!A0"][4] == "'+1+1"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_deleting_an_instructed_article_is_refused_with_the_admins_own_explanation(world):
    draft = make_issue(number=802)
    article = make_article(issue=draft, title="待删稿件")
    make_instruction(article=article)
    client = client_for("reviewer")
    page = client.get(admin_url("editorial_article_delete", article.pk))
    assert page.status_code == 200
    assert "领导批示" in page.content.decode() and page.context["protected"]
    client.post(admin_url("editorial_article_delete", article.pk), {"post": "yes"})
    assert Article.objects.filter(pk=article.pk).exists()
