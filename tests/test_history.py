"""Versions as editors see them: the character diff, what each version changed, and comparing two."""

import pytest

from editorial import history, services
from editorial.models import Article, Issue
from tests.factories import make_article, make_issue, make_user, region


@pytest.mark.parametrize(
    ("old", "new", "runs"),
    [
        ("", "", []),
        ("开幕", "开幕", [("equal", "开幕")]),
        (
            "上海技术交易所开幕",
            "上海技术交易所开市",
            [("equal", "上海技术交易所开"), ("delete", "幕"), ("insert", "市")],
        ),
        ("甲乙丙", "甲丙", [("equal", "甲"), ("delete", "乙"), ("equal", "丙")]),
        ("", "新增一段。", [("insert", "新增一段。")]),
        ("整段删除。", "", [("delete", "整段删除。")]),
        ("AI 产业", "AI产业", [("equal", "AI"), ("delete", " "), ("equal", "产业")]),
    ],
)
def test_the_text_diff_works_character_by_character(old, new, runs):
    assert history.text_diff(old, new) == runs


def test_the_text_diff_always_rebuilds_both_texts():
    old, new = "第一段。\n\n第二段有错字。", "第一段。\n\n第二段没有错字了。\n\n第三段。"
    runs = history.text_diff(old, new)
    assert "".join(text for op, text in runs if op != "insert") == old
    assert "".join(text for op, text in runs if op != "delete") == new


def test_the_diff_html_escapes_the_text():
    change = history.Change(label="正文", old="<b>", new="<i>", runs=history.text_diff("<b>", "<i>"))
    assert "<del>b</del><ins>i</ins>" in change.runs_html
    assert "&lt;" in change.runs_html and "<b>" not in change.runs_html


@pytest.mark.django_db
def test_each_version_says_what_it_changed_and_who_made_it():
    editor = make_user("editor", role="编辑", first_name="小王")
    article = services.article_save(
        article=Article(title="标题", body="正文。", section_id=None), user=editor, regions=[region("jiangsu")]
    )
    services.article_save(article=article, user=editor, regions=[region("anhui")], expected_version=1)
    article.title = "新标题"
    services.article_save(article=article, user=editor, regions=[region("anhui")], expected_version=2)
    newest, middle, first = history.versions(Article, article.pk)
    assert [v.number for v in (newest, middle, first)] == [3, 2, 1]
    assert (first.kind, first.changed) == ("新建", [])
    assert middle.changed == ["来源地区"] and middle.values["regions"] == "安徽"
    assert newest.changed == ["标题"] and newest.author == "小王"


@pytest.mark.django_db
def test_a_deleted_article_keeps_its_versions_with_the_deletion_last():
    editor = make_user("editor", role="编辑")
    article = make_article(issue=make_issue(number=321))
    services.article_save(article=article, user=editor, expected_version=1)
    services.article_delete(article=article, user=editor)
    newest, *_ = history.versions(Article, article.pk)
    assert newest.kind == "删除" and newest.values["issue_id"] == "2020年第321期"


@pytest.mark.django_db
def test_comparing_shows_earlier_to_later_unless_asked_for_a_restore_preview():
    editor = make_user("editor", role="编辑")
    article = make_article(title="旧")
    services.article_save(article=article, user=editor, expected_version=1)
    article.title = "新"
    services.article_save(article=article, user=editor, expected_version=2)
    newest, *_, oldest = history.versions(Article, article.pk)
    _, _, changes = history.compare(Article, article.pk, newest.record.history_id, oldest.record.history_id)
    assert changes[0].runs == [("delete", "旧"), ("insert", "新")]
    _, _, changes = history.compare(
        Article, article.pk, newest.record.history_id, oldest.record.history_id, chronological=False
    )
    assert changes[0].runs == [("delete", "新"), ("insert", "旧")]


@pytest.mark.django_db
def test_issue_versions_follow_its_status_through_the_workflow():
    from editorial import workflow

    reviewer = make_user("reviewer", role="审核")
    issue = make_issue(status=Issue.Status.IN_REVIEW)
    make_article(issue=issue)
    workflow.approve(issue=issue, user=reviewer)
    newest = history.versions(Issue, issue.pk)[0]
    assert newest.values["status"] == "已签发" and newest.changed == ["状态"] and newest.reason == "签发"
