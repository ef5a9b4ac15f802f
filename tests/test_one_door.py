"""One door for writes: every writer of the editorial record keeps the same invariants, and none can skip them.

Each writer — the edit form, the compose board, a move, the legacy loader (new and --update), the
backup restore, the generator, a spreadsheet import, a version restore, the 回收站 — is run here
and the articles it wrote are checked for the same things: derived search fields, a version one
higher than before, a history row at that version with the article's regions, a moved issue stamp
and a line in the activity log. A form opened before any of them saves nothing and keeps its text.
"""

import datetime
import logging
import uuid
from pathlib import Path

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone

from editorial import services
from editorial.backup import export_backup, read_backup, restore_backup
from editorial.demo.generator import generate_archive
from editorial.importers.legacy import LegacyFormatError, parse_legacy
from editorial.importers.loader import load_issue
from editorial.importers.regions import catalogue_from_db
from editorial.models import Article, Issue, IssueTransition
from editorial.resources import ArticleResource
from editorial.search import search_fields
from editorial.services.records import delete_articles
from tests.factories import database_state, make_article, make_instruction, make_issue, make_user, region, section

pytestmark = pytest.mark.django_db

DEMO_ISSUE = Path(__file__).resolve().parent.parent / "editorial" / "demo" / "issues" / "498.txt"


def parsed_demo(text: str | None = None):
    return parse_legacy(text or DEMO_ISSUE.read_text(encoding="utf-8"), catalogue=catalogue_from_db())


def versions() -> dict[int, int]:
    return dict(Article.objects.values_list("pk", "version"))


def issue_stamps() -> dict[int, datetime.datetime]:
    return dict(Issue.objects.values_list("pk", "updated_at"))


def assert_kept_the_invariants(article_ids, *, before: dict[int, int], stamps_before, log_lines):
    """What every write promises, checked on each article it wrote."""
    assert article_ids, "the writer wrote nothing"
    for article in Article.objects.filter(pk__in=article_ids).prefetch_related("regions"):
        assert (article.search_title, article.search_text) == search_fields(title=article.title, body=article.body)
        assert article.version == before.get(article.pk, 0) + 1, article.title
        record = article.history.order_by("-history_date", "-history_id").first()
        assert record.version == article.version and record.history_type in "+~"
        kept = set(Article.history.model.regions.model.objects.filter(history=record).values_list("sourceregion_id"))
        assert kept == {(pk,) for pk in article.regions.values_list("pk", flat=True)}
        if article.issue_id is not None:
            assert article.issue.updated_at > stamps_before.get(
                article.issue_id, timezone.now() - datetime.timedelta(1)
            )
    assert any(line.startswith("editorial action=") for line in log_lines)


@pytest.fixture
def administrator_user(db):
    return make_user("chief-admin", role="管理员")


@pytest.fixture
def draft_with_articles():
    issue = make_issue(number=300)
    first = make_article(issue=issue, title="第一篇", regions=["shanghai"])
    second = make_article(issue=issue, section_slug="economy", title="第二篇")
    return issue, first, second


def write_with_the_form(draft_with_articles, user):
    _, first, _ = draft_with_articles
    first.body = "改过的正文。"
    services.article_save(article=first, user=user, regions=[region("pudong")], expected_version=first.version)
    return [first.pk]


def write_with_the_board(draft_with_articles, user):
    issue, first, _ = draft_with_articles
    layout = dict(services.issue_layout(issue))
    economy, sci_tech = section("economy").pk, section("sci-tech").pk
    layout[economy] = [*layout[economy], first.pk]
    layout[sci_tech] = [pk for pk in layout[sci_tech] if pk != first.pk]
    services.issue_arrange(issue=issue, user=user, layout=list(layout.items()))
    return [first.pk]


def write_with_a_move(draft_with_articles, user):
    _, first, _ = draft_with_articles
    services.article_move(article=first, user=user, issue=None)
    return [first.pk]


def write_with_a_legacy_import(draft_with_articles, user):
    issue = load_issue(parsed=parsed_demo(), user=user).issue
    return list(issue.articles.values_list("pk", flat=True))


def write_with_a_legacy_update(draft_with_articles, user):
    issue = load_issue(parsed=parsed_demo(), user=user).issue
    text = DEMO_ISSUE.read_text(encoding="utf-8").replace("平台整合区内多个数据中心", "平台整合区内十多个数据中心", 1)
    assert text != DEMO_ISSUE.read_text(encoding="utf-8")
    load_issue(parsed=parsed_demo(text), user=user, update=True)
    return list(issue.articles.values_list("pk", flat=True))


