"""The article form keeps what an editor typed: pasted text is cleaned into paragraphs, and a save that cannot be
made brings the form back with the text, the reason and, where editing is closed, 另存为新稿件."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from editorial import services, workflow
from editorial.admin.forms import OVERWRITE
from editorial.models import Article
from tests.factories import make_article, make_issue, make_user, section
from tests.test_admin_workflow import article_form_data, login

WPS_PASTE = "\u3000\u3000长三角数据中心集群开工。\n\u3000\u3000项目总投资\u00a0120\u00a0亿元。\u200b\n\u3000\u3000预计2027年投用。"


def change_url(article):
    return reverse("admin:editorial_article_change", args=[article.pk])


@pytest.mark.django_db
def test_a_wps_paste_saved_through_the_form_is_stored_as_one_paragraph_a_line(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    response = client.post(change_url(article), article_form_data(article, body=WPS_PASTE))
    assert response.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.paragraphs == ["长三角数据中心集群开工。", "项目总投资 120 亿元。", "预计2027年投用。"]
    assert stored.body == "长三角数据中心集群开工。\n\n项目总投资 120 亿元。\n\n预计2027年投用。"


@pytest.mark.django_db
def test_a_new_article_pasted_from_word_is_stored_clean(client, editor):
    login(client, editor)
    response = client.post(
        reverse("admin:editorial_article_add"),
        {"title": "新稿", "body": "\t第一段。\r\n\r\n\t第二段。\r\n", "section": "", "issue": "", "source": ""},
    )
    assert response.status_code == 302
    assert Article.objects.get(title="新稿").body == "第一段。\n\n第二段。"


@pytest.mark.django_db
def test_a_body_of_nothing_but_indentation_is_refused_in_words(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    for body, error in [
        ("\u3000\u3000\n\u00a0\n", "请填写正文。"),
        ("\u200b\n\u00ad\ufeff", "正文不能只有空格或空行。"),
    ]:
        response = client.post(change_url(article), article_form_data(article, body=body))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["body"] == [error]
    assert Article.objects.get(pk=article.pk).body == article.body


# --- a save that cannot be made keeps the typed text ------------------------------------------------

TYPED = "\u3000\u3000我在旧标签页里写的第一段。\n\u3000\u3000第二段。"


def state(article) -> tuple:
    article.refresh_from_db()
    return (article.title, article.body, article.version, Article.objects.count(), Article.history.count())


@pytest.mark.django_db
def test_saving_in_a_tab_opened_before_the_issue_was_submitted_brings_the_form_back_with_the_text(client, editor):
    issue = make_issue()
    article = make_article(issue=issue, regions=["pudong"])
    login(client, editor)
    data = article_form_data(article, title="旧标签页里的标题", body=TYPED)
    workflow.submit(issue=issue, user=make_user("colleague", role="编辑"))  # another tab, another editor
    before = state(article)

    response = client.post(change_url(article), data)

    assert response.status_code == 403
    page = response.text
    assert "旧标签页里的标题" in page and "我在旧标签页里写的第一段。" in page  # still in the form's fields
    assert "正在审核，编辑不能再修改" in page and "您输入的内容都还在下面，没有丢失。" in page
    assert "另存为新稿件（放入稿件库）" in page and reverse("admin:editorial_article_save_as_new") in page
    assert 'name="_save"' not in page  # no save button that would only be refused again
    assert state(article) == before


@pytest.mark.django_db
def test_save_as_new_puts_the_typed_text_in_the_pool_and_leaves_the_original_alone(client, editor):
    issue = make_issue()
    article = make_article(issue=issue, regions=["pudong"])
    login(client, editor)
    data = article_form_data(article, title="旧标签页里的标题", body=TYPED)
    workflow.submit(issue=issue, user=editor)
    original = state(article)

    response = client.post(reverse("admin:editorial_article_save_as_new"), {**data, "_pool_copy": "1"})

    copy = Article.objects.exclude(pk=article.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_article_change", args=[copy.pk])
    assert (copy.issue, copy.title, copy.section_id) == (None, "旧标签页里的标题", article.section_id)
    assert copy.paragraphs == ["我在旧标签页里写的第一段。", "第二段。"]
    assert [region.slug for region in copy.regions.all()] == ["pudong"]
    assert copy.created_by == editor and copy.history.count() == 1
    assert state(article)[:3] == original[:3]


@pytest.mark.django_db
def test_save_as_new_with_a_missing_title_shows_the_text_again_and_writes_nothing(client, editor):
    login(client, editor)
    response = client.post(
        reverse("admin:editorial_article_save_as_new"), {"title": "", "body": TYPED, "regions": ["1", "x"]}
    )
    assert response.status_code == 400
    assert "请填写标题。" in response.text and "我在旧标签页里写的第一段。" in response.text
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_save_as_new_needs_the_right_to_write_articles(client):
    viewer = make_user("viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client.force_login(viewer)
    response = client.post(reverse("admin:editorial_article_save_as_new"), {"title": "标题", "body": "正文"})
    assert response.status_code == 403 and Article.objects.count() == 0


@pytest.mark.django_db
def test_a_stale_form_shows_the_other_version_and_may_save_over_it_once_seen(client, editor):
    article = make_article(issue=make_issue(), title="原标题")
    login(client, editor)
    mine = article_form_data(article, title="我的标题")
    colleague = make_user("colleague", role="编辑", first_name="小张")
    theirs = Article.objects.get(pk=article.pk)
    theirs.title, theirs.body = "小张的标题", "小张写的正文。"
    services.article_save(article=theirs, user=colleague, expected_version=1)

    refused = client.post(change_url(article), mine)
    assert refused.status_code == 200
    assert "小张" in refused.text and "修改过" in refused.text and "小张写的正文。" in refused.text
    assert re.search(rf'name="{OVERWRITE}"\s+value="2">仍用我的内容保存', refused.text)
    assert Article.objects.get(pk=article.pk).title == "小张的标题"

    saved = client.post(change_url(article), {**mine, OVERWRITE: "2"})
    assert saved.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.version) == ("我的标题", 3)
    assert [record.title for record in article.history.order_by("history_id")][-2:] == ["小张的标题", "我的标题"]


@pytest.mark.django_db
def test_saving_over_a_version_that_has_moved_on_again_is_refused(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    mine = article_form_data(article, title="我的标题")
    for title, version in (("第二版", 1), ("第三版", 2)):
        stored = Article.objects.get(pk=article.pk)
        stored.title = title
        services.article_save(article=stored, user=make_user(f"u{version}", role="编辑"), expected_version=version)
    response = client.post(change_url(article), {**mine, OVERWRITE: "2"})
    assert response.status_code == 200 and re.search(rf'name="{OVERWRITE}"\s+value="3"', response.text)
    assert Article.objects.get(pk=article.pk).title == "第三版"


@pytest.mark.django_db
def test_saving_an_article_deleted_in_another_tab_offers_the_text_as_a_new_article(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    data = article_form_data(article, title="删掉之前改的标题", body=TYPED)
    services.article_delete(article=article, user=editor)

    response = client.post(change_url(article), data)

    assert response.status_code == 409
    assert "已被删除" in response.text and "删掉之前改的标题" in response.text and "第二段。" in response.text
    assert Article.objects.count() == 0


# --- back to the compose board -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_article_opened_from_the_board_returns_to_the_board_after_saving(client, editor):
    issue = make_issue()
    article = make_article(issue=issue)
    login(client, editor)
    board = reverse("admin:editorial_issue_change", args=[issue.pk]) + "#board"
    board_page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk]))
    opened_link = f"{change_url(article)}?next={board.replace('#', '%23')}"
    assert opened_link in board_page.text

    form = client.get(opened_link)
    assert f'name="_next" value="{board}"' in form.text
    saved = client.post(change_url(article), {**article_form_data(article, title="新标题"), "_next": board})
    assert saved.status_code == 302 and saved["Location"] == board

    kept_open = client.post(
        change_url(article),
        {**article_form_data(Article.objects.get(pk=article.pk), title="再改"), "_next": board, "_continue": "1"},
    )
    assert kept_open["Location"].startswith(change_url(article))
    reopened = client.get(kept_open["Location"])  # 保存并继续编辑, then 保存: still back to the board
    assert f'name="_next" value="{board}"' in reopened.text


@pytest.mark.django_db
def test_a_new_article_started_on_the_board_returns_to_it(client, editor):
    issue = make_issue()
    login(client, editor)
    board = reverse("admin:editorial_issue_change", args=[issue.pk]) + "#board"
    data = {"title": "新稿", "body": "正文。", "section": section("economy").pk, "issue": issue.pk, "_next": board}
    response = client.post(reverse("admin:editorial_article_add"), data)
    assert response.status_code == 302 and response["Location"] == board
    assert Article.objects.get(title="新稿").issue == issue


@pytest.mark.django_db
def test_the_way_back_never_leads_off_site(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    response = client.post(change_url(article), {**article_form_data(article), "_next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


@pytest.mark.django_db
def test_opening_a_deleted_article_leads_to_the_bin(client, editor):
    article = make_article(issue=make_issue())
    services.article_delete(article=article, user=editor)
    login(client, editor)
    response = client.get(change_url(article))
    assert response.status_code == 302 and response["Location"] == reverse("admin:editorial_article_bin")
    assert "这篇稿件已被删除" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    unknown = client.get(reverse("admin:editorial_article_change", args=[999999]))
    assert unknown["Location"] == reverse("admin:index")
