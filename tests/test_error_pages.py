"""Error pages with DEBUG off, as production runs: Chinese, in the readers' design on the site and the admin's under
/admin/, with the refusal's reason and a way back — never Django's bare English pages."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from digest_cms import errors
from editorial.admin.issues import IssueAdmin
from editorial.models import Issue, Publication
from editorial.views import HomeView
from tests.factories import make_article, make_issue

DJANGO_ENGLISH = re.compile(r"Not Found|Forbidden|Server Error|Bad Request|CSRF verification|requested resource")


def text_of(response) -> str:
    return response.content.decode()


def in_reader_design(response) -> bool:
    return 'class="site-header"' in text_of(response) and "editorial/site.css" in text_of(response)


def in_admin_design(response) -> bool:
    page = text_of(response)
    return 'id="header"' in page and "admin/css/base.css" in page and "回到工作台" in page


def test_the_suite_checks_the_pages_production_shows():
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_a_reader_gets_a_404_page_in_the_sites_design_with_ways_on(client):
    response = client.get("/issues/999/")
    assert response.status_code == 404
    assert in_reader_design(response)
    assert "页面不存在" in text_of(response) and "浏览往期" in text_of(response)
    assert not DJANGO_ENGLISH.search(text_of(response))


@pytest.mark.django_db
def test_staff_get_a_404_page_in_the_admins_look_pointing_to_the_bin(client, editor):
    client.force_login(editor)
    response = client.get("/admin/editorial/no-such-page/")
    assert response.status_code == 404
    assert in_admin_design(response)
    assert "找不到这个页面" in text_of(response) and reverse("admin:editorial_article_bin") in text_of(response)
    assert not DJANGO_ENGLISH.search(text_of(response))


@pytest.mark.django_db
def test_a_refused_admin_action_explains_itself_and_leads_back_to_the_page_it_came_from(client, editor):
    issue = make_issue(status=Issue.Status.IN_REVIEW)
    make_article(issue=issue)
    client.force_login(editor)
    issue_page = "http://testserver" + reverse("admin:editorial_issue_change", args=[issue.pk])
    response = client.post(
        reverse("admin:editorial_issue_transition", args=[issue.pk, "approve"]), HTTP_REFERER=issue_page
    )
    assert response.status_code == 403
    assert in_admin_design(response)
    assert "您没有“签发”的权限。" in text_of(response)
    assert f'href="{issue_page}"' in text_of(response) and "返回刚才的页面" in text_of(response)
    assert not DJANGO_ENGLISH.search(text_of(response))


@pytest.mark.django_db
def test_a_link_back_never_leads_off_site(client, editor):
    issue = make_issue(status=Issue.Status.IN_REVIEW)
    client.force_login(editor)
    response = client.post(
        reverse("admin:editorial_issue_transition", args=[issue.pk, "approve"]), HTTP_REFERER="https://evil.example/x"
    )
    assert response.status_code == 403
    assert "evil.example" not in text_of(response) and "返回刚才的页面" not in text_of(response)


@pytest.mark.django_db
def test_a_reader_refused_gets_the_sites_403_page_with_a_login_link(rf):
    request = rf.get("/issues/5/")
    request.user = AnonymousUser()
    response = errors.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert in_reader_design(response)
    assert "没有权限" in text_of(response) and reverse("admin:login") + "?next=/issues/5/" in text_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "design"), [("/", in_reader_design), ("/admin/", in_admin_design)])
def test_a_bad_host_gets_a_400_page_in_chinese(client, path, design):
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert design(response)
    assert "请求有误" in text_of(response) and not DJANGO_ENGLISH.search(text_of(response))


@pytest.mark.django_db
def test_a_reader_gets_a_500_page_in_the_sites_design(monkeypatch):
    monkeypatch.setattr(HomeView, "get_context_data", lambda self, **kwargs: 1 / 0)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert in_reader_design(response)
    assert "系统出错了" in text_of(response) and Publication.objects.current().title in text_of(response)
    assert not DJANGO_ENGLISH.search(text_of(response))


@pytest.mark.django_db
def test_staff_get_a_500_page_in_the_admins_look_even_when_the_database_fails_too(monkeypatch, editor):
    def broken(*args, **kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(IssueAdmin, "get_queryset", lambda self, request: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    monkeypatch.setattr(Publication.objects, "current", broken)
    response = client.get(reverse("admin:editorial_issue_changelist"))
    assert response.status_code == 500
    page = text_of(response)
    assert "admin/css/base.css" in page and "系统出错了" in page and "回到工作台" in page
    assert not DJANGO_ENGLISH.search(page)


@pytest.mark.django_db
def test_an_expired_admin_form_gets_the_csrf_page_offering_to_log_in_again(editor):
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    change = reverse("admin:editorial_article_change", args=[article.pk])
    response = client.post(change, {"title": "新标题"}, HTTP_REFERER="http://testserver" + change)
    assert response.status_code == 403
    assert in_admin_design(response)
    page = text_of(response)
    assert "页面已过期" in page and "什么也没有改动" in page
    assert reverse("admin:login") + "?next=" + change in page
    assert f'href="http://testserver{change}">返回刚才的页面' in page  # opening the form again is the way back
    assert not DJANGO_ENGLISH.search(page)


@pytest.mark.django_db
def test_a_reader_post_without_a_token_gets_the_sites_csrf_page():
    response = Client(enforce_csrf_checks=True).post("/search/", {"q": "上海"})
    assert response.status_code == 403
    assert in_reader_design(response)
    assert "安全校验" in text_of(response) and not DJANGO_ENGLISH.search(text_of(response))


@pytest.mark.django_db
def test_opening_a_post_only_admin_address_explains_itself_in_the_admins_look(client, editor):
    client.force_login(editor)
    issue = make_issue()
    response = client.get(
        reverse("admin:editorial_issue_transition", args=[issue.pk, "submit"]),
        HTTP_REFERER="http://testserver" + reverse("admin:editorial_issue_change", args=[issue.pk]),
    )
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert in_admin_design(response)
    page = text_of(response)
    assert "不能直接打开" in page and "什么都没有改动" in page
    assert reverse("admin:editorial_issue_change", args=[issue.pk]) in page  # the way back
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


@pytest.mark.django_db
def test_a_reader_posting_to_a_page_gets_the_sites_405_page(client):
    response = client.post(reverse("editorial:issue-list"))
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert in_reader_design(response)
    assert "不能直接在地址栏打开" in text_of(response)