def write_with_a_restore(draft_with_articles, user, tmp_path):
    folder = tmp_path / "backup"
    export_backup(folder=folder)
    backup = read_backup(folder)
    Article.objects.all().delete()
    Issue.objects.all().delete()
    Article.history.all().delete()
    Issue.history.all().delete()
    restore_backup(backup=backup, user=user)
    return list(Article.objects.values_list("pk", flat=True))


def write_with_the_generator(draft_with_articles, user):
    generate_archive(issues=1, seed=3, first_number=900)
    return list(Article.objects.filter(issue__number=900).values_list("pk", flat=True))


def write_with_a_spreadsheet(draft_with_articles, user):
    issue, first, _ = draft_with_articles
    rows = tablib.Dataset(
        [issue.number, "科创聚焦", first.position, "", first.title, "表格里改过的正文。", "浦东新区"],
        headers=["期号", "栏目", "期内顺序", "原刊页码", "标题", "正文", "来源地区"],
    )
    result = ArticleResource().import_data(rows, dry_run=False, user=user)
    assert not result.has_errors() and not result.has_validation_errors()
    return [first.pk]


def write_with_a_version_restore(draft_with_articles, user):
    _, first, _ = draft_with_articles
    original = first.history.earliest("history_date")
    first.body = "临时改动。"
    services.article_save(article=first, user=user, expected_version=first.version)
    services.article_restore_version(article=first, history_id=original.history_id, user=user)
    return [first.pk]


def write_with_a_recovery(draft_with_articles, user):
    _, first, _ = draft_with_articles
    services.article_delete(article=first, user=user)
    services.article_recover(article_id=first.pk, user=user)
    return [first.pk]


WRITERS = {
    "edit form": write_with_the_form,
    "compose board": write_with_the_board,
    "move to the pool": write_with_a_move,
    "legacy import": write_with_a_legacy_import,
    "legacy --update": write_with_a_legacy_update,
    "backup restore": write_with_a_restore,
    "generator": write_with_the_generator,
    "spreadsheet import": write_with_a_spreadsheet,
    "version restore": write_with_a_version_restore,
    "recovery from the bin": write_with_a_recovery,
}


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_every_writer_keeps_search_fields_versions_history_stamps_and_the_log(
    writer, draft_with_articles, administrator_user, tmp_path, caplog, django_capture_on_commit_callbacks
):
    write = WRITERS[writer]
    before, stamps_before = versions(), issue_stamps()
    # A write a moment later than the fixture's, so the stamp can be seen to move.
    Issue.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=1))
    stamps_before = issue_stamps()
    caplog.set_level(logging.INFO, logger="editorial.activity")
    with django_capture_on_commit_callbacks(execute=True):
        extra = {"tmp_path": tmp_path} if writer == "backup restore" else {}
        written = write(draft_with_articles, administrator_user, **extra)
    if writer == "version restore":
        # Two writes: the temporary change and the restore.
        before = {pk: version + 1 for pk, version in before.items()}
    if writer in ("legacy --update",):
        before = {pk: 1 for pk in written}
    if writer == "backup restore":
        before = {}
    assert_kept_the_invariants(
        written, before=before, stamps_before=stamps_before, log_lines=[r.getMessage() for r in caplog.records]
    )


# --- the wrong way fails loudly ---------------------------------------------------------------------


def test_a_raw_update_of_title_or_body_is_refused():
    article = make_article(title="原来的标题")
    with pytest.raises(TypeError, match=r"editorial\.services"):
        Article.objects.filter(pk=article.pk).update(title="绕过服务的标题")
    with pytest.raises(TypeError, match=r"editorial\.services"):
        Article.objects.filter(pk=article.pk).update(body="绕过服务的正文")
    assert Article.objects.get(pk=article.pk).title == "原来的标题"


def test_raw_bulk_writes_still_derive_the_search_fields():
    issue = make_issue()
    (created,) = Article.objects.bulk_create(
        [Article(issue=issue, section=section(), position=1, title="ＡＩ　赋能", body="长 三 角")]
    )
    created.title = "新的标题"
    Article.objects.bulk_update([created], ["title"])
    stored = Article.objects.get(pk=created.pk)
    assert (stored.search_title, stored.search_text) == search_fields(title="新的标题", body="长 三 角")


# --- a form opened before another writer saves nothing, and keeps what was typed ------------------------


