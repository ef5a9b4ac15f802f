"""The admin: every page opens for an administrator, in Chinese."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_article, make_issue


@pytest.fixture
def admin_client_for(client, administrator):
    client.force_login(administrator)
    return client


def registered_models():
    return [model for model in admin.site._registry if model._meta.app_label == "editorial"]


@pytest.mark.django_db
def test_every_editorial_changelist_and_add_page_opens_for_an_administrator(admin_client_for):
    make_article(issue=make_issue())
    for model in registered_models():
        info = model._meta.app_label, model._meta.model_name
        changelist = admin_client_for.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, model
        add = admin_client_for.get(reverse("admin:{}_{}_add".format(*info)))
        assert add.status_code in (200, 403), model


@pytest.mark.django_db
def test_the_admin_speaks_simplified_chinese(admin_client_for):
    response = admin_client_for.get(reverse("admin:index"))
    assert "工作台" in response.text
    assert "稿件" in response.text
    assert 'lang="zh-hans"' in response.text


@pytest.mark.django_db
def test_the_article_list_searches_titles_and_bodies(admin_client_for):
    make_article(title="上海技术交易所开市", body="正文。")
    make_article(title="另一篇", body="提到技术交易所的正文。")
    make_article(title="无关", body="无关。")
    response = admin_client_for.get(reverse("admin:editorial_article_changelist"), {"q": "技术交易所"})
    assert response.context["cl"].result_count == 2
