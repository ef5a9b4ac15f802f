"""The issue state machine, used directly: permissions, checks, changes, log entries, concurrency."""

import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection
from django.utils import timezone

from editorial import formatting, workflow
from editorial.models import Article, Issue, IssueTransition
from tests.factories import make_article, make_issue, make_published_issue, make_user

Status = Issue.Status


def issue_in(status: str, **fields) -> Issue:
    """An issue with one complete article, put straight into `status`."""
    issue = make_issue(status=status, **fields)
    make_article(issue=issue, title="上海技术交易所开市", body="10月28日，上海技术交易所正式开市。")
    return issue


def snapshot(issue: Issue) -> tuple:
    issue.refresh_from_db()
    return (
        issue.status,
        issue.version,
        issue.updated_at,
        issue.scheduled_at,
        issue.published_at,
        IssueTransition.objects.filter(issue=issue).count(),
        issue.history.count(),
    )


IN_AN_HOUR = object()

# name → (status it starts from, extra fields, keyword arguments, status it ends in)
CASES = {
    "submit": (Status.DRAFT, {}, {}, Status.IN_REVIEW),
    "approve": (Status.IN_REVIEW, {}, {}, Status.APPROVED),
    "return_to_draft": (Status.IN_REVIEW, {}, {"comment": "第二篇标题太长"}, Status.DRAFT),
    "publish": (Status.APPROVED, {}, {}, Status.PUBLISHED),
    "schedule": (Status.APPROVED, {}, {"at": IN_AN_HOUR}, Status.APPROVED),
    "unschedule": (Status.APPROVED, {"scheduled_at": IN_AN_HOUR}, {}, Status.APPROVED),
    "withdraw": (Status.PUBLISHED, {}, {"comment": "数据有误，核实后重发"}, Status.WITHDRAWN),
    "correct": (Status.PUBLISHED, {}, {"comment": "更正错字"}, Status.PUBLISHED),
}
ALLOWED = {
    "编辑": {"submit"},
    "审核": set(CASES),
    "管理员": set(CASES),
    None: set(),  # staff in no role group
}


def resolve(values: dict) -> dict:
    in_an_hour = timezone.now() + datetime.timedelta(hours=1)
    return {key: in_an_hour if value is IN_AN_HOUR else value for key, value in values.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ALLOWED), ids=["editor", "reviewer", "administrator", "no-role"])
@pytest.mark.parametrize("name", list(CASES))
def test_each_transition_succeeds_for_the_roles_allowed_it_and_changes_nothing_for_the_others(role, name):
    start, fields, kwargs, end = CASES[name]
    issue = issue_in(start, **resolve(fields))
    user = make_user("someone", role=role)
    before = snapshot(issue)
    transition = getattr(workflow, name)
    if name in ALLOWED[role]:
        result = transition(issue=issue, user=user, **resolve(kwargs))
        assert result.changed
        assert result.issue.status == end
        entry = IssueTransition.objects.get(issue=issue, action=name)
        assert (entry.user, entry.from_status, entry.to_status) == (user, start, end)
        assert result.issue.version == before[1] + 1
        assert result.issue.updated_at > before[2]
    else:
        with pytest.raises(PermissionDenied):
            transition(issue=issue, user=user, **resolve(kwargs))
        assert snapshot(issue) == before


@pytest.mark.django_db
def test_the_whole_lifecycle_leaves_a_log_of_who_did_what_and_why(editor, reviewer):
    issue = issue_in(Status.DRAFT)
    workflow.submit(issue=issue, user=editor, comment="请审阅")
    workflow.return_to_draft(issue=issue, user=reviewer, comment="第一篇补充来源")
    workflow.submit(issue=issue, user=editor)
    workflow.approve(issue=issue, user=reviewer, comment="同意")
    workflow.publish(issue=issue, user=reviewer)
    workflow.withdraw(issue=issue, user=reviewer, comment="发现数据错误")
    log = list(issue.transitions.order_by("created_at", "pk").values_list("action", "user__username", "comment"))
    assert log == [
        ("create", None, "新建。"),
        ("submit", "editor", "请审阅"),
        ("return_to_draft", "reviewer", "第一篇补充来源"),
        ("submit", "editor", ""),
        ("approve", "reviewer", "同意"),
        ("publish", "reviewer", ""),
        ("withdraw", "reviewer", "发现数据错误"),
    ]
    assert issue.status == Status.WITHDRAWN
    assert not Issue.objects.published().filter(pk=issue.pk).exists()


