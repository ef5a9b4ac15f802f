"""Contributions as Word files: each .docx becomes a pool article (title from the first heading or line, body under
the paste rules), previewed first, saved all together or not at all; bad, oversized and zip-bomb files are refused."""

import io
import struct
import zipfile
import zlib

import docx as python_docx
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import signing
from django.urls import reverse
from docx.enum.text import WD_BREAK

from editorial import contributions, services
from editorial.admin import contributions as upload_admin
from editorial.contributions import ContributionRejected, read_contribution
from editorial.models import Article
from tests.factories import database_state, make_article, make_user, section

UPLOAD = reverse("admin:editorial_article_upload_docx")


def word_file(*paragraphs, heading=None, table=False, picture=False, line_break_in=None) -> bytes:
    """A .docx as Word or WPS writes one: an optional heading-styled title, then plain paragraphs."""
    document = python_docx.Document()
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        paragraph = document.add_paragraph(text)
        if line_break_in == text:
            paragraph.add_run().add_break(WD_BREAK.LINE)
            paragraph.add_run("换行后的一句。")
    if table:
        document.add_table(rows=2, cols=2).cell(0, 0).text = "表格里的字"
    if picture:
        document.add_picture(io.BytesIO(tiny_png()))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def tiny_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")
    )


def zip_bomb_docx(unpacked_bytes: int) -> bytes:
    """A real .docx whose document.xml inflates to `unpacked_bytes` (a paragraph repeated)."""
    valid = zipfile.ZipFile(io.BytesIO(word_file("正文。")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in valid.infolist():
            if part.filename != "word/document.xml":
                bomb.writestr(part, valid.read(part))
        paragraph = "<w:p><w:r><w:t>字</w:t></w:r></w:p>".encode() * 20_000
        with bomb.open("word/document.xml", "w", force_zip64=True) as document:
            document.write(
                b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body>'
            )
            written = 0
            while written < unpacked_bytes:
                document.write(paragraph)
                written += len(paragraph)
            document.write(b"</w:body></w:document>")
    return buffer.getvalue()


def upload(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return file


WPS_CONTRIBUTION = word_file(
    "上海浦东发布数据要素市场新举措",
    "\u3000\u300011月20日，浦东新区发布数据要素市场建设方案。",
    "\u3000\u3000方案提出，到2027年培育100家数据商。",
)


# --- reading a file ------------------------------------------------------------------------------------


def test_a_wps_file_gives_its_first_line_as_title_and_its_paragraphs_as_body():
    article = read_contribution(name="来稿.docx", data=WPS_CONTRIBUTION)
    assert article.title == "上海浦东发布数据要素市场新举措"
    assert article.paragraphs == ["11月20日，浦东新区发布数据要素市场建设方案。", "方案提出，到2027年培育100家数据商。"]
    assert article.warnings == ()


def test_a_heading_styled_title_wins_over_the_line_before_it():
    data = word_file("正文第一段。", heading="江苏出台数据条例")
    article = read_contribution(name="x.docx", data=data)
    assert article.title == "江苏出台数据条例" and article.paragraphs == ["正文第一段。"]


def test_a_first_line_too_long_for_a_title_leaves_the_title_to_the_file_name():
    long_line = "这是一段很长的正文，" * 8
    article = read_contribution(name="嘉兴来稿 11月.docx", data=word_file(long_line, "第二段。"))
    assert article.title == "嘉兴来稿 11月"
    assert article.paragraphs[0] == long_line.strip() and "暂用文件名" in article.warnings[0]


def test_a_line_break_inside_a_word_paragraph_is_a_paragraph_break():
    data = word_file("标题", "第一句。", line_break_in="第一句。")
    assert read_contribution(name="x.docx", data=data).paragraphs == ["第一句。", "换行后的一句。"]


def test_tables_and_pictures_are_left_out_with_a_warning():
    article = read_contribution(name="x.docx", data=word_file("标题", "正文。", table=True, picture=True))
    assert article.paragraphs == ["正文。"]
    assert any("1 个表格" in warning for warning in article.warnings)
    assert any("1 张图片" in warning for warning in article.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (word_file("只有标题"), "只有标题《只有标题》，没有正文"),
        (word_file("", "  "), "没有文字"),
        (b"not a zip at all", "不是有效的 Word"),
        (b"PK\x05\x06" + b"\0" * 18, "没有正文部分"),  # an empty zip archive
    ],
)
def test_a_file_that_cannot_become_an_article_is_refused_by_name(data, message):
    with pytest.raises(ContributionRejected, match=message) as refusal:
        read_contribution(name="来稿.docx", data=data)
    assert "来稿.docx" in str(refusal.value)


def test_a_zip_bomb_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(contributions, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(contributions.docx, "read_docx", lambda data: pytest.fail("the bomb was opened"))
    with pytest.raises(ContributionRejected, match="解压后超过 2 MB"):
        read_contribution(name="bomb.docx", data=zip_bomb_docx(3 * 1024 * 1024))


# --- the admin page ------------------------------------------------------------------------------------


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.django_db
def test_uploading_shows_a_preview_and_writes_nothing(as_editor):
    before = database_state()
    response = as_editor.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, "浦东来稿.docx")]})
    assert response.status_code == 200
    page = response.text
    assert "上海浦东发布数据要素市场新举措" in page and "2 段" in page and "浦东新区" in page
    assert "确认放入稿件库（1 篇）" in page
    assert database_state() == before


