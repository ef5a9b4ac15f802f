"""The PDF renderer failing for want of fonts: readers get a friendly page, publishing still succeeds, and the
renderer is never started (WeasyPrint without any font crashes the whole process instead of raising)."""

import pytest
import weasyprint
from django.urls import reverse

from editorial import pdf, workflow
from editorial.models import Issue
from tests.factories import make_article, make_issue, make_published_issue

EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture
def no_fonts(tmp_path, monkeypatch):
    """fontconfig as on a server whose font packages are gone; WeasyPrint must not even be started."""
    config = tmp_path / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=tmp_path / "cache"))
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))

    def never(*args, **kwargs):
        raise AssertionError("WeasyPrint was started without fonts")

    monkeypatch.setattr(weasyprint, "HTML", never)


def test_the_office_server_has_chinese_fonts():
    assert not pdf.chinese_fonts_missing()


def test_without_fontconfig_tools_the_fonts_count_as_missing(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError("fc-list")

    monkeypatch.setattr(pdf.subprocess, "run", missing)
    assert pdf.chinese_fonts_missing()


def test_no_chinese_font_is_reported_before_weasyprint_starts(no_fonts):
    assert pdf.chinese_fonts_missing()
    with pytest.raises(pdf.PdfRenderError, match="中文字体"):
        pdf.html_to_pdf("<p>长三角每周要讯</p>")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["editorial:issue-pdf", "editorial:issue-docx"])
def test_readers_get_a_friendly_page_when_the_fonts_are_missing(client, no_fonts, name):
    issue = make_published_issue(number=193)
    make_article(issue=issue)
    response = client.get(reverse(name, args=[193]))
    assert response.status_code == 503
    text = response.content.decode()
    assert "暂时无法生成" in text and "打印版" in text
    assert "fonts-noto-cjk" not in text  # the technical reason is for staff only


@pytest.mark.django_db
def test_staff_are_told_which_fonts_to_install(client, editor, no_fonts):
    make_article(issue=make_published_issue(number=193))
    client.force_login(editor)
    assert "fonts-noto-cjk" in client.get(reverse("editorial:issue-pdf", args=[193])).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_succeeds_when_the_files_cannot_be_rendered(reviewer, no_fonts):
    issue = make_issue(number=194, status=Issue.Status.APPROVED)
    make_article(issue=issue)
    result = workflow.publish(issue=issue, user=reviewer)
    assert result.changed
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.PUBLISHED