@pytest.mark.django_db
def test_every_transition_keeps_an_issue_version_with_its_author(editor):
    issue = issue_in(Status.DRAFT)
    workflow.submit(issue=issue, user=editor)
    latest = issue.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (Status.IN_REVIEW, editor, "提交审核")


@pytest.mark.django_db
def test_an_issue_without_articles_cannot_be_submitted(editor):
    issue = make_issue()
    with pytest.raises(ValidationError, match="还没有稿件"):
        workflow.submit(issue=issue, user=editor)
    issue.refresh_from_db()
    assert issue.status == Status.DRAFT


@pytest.mark.django_db
def test_the_refusal_to_submit_names_each_article_with_an_empty_title_or_body(editor):
    issue = make_issue()
    make_article(issue=issue, title="完整的稿件")
    make_article(issue=issue, title="缺正文的稿件", body="  \n\n ")
    # A blank title no form lets through, written past the services (search fields given, as the guard asks).
    Article.objects.filter(pk=make_article(issue=issue).pk).update(title=" ", search_title="", search_text="")
    with pytest.raises(ValidationError) as refusal:
        workflow.submit(issue=issue, user=editor)
    assert "第2篇《缺正文的稿件》没有正文。" in refusal.value.messages
    assert "第3篇《（无标题）》没有标题。" in refusal.value.messages
    assert not any("完整的稿件" in message for message in refusal.value.messages)
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT


@pytest.mark.django_db
def test_approving_runs_the_same_content_checks_as_submitting(reviewer):
    issue = make_issue(status=Status.IN_REVIEW)
    make_article(issue=issue, body="")
    with pytest.raises(ValidationError, match="没有正文"):
        workflow.approve(issue=issue, user=reviewer)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["return_to_draft", "withdraw", "correct"])
def test_transitions_that_need_a_reason_refuse_a_blank_one_and_change_nothing(reviewer, name):
    start = CASES[name][0]
    issue = issue_in(start)
    before = snapshot(issue)
    with pytest.raises(ValidationError, match="请填写"):
        getattr(workflow, name)(issue=issue, user=reviewer, comment="   ")
    assert snapshot(issue) == before


@pytest.mark.django_db
def test_a_transition_from_the_wrong_status_says_which_status_the_issue_is_in(reviewer):
    issue = issue_in(Status.DRAFT)
    before = snapshot(issue)
    with pytest.raises(ValidationError, match="现在是“草稿”状态，不能签发"):
        workflow.approve(issue=issue, user=reviewer)
    with pytest.raises(ValidationError, match="不能立即发布"):
        workflow.publish(issue=issue, user=reviewer)
    assert snapshot(issue) == before


@pytest.mark.django_db
def test_publishing_twice_publishes_once_with_one_log_entry_and_no_error(reviewer, administrator):
    issue = issue_in(Status.APPROVED)
    first = workflow.publish(issue=issue, user=reviewer)
    stale_copy = Issue.objects.get(pk=issue.pk)

    second = workflow.publish(issue=stale_copy, user=administrator)
    assert (first.changed, second.changed) == (True, False)
    assert issue.transitions.filter(action="publish").count() == 1
    assert Issue.objects.get(pk=issue.pk).published_at == first.issue.published_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_publishing_at_the_same_moment_publish_once_and_neither_gets_an_error():
    reviewers = [make_user(f"reviewer{n}", role="审核") for n in (1, 2)]
    issue = issue_in(Status.APPROVED)
    start = threading.Barrier(2)
    results, errors = [], []

    def publish(copy, user):
        while True:
            try:
                return workflow.publish(issue=copy, user=user)
            except OperationalError as error:
                # SQLite's in-memory test database locks tables without waiting (shared cache), where
                # the real file database waits out its busy timeout: wait here instead. PostgreSQL
                # never gets here; its second publisher blocks on the row lock.
                if connection.vendor != "sqlite" or "locked" not in str(error):
                    raise
                time.sleep(0.01)

    def click(user):
        try:
            copy = Issue.objects.get(pk=issue.pk)
            start.wait()
            results.append(publish(copy, user))
        except BaseException as error:  # collected and re-raised by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.changed for result in results) == [False, True]
    assert IssueTransition.objects.filter(issue=issue, action="publish").count() == 1
    assert Issue.objects.get(pk=issue.pk).status == Status.PUBLISHED


