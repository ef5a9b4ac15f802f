"""The print view, /issues/<n>.pdf and /issues/<n>.docx: who may see them, their headers and their cache."""

import io
import subprocess
from urllib.parse import unquote

import docx as python_docx
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from editorial import pdf, renditions, services
from editorial.models import Issue, Section
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Renditions go to a fresh folder, never into var/media."""
    location = tmp_path / "storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    cache.clear()
    return location


@pytest.fixture
def render_calls(monkeypatch):
    """Counts real renders (cache misses) per format."""
    calls = []
    original = renditions.render

    def counting(*, issue, format):
        calls.append(format.extension)
        return original(issue=issue, format=format)

    monkeypatch.setattr(renditions, "render", counting)
    return calls


@pytest.fixture
def issue():
    issue = factories.make_published_issue(number=193)
    factories.make_article(issue=issue, title="上海技术交易所开市", body="正文第一段。\n\n正文第二段。")
    factories.make_article(issue=issue, title="江苏发布区块链产业发展计划", section_slug="economy")
    return issue


def url(name: str, issue: Issue) -> str:
    return reverse(f"editorial:{name}", kwargs={"number": issue.number})


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "response.pdf"
    path.write_bytes(content)
    return "".join(
        subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout.split()
    )


def stored_files(storage) -> list[str]:
    return sorted(path.name for path in storage.rglob("*") if path.is_file())


def test_the_urls_are_the_agreed_ones(issue):
    assert url("issue-print", issue) == "/issues/193/print/"
    assert url("issue-pdf", issue) == "/issues/193.pdf"
    assert url("issue-docx", issue) == "/issues/193.docx"


@pytest.mark.parametrize("name", ["issue-print", "issue-pdf", "issue-docx"])
@pytest.mark.parametrize(
    "status", [Issue.Status.DRAFT, Issue.Status.IN_REVIEW, Issue.Status.APPROVED, Issue.Status.WITHDRAWN]
)
def test_the_public_gets_404_for_an_unpublished_issue(client, name, status, render_calls):
    issue = factories.make_issue(status=status)
    factories.make_article(issue=issue)
    assert client.get(url(name, issue)).status_code == 404
    assert render_calls == []


@pytest.mark.parametrize("name", ["issue-print", "issue-pdf", "issue-docx"])
def test_an_issue_that_does_not_exist_is_404(client, name):
    assert client.get(reverse(f"editorial:{name}", kwargs={"number": 9999})).status_code == 404


def test_a_logged_in_reader_without_staff_rights_cannot_preview(client):
    client.force_login(factories.make_user("reader"))
    issue = factories.make_issue()
    assert client.get(url("issue-pdf", issue)).status_code == 404


@pytest.mark.parametrize("name", ["issue-print", "issue-pdf", "issue-docx"])
def test_staff_preview_an_unpublished_issue_never_cached(client, editor, name):
    issue = factories.make_issue(status=Issue.Status.IN_REVIEW)
    factories.make_article(issue=issue, title="待审稿件")
    client.force_login(editor)
    response = client.get(url(name, issue))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control and "private" in cache_control


def test_the_print_view_preview_says_it_is_unpublished(client, editor):
    issue = factories.make_issue()
    client.force_login(editor)
    html = client.get(url("issue-print", issue)).content.decode()
    assert "预览：本期尚未发布" in html
    assert "未发布样稿" in html


def test_the_print_view_is_the_print_template_with_every_title_and_links(client, issue):
    response = client.get(url("issue-print", issue))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "<title>长三角每周要讯 2020年第193期</title>" in html
    assert "editorial/print.css" in html
    for article in issue.articles.all():
        assert article.title in html
        assert f'href="#article-{article.pk}"' in html
    assert 'href="/issues/193.pdf"' in html and 'href="/issues/193.docx"' in html
    assert "data-print" in html
    assert "预览" not in html


def test_the_print_view_answers_304_when_the_browser_copy_is_current(client, issue):
    first = client.get(url("issue-print", issue))
    again = client.get(url("issue-print", issue), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_pdf_is_served_inline_with_the_chinese_file_name(client, issue):
    response = client.get(url("issue-pdf", issue))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert 'filename="digest-2020-193.pdf"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "长三角每周要讯-2020年第193期.pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_word_file_is_an_attachment_with_the_chinese_file_name(client, issue):
    response = client.get(url("issue-docx", issue))
    assert response.status_code == 200
    assert response["Content-Type"] == renditions.DOCX.content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "长三角每周要讯-2020年第193期.docx"
    document = python_docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    assert document.core_properties.title == "长三角每周要讯 2020年第193期"


@pytest.mark.parametrize("name, extension", [("issue-pdf", "pdf"), ("issue-docx", "docx")])
def test_the_second_request_is_served_from_storage_without_rendering(client, issue, render_calls, name, extension):
    first = client.get(url(name, issue))
    second = client.get(url(name, issue))
    assert (first["X-Rendition"], second["X-Rendition"]) == ("rendered", "cached")
    assert render_calls == [extension]
    assert b"".join(first.streaming_content) == b"".join(second.streaming_content)


def test_a_cached_pdf_takes_a_constant_handful_of_queries(client, issue, django_assert_max_num_queries):
    client.get(url("issue-pdf", issue))
    with django_assert_max_num_queries(3):
        response = client.get(url("issue-pdf", issue))
    assert response["X-Rendition"] == "cached"


def test_the_pdf_answers_304_when_the_browser_copy_is_current(client, issue, render_calls):
    first = client.get(url("issue-pdf", issue))
    again = client.get(url("issue-pdf", issue), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert render_calls == ["pdf"]
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]


def test_changing_an_article_renders_a_new_pdf_and_removes_the_old_one(client, issue, render_calls, storage, tmp_path):
    before = client.get(url("issue-pdf", issue))
    assert "上海技术交易所开市" in pdf_text(b"".join(before.streaming_content), tmp_path)
    article = issue.articles.get(title="上海技术交易所开市")
    article.title = "上海技术交易所正式开市"
    article.save()
    services.issue_mark_changed(issue=issue)
    after = client.get(url("issue-pdf", issue))
    assert after["X-Rendition"] == "rendered"
    assert after["ETag"] != before["ETag"]
    assert "上海技术交易所正式开市" in pdf_text(b"".join(after.streaming_content), tmp_path)
    assert render_calls == ["pdf", "pdf"]
    assert [name for name in stored_files(storage) if name.endswith(".pdf")] == [
        renditions.rendition_name(issue=Issue.objects.get(pk=issue.pk), format=renditions.PDF).rsplit("/", 1)[-1]
    ]


def test_renaming_a_section_renders_a_new_pdf(client, issue, render_calls):
    client.get(url("issue-pdf", issue))
    Section.objects.filter(slug="sci-tech").update(name="科创前沿")
    response = client.get(url("issue-pdf", issue))
    assert response["X-Rendition"] == "rendered"
    assert render_calls == ["pdf", "pdf"]


def test_publishing_a_proof_renders_the_pdf_again_without_the_proof_mark(client, editor, render_calls):
    issue = factories.make_issue(status=Issue.Status.APPROVED)
    factories.make_article(issue=issue)
    client.force_login(editor)
    client.get(url("issue-pdf", issue))
    # Even a status change that does not touch updated_at must not serve the proof.
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.PUBLISHED)
    client.logout()
    response = client.get(url("issue-pdf", issue))
    assert response["X-Rendition"] == "rendered"


def test_a_rendering_failure_shows_a_friendly_page_instead_of_an_error(client, issue, monkeypatch):
    def fail(html):
        raise pdf.PdfRenderError("打印版式引用了无法读取的文件（测试）。")

    monkeypatch.setattr(pdf, "html_to_pdf", fail)
    response = client.get(url("issue-pdf", issue))
    assert response.status_code == 503
    html = response.content.decode()
    assert "暂时无法生成" in html
    assert 'href="/issues/193/print/"' in html
    assert "测试" not in html  # the technical reason is for staff only


def test_staff_see_why_a_rendering_failed(client, editor, issue, monkeypatch):
    def fail(html):
        raise pdf.PdfRenderError("打印版式引用了无法读取的文件（测试）。")

    monkeypatch.setattr(pdf, "html_to_pdf", fail)
    client.force_login(editor)
    assert "无法读取的文件（测试）" in client.get(url("issue-pdf", issue)).content.decode()


def test_rendition_names_cannot_be_guessed_from_the_issue(issue):
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)
    assert name.startswith(f"renditions/issue-{issue.pk}/193-")
    assert len(name.rsplit("-", 1)[-1]) == len("0123456789abcdef0123456789abcdef.pdf")


def test_prepare_renders_pdf_and_word_ahead_of_the_first_reader(client, issue, render_calls, storage):
    prepared = renditions.prepare_issue_renditions(issue=issue)
    assert prepared.ok
    assert sorted(render_calls) == ["docx", "pdf"]
    assert all(default_storage.exists(rendition.name) for rendition in prepared.renditions)
    assert client.get(url("issue-pdf", issue))["X-Rendition"] == "cached"
    assert client.get(url("issue-docx", issue))["X-Rendition"] == "cached"
    assert renditions.prepare_issue_renditions(issue=issue).renditions[0].rendered is False


def test_prepare_reports_a_failure_instead_of_raising(issue, monkeypatch):
    def fail(html):
        raise pdf.PdfRenderError("字体缺失（测试）。")

    monkeypatch.setattr(pdf, "html_to_pdf", fail)
    prepared = renditions.prepare_issue_renditions(issue=issue)
    assert not prepared.ok
    assert prepared.failures == {"pdf": "字体缺失（测试）。"}
    assert [rendition.format for rendition in prepared.renditions] == [renditions.DOCX]


def test_deleting_an_issues_renditions_empties_its_folder(issue, storage):
    renditions.prepare_issue_renditions(issue=issue)
    assert len(stored_files(storage)) == 2
    renditions.issue_renditions_delete(issue=issue)
    assert stored_files(storage) == []


@pytest.mark.parametrize("extension, magic", [("pdf", b"%PDF-"), ("docx", b"PK\x03\x04")])
def test_export_issue_writes_the_same_pdf_and_word_file_from_the_command_line(issue, tmp_path, extension, magic):
    target = tmp_path / f"193.{extension}"
    call_command("export_issue", "193", "--format", extension, "-o", str(target), stderr=io.StringIO())
    assert target.read_bytes().startswith(magic)
    assert target.read_bytes() == renditions.issue_rendition(issue=issue, format=renditions.FORMATS[extension]).read()


def test_export_issue_reports_a_rendering_failure_in_chinese(issue, tmp_path, monkeypatch):
    def fail(html):
        raise pdf.PdfRenderError("字体缺失（测试）。")

    monkeypatch.setattr(pdf, "html_to_pdf", fail)
    with pytest.raises(CommandError, match="PDF 生成失败：字体缺失"):
        call_command("export_issue", "193", "--format", "pdf", "-o", str(tmp_path / "x.pdf"), stderr=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()
