"""Every editorial action leaves one line in the application log, and only once it has committed."""

import logging

import pytest
from django.core.exceptions import ValidationError

from editorial import services, workflow
from editorial.activity import format_line
from editorial.importers.loader import ImportContext, load_issue
from editorial.models import Article, Issue, Section
from tests.factories import make_article, make_issue, make_user, section
from tests.test_import_legacy import SMALL

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(caplog, django_capture_on_commit_callbacks):
    """Run a callable, commit, and return the activity lines it logged."""

    def run(action, *args, **kwargs):
        caplog.clear()
        with (
            caplog.at_level(logging.INFO, logger="editorial.activity"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            action(*args, **kwargs)
        return [record.getMessage() for record in caplog.records if record.name == "editorial.activity"]

    return run


def test_a_line_names_the_action_its_objects_and_who_quoting_what_has_spaces():
    user = make_user("wang", first_name="王", last_name="编辑")
    assert format_line("arrange", user=user, issue=193, note="") == 'editorial action=arrange issue=193 user="王 编辑"'
    line = format_line("article_change", user=None, article=7, note='标题有误 "改正"')
    assert line == 'editorial action=article_change article=7 note="标题有误 \\"改正\\"" user=系统'


def test_each_write_of_the_newsroom_logs_exactly_one_line(activity, editor, reviewer):
    [created] = activity(services.issue_create_next, user=editor)
    issue = Issue.objects.get()
    assert created == f"editorial action=create issue={issue.number} status=draft user=editor"

    article = Article(title="长三角一体化示范区发布新政策", body="正文。", section=section("economy"), issue=issue)
    assert activity(services.article_save, article=article, user=editor) == [
        f"editorial action=article_create article={article.pk} issue={issue.number} user=editor"
    ]
    other = make_article(issue=issue, section_slug="economy")
    layout = [(s, list(reversed(ids)) if ids else ids) for s, ids in services.issue_layout(issue)]
    assert activity(services.issue_arrange, issue=issue, user=editor, layout=layout) == [
        f"editorial action=arrange issue={issue.number} user=editor"
    ]
    assert activity(services.article_move, article=other, user=editor, issue=None) == [
        f"editorial action=article_move article={other.pk} from={issue.number} to=pool user=editor"
    ]
    assert activity(services.article_delete, article=other, user=editor) == [
        f"editorial action=article_delete article={other.pk} user=editor"
    ]
    assert activity(workflow.submit, issue=issue, user=editor) == [
        f"editorial action=submit issue={issue.number} status=in_review user=editor"
    ]


def test_a_refused_write_logs_nothing(caplog, django_capture_on_commit_callbacks, editor):
    issue = make_issue()
    make_article(issue=issue)
    with (
        caplog.at_level(logging.INFO, logger="editorial.activity"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.issue_arrange(issue=issue, user=editor, layout=[])
    assert callbacks == []
    assert not [record for record in caplog.records if record.name == "editorial.activity"]


def test_the_line_waits_for_the_commit(caplog, editor):
    issue = make_issue()
    special = Section.objects.create(name="专题", slug="special", position=99, is_standing=False)
    # pytest-django's test transaction is rolled back, never committed: nothing may be logged.
    with caplog.at_level(logging.INFO, logger="editorial.activity"):
        services.issue_section_add(issue=issue, section=special, user=editor)
    assert not [record for record in caplog.records if record.name == "editorial.activity"]


def test_a_legacy_import_logs_the_issue_its_articles_and_the_file(activity, administrator):
    context = ImportContext.from_db()
    parsed = context.parse(SMALL)
    [line] = activity(load_issue, parsed=parsed, context=context, user=administrator, source="194.txt")
    assert line == "editorial action=import_legacy issue=194 status=published articles=3 source=194.txt user=admin"
    assert activity(load_issue, parsed=parsed, context=context, user=administrator) == []  # unchanged: nothing written
