"""Security headers, read from real responses: the Content Security Policy everywhere, and HTTPS in production."""

import json
import re

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import make_article, make_published_issue
from tests.test_settings import STRONG_KEY, run_manage


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.fixture
def published(db):
    issue = make_published_issue(number=193)
    article = make_article(issue=issue, regions=["shanghai"])
    return issue, article


def public_urls(issue, article) -> dict[str, str]:
    return {
        "home": reverse("editorial:home"),
        "archive": reverse("editorial:issue-list"),
        "issue": issue.get_absolute_url(),
        "print": reverse("editorial:issue-print", args=[issue.number]),
        "article": article.get_absolute_url(),
        "search": reverse("editorial:search") + "?q=测试",
        "region": reverse("editorial:region-detail", args=["shanghai"]),
        "section": reverse("editorial:section-detail", args=["sci-tech"]),
        "feed": reverse("editorial:feed"),
        "sitemap": reverse("editorial:sitemap"),
        "not-found": "/issues/999999/",
    }


@pytest.mark.django_db
def test_every_public_page_allows_scripts_and_styles_from_the_site_only(client, published):
    for name, url in public_urls(*published).items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        directives = policy(response)
        assert directives["default-src"] == ["'none'"], name
        assert directives["script-src"] == ["'self'"], name
        assert directives["style-src"] == ["'self'"], name  # no nonce: the page may be cached and replayed
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert "script-src-attr" not in directives and "style-src-attr" not in directives, name


@pytest.mark.django_db
def test_no_template_of_a_public_page_carries_an_inline_script_or_handler(client, published):
    for name, url in public_urls(*published).items():
        text = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), name
        assert not re.search(r"\son[a-z]+\s*=", text), name
        assert "<style" not in text, name


@pytest.mark.django_db
def test_a_cached_issue_page_from_the_readers_fast_lane_carries_the_same_policy(client, published):
    issue, _ = published
    first = client.get(issue.get_absolute_url())
    client.cookies.clear()
    again = client.get(issue.get_absolute_url())
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_admin_adds_only_the_export_pages_one_handler_and_inline_style_attributes(client, administrator):
    client.force_login(administrator)
    for url in (
        reverse("admin:index"),
        reverse("admin:editorial_article_changelist"),
        reverse("admin:editorial_article_add"),
        reverse("admin:editorial_section_export"),
    ):
        directives = policy(client.get(url))
        assert directives["script-src"] == ["'self'"], url
        assert directives["script-src-attr"] == [
            "'unsafe-hashes'",
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
        ]
        assert directives["style-src-attr"] == ["'unsafe-inline'"], url
    export = client.get(reverse("admin:editorial_section_export")).text
    assert 'onchange="onSelectToggleChange(event)"' in export  # the one handler the hash allows


@pytest.mark.django_db
def test_an_inline_style_block_in_the_admin_carries_the_nonce_the_policy_names(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:editorial_issue_import_legacy"))
    (nonce,) = re.findall(r'<style nonce="([^"]+)">', response.text)
    assert f"'nonce-{nonce}'" in policy(response)["style-src"]
    assert client.get(reverse("admin:editorial_issue_import_legacy")).text.count(nonce) == 0  # new every request


@pytest.mark.django_db
def test_the_database_outage_page_styles_itself_with_the_nonce_of_its_policy(client, published, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("editorial.views.HomeView.get_stamps", down)
    response = client.get(reverse("editorial:home"))
    assert response.status_code == 503
    (nonce,) = re.findall(r'<style nonce="([^"]+)">', response.text)
    assert f"'nonce-{nonce}'" in policy(response)["style-src"]


@pytest.mark.django_db
def test_pdfs_carry_no_policy_so_the_browsers_viewer_may_show_them(client, published, monkeypatch):
    from editorial import renditions

    monkeypatch.setattr(renditions, "render", lambda **kwargs: b"%PDF-1.7 test")
    issue, _ = published
    pdf = client.get(reverse("editorial:issue-pdf", args=[issue.number]))
    assert pdf.status_code == 200
    assert "Content-Security-Policy" not in pdf
    assert pdf["X-Content-Type-Options"] == "nosniff"
    docx = client.get(reverse("editorial:issue-docx", args=[issue.number]))
    assert policy(docx)["default-src"] == ["'none'"]


@pytest.mark.django_db
def test_every_response_forbids_framing_sniffing_and_cross_site_referrers(client, published):
    for name, url in public_urls(*published).items():
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client()
plain = client.get("/admin/login/")
secure = client.get("/admin/login/", secure=True)
cookie = secure.cookies["csrftoken"]
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csp": secure.get("Content-Security-Policy", ""),
    "frame": secure.get("X-Frame-Options", ""),
    "referrer": secure.get("Referrer-Policy", ""),
    "csrf_cookie_secure": bool(cookie["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def test_production_mode_redirects_to_https_and_sends_hsts_and_secure_cookies(tmp_path):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "testserver",
        "VAR_DIR": str(tmp_path),
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "ERROR",
        # The login page shows the masthead: a database of its own, migrated.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    }
    migrated = run_manage("migrate", "--no-input", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    result = run_manage("shell", "-v", "0", "-c", PRODUCTION_PROBE, env=env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://testserver/")
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"] and "unsafe-inline" not in seen["csp"].split("script-src-attr")[0]
    assert seen["frame"] == "DENY" and seen["referrer"] == "same-origin"
    assert seen["csrf_cookie_secure"] and seen["session_cookie_secure"] and seen["session_cookie_httponly"]