WORKER = """
import time
from django.contrib.auth.models import User
from editorial import workflow
from editorial.models import Issue
time.sleep(max(0, {start} - time.time()))
result = workflow.publish(issue=Issue.objects.get(number=901), user=User.objects.get(username="{username}"))
print("changed" if result.changed else "unchanged")
"""
SETUP = """
import datetime
from django.contrib.auth.models import Group, User
from editorial import services
from editorial.models import Article, Issue, Publication, Section
for name in ("reviewer1", "reviewer2"):
    User.objects.create_user(name, is_staff=True).groups.add(Group.objects.get(name="审核"))
issue = services.issue_create(publication=Publication.objects.current(), number=901, date=datetime.date(2026, 11, 27))
Article.objects.create(issue=issue, section=Section.objects.first(), position=1, title="标题", body="正文。")
Issue.objects.filter(pk=issue.pk).update(status="approved")
"""
CHECK = """
from editorial.models import Issue
issue = Issue.objects.get(number=901)
print(issue.status, issue.transitions.filter(action="publish").count())
"""


def test_two_processes_publishing_at_once_on_the_sqlite_file_database_publish_once(tmp_path):
    """The embedded default as deployed (a file, WAL, BEGIN IMMEDIATE): two servers' workers racing."""
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path),
        "DEBUG": "1",
        "SECRET_KEY": "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def shell(code, **run):
        return subprocess.run([*manage, "shell", "-v", "0", "-c", code], env=env, capture_output=True, text=True, **run)

    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
    assert shell(SETUP).returncode == 0
    start = time.time() + 4
    workers = [
        subprocess.Popen(
            [*manage, "shell", "-v", "0", "-c", WORKER.format(start=start, username=name)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("reviewer1", "reviewer2")
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    assert sorted(out.strip() for out, _ in outputs) == ["changed", "unchanged"]
    assert shell(CHECK).stdout.split() == ["published", "1"]


@pytest.mark.django_db
def test_a_republished_issue_keeps_the_date_it_first_reached_readers(reviewer):
    issue = issue_in(Status.APPROVED)
    first = workflow.publish(issue=issue, user=reviewer).issue.published_at
    workflow.withdraw(issue=issue, user=reviewer, comment="撤回核实")
    workflow.return_to_draft(issue=issue, user=reviewer, comment="修改后重发")
    Issue.objects.filter(pk=issue.pk).update(status=Status.APPROVED)
    assert workflow.publish(issue=issue, user=reviewer).issue.published_at == first


@pytest.mark.django_db
def test_scheduling_needs_a_time_in_the_future(reviewer):
    issue = issue_in(Status.APPROVED)
    with pytest.raises(ValidationError, match="已经过去"):
        workflow.schedule(issue=issue, user=reviewer, at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="请填写定时发布"):
        workflow.schedule(issue=issue, user=reviewer, at=None)
    assert Issue.objects.get(pk=issue.pk).scheduled_at is None


@pytest.mark.django_db
def test_a_scheduled_issue_stays_hidden_until_its_time_then_publishes_once(reviewer):
    issue = issue_in(Status.APPROVED)
    at = timezone.now() + datetime.timedelta(hours=2)
    workflow.schedule(issue=issue, user=reviewer, at=at)
    assert workflow.publish_due(now=at - datetime.timedelta(seconds=1)) == []
    assert not Issue.objects.published().filter(pk=issue.pk).exists()
    assert [done.pk for done in workflow.publish_due(now=at)] == [issue.pk]
    assert workflow.publish_due(now=at + datetime.timedelta(minutes=5)) == []
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Status.PUBLISHED, None)
    entry = issue.transitions.get(action="publish_scheduled")
    assert entry.user is None
    assert "reviewer" in entry.comment and "自动发布" in entry.comment


@pytest.mark.django_db
def test_returning_a_scheduled_issue_to_draft_cancels_its_schedule(reviewer):
    at = timezone.now() + datetime.timedelta(hours=1)
    issue = issue_in(Status.APPROVED, scheduled_at=at)
    workflow.return_to_draft(issue=issue, user=reviewer, comment="还要改")
    assert issue.scheduled_at is None
    assert workflow.publish_due(now=at + datetime.timedelta(hours=1)) == []


@pytest.mark.django_db
def test_an_editor_is_offered_only_submit_and_a_reviewer_the_review_actions(editor, reviewer):
    draft = issue_in(Status.DRAFT)
    in_review = issue_in(Status.IN_REVIEW)
    names = lambda user, issue: [t.name for t in workflow.available_transitions(user=user, issue=issue)]  # noqa: E731
    assert names(editor, draft) == ["submit"]
    assert names(editor, in_review) == []
    assert names(reviewer, in_review) == ["approve", "return_to_draft"]
    assert names(reviewer, issue_in(Status.APPROVED)) == ["publish", "schedule", "return_to_draft"]
    scheduled = issue_in(Status.APPROVED, scheduled_at=timezone.now() + datetime.timedelta(days=1))
    assert names(reviewer, scheduled) == ["publish", "schedule", "unschedule", "return_to_draft"]
    assert names(reviewer, issue_in(Status.PUBLISHED)) == ["withdraw"]


EDIT_RULE = [
    # status, editor may edit, reviewer may edit
    (Status.DRAFT, True, True),
    (Status.IN_REVIEW, False, True),
    (Status.APPROVED, False, True),
    (Status.PUBLISHED, False, True),
    (Status.WITHDRAWN, False, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "editor_may", "reviewer_may"), EDIT_RULE)
def test_who_may_change_an_issue_content_depends_on_its_status(editor, reviewer, status, editor_may, reviewer_may):
    issue = make_issue(status=status)
    assert workflow.may_edit(user=editor, issue=issue) is editor_may
    assert workflow.may_edit(user=reviewer, issue=issue) is reviewer_may
    if not editor_may:
        assert issue.period_label in workflow.edit_denied_reason(user=editor, issue=issue)


@pytest.mark.django_db
def test_changing_a_published_issue_needs_a_correction_note(reviewer):
    issue = make_issue(status=Status.PUBLISHED)
    with pytest.raises(ValidationError, match="更正说明"):
        workflow.ensure_may_edit(user=reviewer, issue=issue, correction_note=" ")
    workflow.ensure_may_edit(user=reviewer, issue=issue, correction_note="更正错别字")


def test_times_are_shown_in_the_office_time_zone_as_editors_write_them():
    moment = datetime.datetime(2026, 11, 20, 1, 5, tzinfo=datetime.UTC)
    assert formatting.format_time(moment) == "2026年11月20日 09:05"


def test_publishing_renders_the_pdf_and_word_file_ahead_of_the_first_reader(
    reviewer, django_capture_on_commit_callbacks
):
    issue = make_issue(status=Issue.Status.APPROVED)
    make_article(issue=issue)
    with (
        mock.patch("editorial.renditions.prepare_issue_renditions") as prepare,
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.publish(issue=issue, user=reviewer)
    prepare.assert_called_once()
    assert prepare.call_args.kwargs["issue"].pk == issue.pk


def test_withdrawing_deletes_the_stored_renditions(reviewer, django_capture_on_commit_callbacks):
    issue = make_published_issue()
    make_article(issue=issue)
    with (
        mock.patch("editorial.renditions.issue_renditions_delete") as delete,
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.withdraw(issue=issue, user=reviewer, comment="内容有误")
    delete.assert_called_once()