def _open_form(client, user, article):
    client.force_login(user)
    opened = client.get(reverse("admin:editorial_article_change", args=[article.pk]))
    assert opened.context["adminform"].form["opened_version"].value() == article.version
    return {
        "title": article.title,
        "body": "编辑在这里敲了很多字，一个字也不能丢。",
        "section": article.section_id,
        "issue": article.issue_id or "",
        "regions": [r.pk for r in article.regions.all()],
        "source": "",
        "page": "",
        "opened_version": article.version,
        "correction_note": "",
    }


def other_tab(article, user):
    article.title = "另一个标签页的标题"
    services.article_save(article=article, user=user, expected_version=article.version)


def spreadsheet(article, user):
    rows = tablib.Dataset(
        [article.issue.number, "科创聚焦", article.position, "", article.title, "表格导入的正文。", ""],
        headers=["期号", "栏目", "期内顺序", "原刊页码", "标题", "正文", "来源地区"],
    )
    assert not ArticleResource().import_data(rows, dry_run=False, user=user).has_errors()


def version_restore(article, user):
    services.article_restore_version(
        article=article, history_id=article.history.earliest("history_date").history_id, user=user
    )


def compose_board(article, user):
    layout = dict(services.issue_layout(article.issue))
    economy = section("economy").pk
    layout[economy] = [*layout.get(economy, []), article.pk]
    layout[article.section_id] = [pk for pk in layout[article.section_id] if pk != article.pk]
    services.issue_arrange(issue=article.issue, user=user, layout=list(layout.items()))


OTHER_WRITERS = {
    "another admin tab": other_tab,
    "spreadsheet import": spreadsheet,
    "version restore": version_restore,
    "compose board": compose_board,
}


@pytest.mark.parametrize("writer", OTHER_WRITERS, ids=list(OTHER_WRITERS))
def test_a_form_opened_before_another_writer_is_refused_and_keeps_the_typed_text(
    writer, client, editor, administrator_user
):
    article = make_article(issue=make_issue(number=310), title="原标题", body="原来的正文。")
    typed = _open_form(client, editor, article)
    OTHER_WRITERS[writer](Article.objects.get(pk=article.pk), administrator_user)
    written = Article.objects.get(pk=article.pk)
    response = client.post(reverse("admin:editorial_article_change", args=[article.pk]), typed)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "修改过" in errors
    assert "编辑在这里敲了很多字，一个字也不能丢。" in response.content.decode()
    assert Article.objects.get(pk=article.pk).version == written.version


def test_a_form_opened_before_a_legacy_update_is_refused_and_keeps_the_typed_text(client, editor):
    issue = load_issue(parsed=parsed_demo()).issue
    article = issue.articles.order_by("position").first()
    typed = _open_form(client, editor, article)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
    text = DEMO_ISSUE.read_text(encoding="utf-8").replace("平台整合区内多个数据中心", "平台整合区内十多个数据中心", 1)
    load_issue(parsed=parsed_demo(text), update=True)
    response = client.post(reverse("admin:editorial_article_change", args=[article.pk]), typed)
    assert response.status_code == 200 and "修改过" in " ".join(response.context["adminform"].form.non_field_errors())
    assert "编辑在这里敲了很多字，一个字也不能丢。" in response.content.decode()


# --- the 回收站 recovers by a structured marker ------------------------------------------------------------


def test_an_issue_comes_back_with_exactly_the_articles_of_its_deletion_batch(reviewer):
    issue = make_issue(number=320)
    make_article(issue=issue, title="随期刊删除")
    alone = make_article(issue=issue, title="单独删除")
    # Deleted on its own a moment before, even in the words the issue's deletion uses.
    delete_articles([alone], user=reviewer, reason="随期刊一并删除")
    services.issue_delete(issue=issue, user=reviewer)
    deletion = Issue.history.filter(id=issue.pk, history_type="-").get()
    assert isinstance(deletion.deletion_batch, uuid.UUID)
    recovered = services.issue_recover(issue_id=issue.pk, user=reviewer)
    assert recovered.articles == 1
    assert list(Article.objects.filter(issue=issue).values_list("title", flat=True)) == ["随期刊删除"]
    assert IssueTransition.objects.filter(issue=issue, action=IssueTransition.Action.RECOVER).exists()


def test_a_re_import_that_would_delete_an_article_with_instructions_is_refused_and_writes_nothing():
    issue = load_issue(parsed=parsed_demo()).issue
    kept = issue.articles.order_by("position").first()
    make_instruction(article=kept)
    without_it = DEMO_ISSUE.read_text(encoding="utf-8").replace(kept.title, "另一篇新稿件的标题")
    before = database_state()
    with pytest.raises(LegacyFormatError, match="已登记领导批示"):
        load_issue(parsed=parsed_demo(without_it), update=True)
    assert database_state() == before
