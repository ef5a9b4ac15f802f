"""Autosave of the article form on the server (editorial/autosave.py and the admin's two endpoints): each editor's
unsaved text is kept per form, offered back only to them, and let go once saved or discarded."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import autosave
from editorial.models import Article, ArticleDraft
from tests.factories import make_article, make_issue, make_user
from tests.test_admin_workflow import article_form_data, login

SAVE = reverse("admin:editorial_article_autosave")
DISCARD = reverse("admin:editorial_article_autosave_discard")


def offered(response) -> dict:
    """The autosave configuration the form page hands its script."""
    match = re.search(r'<script id="digest-autosave" type="application/json">(.*?)</script>', response.text, re.S)
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_typed_text_is_kept_per_editor_and_form_replacing_the_last_copy(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    key = f"article-{article.pk}"
    for body in ("第一稿", "第一稿，又写了几句"):
        response = client.post(SAVE, {"key": key, "title": "标题", "body": body, "base_version": "1"})
        assert response.status_code == 200 and response.json()["savedAt"] > 0
    draft = ArticleDraft.objects.get()
    assert (draft.user, draft.key, draft.article, draft.body, draft.base_version) == (
        editor,
        key,
        article,
        "第一稿，又写了几句",
        1,
    )
    assert Article.objects.get(pk=article.pk).body == article.body  # a draft never touches the article


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "article-1; DROP", "title": "x", "body": "y"}, "表单标识无效"),
        ({"key": "../../etc", "title": "x", "body": "y"}, "表单标识无效"),
        ({"key": "new-abcdef12", "title": "x", "body": "字" * (autosave.MAX_BODY + 1)}, "不能自动保存"),
    ],
)
def test_a_malformed_or_oversized_copy_is_refused_and_nothing_is_kept(client, editor, fields, message):
    login(client, editor)
    response = client.post(SAVE, fields)
    assert response.status_code == 400 and message in response.json()["error"]
    assert not ArticleDraft.objects.exists()


@pytest.mark.django_db
def test_without_a_login_nothing_is_kept_and_the_script_is_told_so_by_the_redirect(client):
    response = client.post(SAVE, {"key": "new-abcdef12", "title": "x", "body": "y"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not ArticleDraft.objects.exists()


@pytest.mark.django_db
def test_the_form_offers_the_editor_their_own_copy_and_nobody_elses(client, editor):
    article = make_article(issue=make_issue())
    colleague = make_user("colleague", role="编辑")
    autosave.draft_save(user=editor, key=f"article-{article.pk}", title="我的", body="我没保存的正文", base_version=1)
    autosave.draft_save(user=colleague, key=f"article-{article.pk}", title="他的", body="同事的草稿", base_version=1)
    login(client, editor)
    config = offered(client.get(reverse("admin:editorial_article_change", args=[article.pk])))
    assert config["key"] == f"article-{article.pk}" and config["version"] == article.version
    assert [(d["title"], d["body"], d["baseVersion"]) for d in config["drafts"]] == [("我的", "我没保存的正文", 1)]
    assert config["readOnly"] is False and config["pending"] is False


@pytest.mark.django_db
def test_a_new_article_form_offers_the_newest_unsaved_new_articles(client, editor):
    for index in range(autosave.NEW_DRAFTS_OFFERED + 2):
        autosave.draft_save(
            user=editor, key=f"new-token{index:04d}", title=f"新稿{index}", body="正文", base_version=None
        )
    login(client, editor)
    config = offered(client.get(reverse("admin:editorial_article_add")))
    assert config["key"] == ""
    titles = [draft["title"] for draft in config["drafts"]]
    assert len(titles) == autosave.NEW_DRAFTS_OFFERED and titles[0] == f"新稿{autosave.NEW_DRAFTS_OFFERED + 1}"


@pytest.mark.django_db
def test_an_article_the_editor_may_no_longer_change_still_offers_the_copy_for_the_pool(client, editor):
    from editorial import workflow

    issue = make_issue()
    article = make_article(issue=issue)
    autosave.draft_save(user=editor, key=f"article-{article.pk}", title="标题", body="没保存的", base_version=1)
    workflow.submit(issue=issue, user=editor)
    login(client, editor)
    config = offered(client.get(reverse("admin:editorial_article_change", args=[article.pk])))
    assert config["readOnly"] is True and config["drafts"][0]["body"] == "没保存的"
    assert config["poolCopyUrl"] == reverse("admin:editorial_article_save_as_new")


@pytest.mark.django_db
def test_saving_the_form_lets_its_copies_go(client, editor):
    article = make_article(issue=make_issue())
    autosave.draft_save(user=editor, key=f"article-{article.pk}", title="t", body="b", base_version=1)
    login(client, editor)
    client.post(reverse("admin:editorial_article_change", args=[article.pk]), article_form_data(article, body="新正文"))
    assert not ArticleDraft.objects.exists()
    # …and the page tells the browser when, so its own copy from before the save is let go too.
    saved = offered(client.get(reverse("admin:editorial_article_change", args=[article.pk])))["saved"]
    assert set(saved) == {f"article-{article.pk}"} and saved[f"article-{article.pk}"] <= autosave.now_ms()

    autosave.draft_save(user=editor, key="new-0123abcd", title="新稿", body="正文", base_version=None)
    client.post(
        reverse("admin:editorial_article_add"),
        {"title": "新稿", "body": "正文。", "section": "", "issue": "", "source": "", "_autosave_key": "new-0123abcd"},
    )
    assert not ArticleDraft.objects.exists()


@pytest.mark.django_db
def test_a_refused_save_keeps_the_copy_and_the_page_keeps_saving_it(client, editor):
    from editorial import workflow

    issue = make_issue()
    article = make_article(issue=issue)
    autosave.draft_save(user=editor, key=f"article-{article.pk}", title="t", body="我写的", base_version=1)
    login(client, editor)
    workflow.submit(issue=issue, user=editor)
    response = client.post(reverse("admin:editorial_article_change", args=[article.pk]), article_form_data(article))
    assert response.status_code == 403
    assert offered(response)["pending"] is True
    assert ArticleDraft.objects.filter(key=f"article-{article.pk}").exists()


@pytest.mark.django_db
def test_save_as_new_lets_the_copy_go(client, editor):
    autosave.draft_save(user=editor, key="article-77", title="t", body="b", base_version=3)
    login(client, editor)
    client.post(
        reverse("admin:editorial_article_save_as_new"), {"title": "标题", "body": "正文", "_autosave_key": "article-77"}
    )
    assert Article.objects.filter(title="标题", issue=None).exists() and not ArticleDraft.objects.exists()


@pytest.mark.django_db
def test_discarding_forgets_only_ones_own_copy(client, editor):
    colleague = make_user("colleague", role="编辑")
    autosave.draft_save(user=editor, key="new-aaaabbbb", title="t", body="b", base_version=None)
    autosave.draft_save(user=colleague, key="new-aaaabbbb", title="t", body="b", base_version=None)
    login(client, editor)
    assert client.post(DISCARD, {"key": "new-aaaabbbb"}).status_code == 200
    assert list(ArticleDraft.objects.values_list("user__username", flat=True)) == ["colleague"]


@pytest.mark.django_db
def test_each_editor_keeps_a_bounded_number_of_recent_copies(editor):
    for index in range(autosave.KEEP_PER_USER + 5):
        autosave.draft_save(user=editor, key=f"new-token{index:04d}", title=str(index), body="b", base_version=None)
    assert ArticleDraft.objects.filter(user=editor).count() == autosave.KEEP_PER_USER
    ArticleDraft.objects.filter(user=editor).update(
        saved_at=timezone.now() - datetime.timedelta(days=autosave.KEEP_DAYS + 1)
    )
    assert autosave.drafts_to_offer(user=editor, key=None) == []
    autosave.draft_save(user=editor, key="new-freshone", title="新", body="b", base_version=None)
    assert list(ArticleDraft.objects.filter(user=editor).values_list("key", flat=True)) == ["new-freshone"]
