"""Every state-changing admin view refuses a cross-site POST (no CSRF token) and leaves the database as it was;
the views that confirm first answer a GET with the question, never the change; odd ids are a 404, not an error.

The 405/403/404 checks of the workflow views themselves live in tests/test_admin_workflow.py.
"""

import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from editorial import services
from editorial.models import Issue
from tests.factories import TEST_PASSWORD, database_state, make_article, make_issue, section
from tests.samples import legacy_sample_bytes

Status = Issue.Status


@pytest.fixture
def world(administrator):
    issue = make_issue(number=600)
    article = make_article(issue=issue)
    services.article_save(article=article, user=administrator, expected_version=1)
    pooled = make_article(title="库存稿件")
    gone = make_article(title="已删除稿件")
    services.article_delete(article=gone, user=administrator)
    deleted_issue = make_issue(number=601)
    services.issue_delete(issue=deleted_issue, user=administrator)
    return {"issue": issue, "article": article, "pooled": pooled, "gone": gone, "deleted_issue": deleted_issue}


def upload(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return file


def state_changing_posts(world) -> dict[str, tuple[str, dict]]:
    issue, article, pooled = world["issue"], world["article"], world["pooled"]
    layout = json.dumps([{"section": s, "articles": ids} for s, ids in services.issue_layout(issue)])
    return {
        "新建下一期": (reverse("admin:editorial_issue_next"), {}),
        "提交审核": (reverse("admin:editorial_issue_transition", args=[issue.pk, "submit"]), {}),
        "排序": (reverse("admin:editorial_issue_arrange", args=[issue.pk]), {"layout": layout}),
        "加入稿件": (
            reverse("admin:editorial_issue_place", args=[issue.pk]),
            {"article": pooled.pk, "section": section().pk},
        ),
        "加入栏目": (reverse("admin:editorial_issue_section_add", args=[issue.pk]), {"section": section("policy").pk}),
        "去掉栏目": (reverse("admin:editorial_issue_section_remove", args=[issue.pk, section("policy").pk]), {}),
        "移动稿件": (reverse("admin:editorial_article_move", args=[article.pk]), {"issue": ""}),
        "恢复稿件版本": (
            reverse(
                "admin:editorial_article_history_restore", args=[article.pk, article.history.earliest().history_id]
            ),
            {},
        ),
        "恢复期刊版本": (
            reverse("admin:editorial_issue_history_restore", args=[issue.pk, issue.history.earliest().history_id]),
            {},
        ),
        "回收站恢复稿件": (reverse("admin:editorial_article_recover", args=[world["gone"].pk]), {}),
        "回收站恢复期刊": (reverse("admin:editorial_issue_recover", args=[world["deleted_issue"].pk]), {}),
        "修改稿件": (
            reverse("admin:editorial_article_change", args=[article.pk]),
            {"title": "跨站改的标题", "body": "正文", "section": article.section_id, "issue": issue.pk},
        ),
        "新建稿件": (reverse("admin:editorial_article_add"), {"title": "跨站新建", "body": "正文"}),
        "删除稿件": (reverse("admin:editorial_article_delete", args=[article.pk]), {"post": "yes"}),
        "忽略校对提示": (
            reverse("admin:editorial_article_proofread_dismissal", args=[article.pk]),
            {"rule": "punctuation.half-width", "key": "上海,江苏。"},
        ),
        "删除期刊": (reverse("admin:editorial_issue_delete", args=[issue.pk]), {"post": "yes"}),
        "批量删除稿件": (
            reverse("admin:editorial_article_changelist"),
            {"action": "delete_selected", "_selected_action": [pooled.pk], "post": "yes"},
        ),
        "导入旧版文本（上传）": (
            reverse("admin:editorial_issue_import_legacy"),
            {"files": [upload(legacy_sample_bytes(), "2020-193.txt")], "status": "published"},
        ),
        "导入旧版文本（确认）": (reverse("admin:editorial_issue_import_legacy"), {"token": "x"}),
        "导入表格（上传）": (
            reverse("admin:editorial_section_import"),
            {
                "resource": "0",
                "format": "0",
                "import_file": upload("栏目名称,网址名,默认顺序,常设栏目\n".encode(), "s.csv"),
            },
        ),
        "导入表格（确认）": (
            reverse("admin:editorial_section_process_import"),
            {"import_file_name": "x", "original_file_name": "s.csv", "format": "0", "resource": "0"},
        ),
        "解除登录锁定": (
            reverse("admin:axes_accessattempt_changelist"),
            {"action": "delete_selected", "_selected_action": [1], "post": "yes"},
        ),
        "新建用户": (
            reverse("admin:auth_user_add"),
            {"username": "csrf-user", "password1": "a-long-pass-9721", "password2": "a-long-pass-9721"},
        ),
        "退出登录": (reverse("admin:logout"), {}),
    }


@pytest.mark.django_db
def test_every_state_changing_admin_post_without_a_csrf_token_is_refused_and_changes_nothing(world, administrator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    before = database_state()
    for name, (url, data) in state_changing_posts(world).items():
        response = client.post(url, data)
        assert response.status_code == 403, name
        assert "页面已过期，这次提交没有生效" in response.text, name  # the CSRF refusal page
    assert database_state() == before
    assert client.get(reverse("admin:index")).status_code == 200  # still logged in: even logout was refused


@pytest.mark.django_db
def test_a_token_from_another_session_is_refused_too(world, administrator, editor):
    other = Client(enforce_csrf_checks=True)
    other.force_login(editor)
    other.get(reverse("admin:editorial_issue_changelist"))
    stolen = other.cookies["csrftoken"].value
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    client.get(reverse("admin:editorial_issue_changelist"))
    before = database_state()
    response = client.post(reverse("admin:editorial_issue_next"), {"csrfmiddlewaretoken": stolen[:32] + "A" * 32})
    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.django_db
def test_the_same_post_with_the_pages_own_token_goes_through(world, administrator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    page = client.get(reverse("admin:editorial_issue_changelist")).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    count = Issue.objects.count()
    response = client.post(reverse("admin:editorial_issue_next"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Issue.objects.count() == count + 1


@pytest.mark.django_db
def test_a_login_post_without_a_token_is_refused(client, administrator):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("admin:login"), {"username": "admin", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


@pytest.mark.django_db
def test_post_only_admin_views_answer_405_to_a_get_and_change_nothing(world, administrator, client):
    client.force_login(administrator)
    before = database_state()
    for url in (
        reverse("admin:editorial_section_process_import"),
        reverse("admin:editorial_article_process_import"),
        reverse("admin:editorial_sourceregion_process_import"),
        reverse("admin:logout"),
    ):
        assert client.get(url).status_code == 405, url
    assert database_state() == before


@pytest.mark.django_db
def test_views_that_confirm_first_answer_a_get_with_the_question_and_change_nothing(world, administrator, client):
    client.force_login(administrator)
    article, issue = world["article"], world["issue"]
    before = database_state()
    pages = {
        reverse(
            "admin:editorial_article_history_restore", args=[article.pk, article.history.earliest().history_id]
        ): "恢复",
        reverse("admin:editorial_article_move", args=[article.pk]): "移动稿件",
        reverse("admin:editorial_article_delete", args=[article.pk]): "",
        reverse("admin:editorial_issue_delete", args=[issue.pk]): "",
        reverse("admin:editorial_issue_import_legacy") + "?token=x&files=2020-193.txt": "导入旧版文本",
    }
    for url, words in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert words in response.text, url
        assert 'method="post"' in response.text, url
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "object_id",
    ["987654", "abc", "1.5", "-1", "0", "99999999999999999999999", "%00", "1%20OR%201=1", "%27", "..%2F..%2Fadmin"],
)
def test_odd_ids_in_admin_urls_are_404s_not_errors_and_change_nothing(world, administrator, client, object_id):
    client.force_login(administrator)
    before = database_state()
    base = "/admin/editorial"
    for url in (
        f"{base}/issue/{object_id}/transition/submit/",
        f"{base}/issue/{object_id}/arrange/",
        f"{base}/issue/{object_id}/place/",
        f"{base}/issue/{object_id}/sections/add/",
        f"{base}/article/{object_id}/move/",
    ):
        assert client.post(url).status_code == 404, url
    for url in (
        f"{base}/issue/{object_id}/history/",
        f"{base}/article/{object_id}/history/",
        f"{base}/article/{object_id}/history/compare/?old=1&new=2",
    ):
        assert client.get(url).status_code == 404, url
    # The admin's own change page sends an unknown id back to the list with a message (Django's behaviour).
    change = client.get(f"{base}/article/{object_id}/change/")
    assert change.status_code in (302, 404)
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("params", ["?old=abc&new=1", "?old=1", "?old=99999999999999999999&new=1", "?new=%27"])
def test_comparing_versions_with_odd_numbers_is_a_404(world, administrator, client, params):
    client.force_login(administrator)
    article = world["article"]
    url = reverse("admin:editorial_article_history_compare", args=[article.pk]) + params
    assert client.get(url).status_code == 404
