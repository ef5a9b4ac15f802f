"""The PDF renderer reads the project's static and media files and nothing else: no server files, no network."""

import os
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from editorial import pdf

STATIC = Path(settings.BASE_DIR) / "static"
BASE = pdf.PRINT_BASE_URL


@pytest.fixture
def fetcher():
    return pdf.ProjectFileFetcher()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test outright."""

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "seal.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    return settings.MEDIA_ROOT


def test_the_print_stylesheet_is_read_from_the_static_folder(fetcher):
    response = fetcher(f"{BASE}static/editorial/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_a_static_file_may_also_be_named_by_its_file_url(fetcher):
    response = fetcher((STATIC / "editorial" / "print.css").as_uri())
    assert b"@page" in response.read()


def test_a_media_file_is_read_from_the_media_folder(fetcher, media_root):
    assert b"<svg" in fetcher(f"{BASE}media/seal.svg").read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///etc/../etc/passwd",
        (STATIC / ".." / "digest_cms" / "settings.py").as_uri(),
        f"file://{STATIC}/../digest_cms/settings.py",
        f"file://{STATIC}/%2e%2e/digest_cms/settings.py",
        f"file://{STATIC}/%2E%2E%2Fdigest_cms%2Fsettings.py",
        "file://otherhost/etc/passwd",
    ],
)
def test_file_urls_outside_the_static_and_media_folders_are_refused(fetcher, url):
    with pytest.raises(pdf.ResourceRefused):
        fetcher(url)


@pytest.mark.parametrize(
    "path",
    [
        "static/../digest_cms/settings.py",
        "static/../../../../etc/passwd",
        "static/%2e%2e/digest_cms/settings.py",
        "static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "static/..%2f..%2fdigest_cms/settings.py",
        "static/%252e%252e/digest_cms/settings.py",
        "static/%2Fetc%2Fpasswd",
        "static//etc/passwd",
        "static/editorial/%00print.css",
        "static/..\\digest_cms\\settings.py",
        "static/editorial/missing.css",
        "media/../digest_cms/settings.py",
        "media/%2e%2e/%2e%2e/etc/passwd",
        "admin/login/",
        "",
    ],
)
def test_escapes_from_the_static_and_media_urls_are_refused(fetcher, media_root, path):
    with pytest.raises(pdf.ResourceRefused):
        fetcher(BASE + path)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/static/editorial/print.css",
        "https://localhost/static/editorial/print.css",
        "http://169.254.169.254/latest/meta-data/",
        "https://digest-cms.invalid.example.com/static/editorial/print.css",
        "ftp://127.0.0.1/file",
        "data:text/plain,secret",
        "gopher://127.0.0.1/",
    ],
)
def test_network_and_other_schemes_are_refused_without_a_connection(fetcher, url):
    with pytest.raises(pdf.ResourceRefused):
        fetcher(url)


def test_a_symlink_in_the_static_folder_pointing_outside_is_refused(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "leak.css").symlink_to("/etc/passwd")
    (static / "ok.css").write_text("p { color: red }")
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = tmp_path / "collected"
    fetcher = pdf.ProjectFileFetcher()
    assert fetcher(f"{BASE}static/ok.css").read() == b"p { color: red }"
    with pytest.raises(pdf.ResourceRefused):
        fetcher(f"{BASE}static/leak.css")


def html(head: str, body: str = "<p>正文</p>") -> str:
    return f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def attachments(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfdetach", "-list", str(path)], check=True, capture_output=True, text=True).stdout


def test_an_attachment_link_to_a_server_file_stops_the_render(tmp_path):
    with pytest.raises(pdf.PdfRenderError, match="无法读取"):
        pdf.html_to_pdf(html('<link rel="attachment" href="file:///etc/passwd">'))


@pytest.mark.parametrize(
    "head, body",
    [
        ('<link rel="attachment" href="/static/../digest_cms/settings.py">', ""),
        ('<link rel="attachment" href="/static/%2e%2e/digest_cms/settings.py">', ""),
        ('<link rel="stylesheet" href="http://127.0.0.1/evil.css">', ""),
        ("", '<img src="file:///etc/passwd">'),
        ("", '<img src="http://127.0.0.1:9/pixel.png">'),
        ('<style>@import url("file:///etc/passwd");</style>', ""),
        ('<style>body { background: url("http://127.0.0.1/x.png") }</style>', ""),
        ("", '<a rel="attachment" href="file:///etc/passwd">附件</a>'),
    ],
)
def test_every_kind_of_reference_outside_the_project_stops_the_render(head, body):
    with pytest.raises(pdf.PdfRenderError):
        pdf.html_to_pdf(html(head, body))


def test_a_page_using_only_static_files_renders_without_attachments(tmp_path):
    rendered = pdf.html_to_pdf(html('<link rel="stylesheet" href="/static/editorial/print.css">'))
    assert rendered.content.startswith(b"%PDF-")
    assert attachments(rendered.content, tmp_path).startswith("0 embedded files")


def test_the_render_does_not_use_the_request_url_as_base():
    assert pdf.PRINT_BASE_URL.endswith(".invalid/")


def test_fontconfig_reads_the_projects_font_aliases():
    assert os.environ["FONTCONFIG_FILE"] == str(pdf.FONTCONFIG_FILE)
    matched = subprocess.run(["fc-match", "仿宋_GB2312"], check=True, capture_output=True, text=True).stdout
    assert "Noto Serif CJK SC" in matched
