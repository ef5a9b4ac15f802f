"""The article form keeps what an editor typed: pasted text is cleaned into paragraphs, and a save that cannot be
made brings the form back with the text, the reason and, where editing is closed, 另存为新稿件."""

import pytest
from django.urls import reverse

from editorial.models import Article
from tests.factories import make_article, make_issue
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