@pytest.mark.django_db
def test_confirming_puts_each_file_in_the_pool_as_an_article(as_editor, editor):
    second = word_file("苏州工业园区外资研发中心加快集聚", "\t园区新增外资研发中心12家。")
    preview = as_editor.post(
        UPLOAD,
        {"files": [upload(WPS_CONTRIBUTION, "a.docx"), upload(second, "b.docx")], "section": section("economy").pk},
    )
    response = as_editor.post(UPLOAD, {"token": preview.context["token"]})
    assert response.status_code == 302 and response["Location"].endswith("?placement=pool")
    articles = list(Article.objects.order_by("pk"))
    assert [(a.title, a.issue, a.section.slug, a.created_by) for a in articles] == [
        ("上海浦东发布数据要素市场新举措", None, "economy", editor),
        ("苏州工业园区外资研发中心加快集聚", None, "economy", editor),
    ]
    assert articles[0].paragraphs == [
        "11月20日，浦东新区发布数据要素市场建设方案。",
        "方案提出，到2027年培育100家数据商。",
    ]
    assert [region.slug for region in articles[0].regions.all()] == ["pudong"]
    assert articles[1].body == "园区新增外资研发中心12家。"
    assert all(article.history.count() == 1 for article in articles)
    assert "已把 2 篇稿件放入稿件库" in " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_a_bad_file_among_good_ones_is_named_and_only_the_good_ones_are_offered(as_editor):
    files = [upload(WPS_CONTRIBUTION, "好.docx"), upload(b"garbage", "坏.docx")]
    preview = as_editor.post(UPLOAD, {"files": files})
    assert "“坏.docx”不是有效的 Word" in preview.text and "确认放入稿件库（1 篇）" in preview.text
    as_editor.post(UPLOAD, {"token": preview.context["token"]})
    assert list(Article.objects.values_list("title", flat=True)) == ["上海浦东发布数据要素市场新举措"]


@pytest.mark.django_db
def test_saving_is_all_or_nothing(as_editor, monkeypatch):
    second = word_file("第二篇", "正文。")
    preview = as_editor.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, "a.docx"), upload(second, "b.docx")]})
    real_save = services.article_save

    def fail_on_the_second(*, article, **kwargs):
        if article.title == "第二篇":
            from django.core.exceptions import ValidationError

            raise ValidationError("标题与规则冲突。")
        return real_save(article=article, **kwargs)

    monkeypatch.setattr(upload_admin.services, "article_save", fail_on_the_second)
    before = database_state()
    response = as_editor.post(UPLOAD, {"token": preview.context["token"]})
    assert "没有导入任何稿件：标题与规则冲突。" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert database_state() == before


@pytest.mark.django_db
def test_a_repeated_upload_is_pointed_out(as_editor):
    make_article(title="上海浦东发布数据要素市场新举措")
    preview = as_editor.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, "a.docx")]})
    assert "稿件库里已经有一篇同名稿件" in preview.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [("来稿.doc", "不是 .docx 文件"), ("来稿.wps", "不是 .docx 文件"), ("来稿.docx.exe", "不是 .docx 文件")],
)
def test_other_file_types_are_refused_by_name_and_nothing_is_read(as_editor, name, message):
    before = database_state()
    response = as_editor.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, name)]})
    assert message in " ".join(response.context["form"].errors["files"]) and "token" not in response.context
    assert database_state() == before


@pytest.mark.django_db
def test_an_oversized_file_and_too_many_files_are_refused(as_editor, monkeypatch):
    monkeypatch.setattr(upload_admin, "MAX_FILE_BYTES", 1024)
    response = as_editor.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, "大.docx")]})
    assert "太大" in " ".join(response.context["form"].errors["files"])
    monkeypatch.setattr(upload_admin, "MAX_FILES", 2)
    files = [upload(word_file("t", "b"), f"{index}.docx") for index in range(3)]
    response = as_editor.post(UPLOAD, {"files": files})
    assert "一次最多上传 2 个文件" in " ".join(response.context["form"].errors["files"])


@pytest.mark.django_db
def test_a_zip_bomb_upload_is_refused_with_a_message_and_writes_nothing(as_editor, monkeypatch):
    monkeypatch.setattr(contributions, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    before = database_state()
    response = as_editor.post(UPLOAD, {"files": [upload(zip_bomb_docx(3 * 1024 * 1024), "bomb.docx")]})
    assert "解压后超过 2 MB" in response.text and "没有可以放入稿件库的文件" in response.text
    assert database_state() == before


@pytest.mark.django_db
def test_a_tampered_or_foreign_confirmation_writes_nothing(as_editor, client):
    preview = as_editor.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, "a.docx")]})
    token = preview.context["token"]
    response = as_editor.post(UPLOAD, {"token": token[:-2] + "xx"})
    assert "确认信息已过期或无效" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not Article.objects.exists()

    client.force_login(make_user("colleague", role="编辑"))
    assert client.post(UPLOAD, {"token": token}).status_code == 403
    forged = signing.dumps({"user": 999, "section": None, "articles": [["t", "b", []]]}, salt="other", compress=True)
    client.post(UPLOAD, {"token": forged})
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_only_people_who_may_write_articles_may_upload(client):
    viewer = make_user("viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client.force_login(viewer)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"files": [upload(WPS_CONTRIBUTION, "a.docx")]}).status_code == 403
