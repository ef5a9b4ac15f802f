"""`manage.py publish_scheduled`: publishes what is due, once, and nothing before its time."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from editorial import workflow
from editorial.models import Issue, IssueTransition
from tests.factories import make_article, make_issue, make_user

Status = Issue.Status


def run(*args) -> str:
    out = StringIO()
    call_command("publish_scheduled", *args, stdout=out)
    return out.getvalue()


def scheduled_issue(*, at, number=None) -> Issue:
    """A signed-off issue scheduled by a reviewer for `at` (which may already have passed)."""
    reviewer = make_user(f"reviewer{number or ''}", role="审核", first_name="李老师")
    issue = make_issue(number=number, status=Status.APPROVED)
    make_article(issue=issue)
    workflow.schedule(issue=issue, user=reviewer, at=timezone.now() + datetime.timedelta(hours=1))
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=at)
    return issue


@pytest.mark.django_db
def test_a_due_issue_is_published_once_however_often_the_command_runs(client):
    issue = scheduled_issue(at=timezone.now() - datetime.timedelta(minutes=1), number=502)
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert "已发布 2020年第502期" in run()
    assert run() == ""
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Status.PUBLISHED, None)
    assert IssueTransition.objects.filter(issue=issue, action="publish_scheduled").count() == 1
    assert "李老师" in issue.transitions.get(action="publish_scheduled").comment
    assert client.get(issue.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_an_issue_scheduled_for_later_stays_unpublished_and_invisible(client):
    issue = scheduled_issue(at=timezone.now() + datetime.timedelta(minutes=5))
    assert run() == ""
    assert Issue.objects.get(pk=issue.pk).status == Status.APPROVED
    assert not Issue.objects.published().filter(pk=issue.pk).exists()
    assert client.get(issue.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_only_signed_off_issues_are_published_by_the_clock():
    issue = make_issue(status=Status.IN_REVIEW, scheduled_at=timezone.now() - datetime.timedelta(hours=1))
    run()
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_a_dry_run_lists_what_is_due_and_changes_nothing():
    issue = scheduled_issue(at=timezone.now() - datetime.timedelta(minutes=1), number=503)
    assert "到期未发布：2020年第503期" in run("--dry-run")
    assert Issue.objects.get(pk=issue.pk).status == Status.APPROVED


@pytest.mark.django_db
def test_with_nothing_due_the_command_is_silent_for_cron_and_says_so_when_asked():
    assert run() == ""
    assert "没有到期的定时发布" in run("-v", "2")


# Each round starts by closing stale connections, as a daemon must: that needs a real transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_loop_publishes_each_round_and_stops_cleanly_on_ctrl_c():
    issue = scheduled_issue(at=timezone.now() - datetime.timedelta(seconds=1))
    rounds = []

    def sleep(seconds):
        rounds.append(seconds)
        if len(rounds) == 2:
            raise KeyboardInterrupt

    with mock.patch("editorial.management.repeat.time.sleep", side_effect=sleep):
        output = run("--every", "30")
    assert rounds == [30, 30]
    assert "已停止" in output and output.count("已发布") == 1
    assert Issue.objects.get(pk=issue.pk).status == Status.PUBLISHED


def test_a_non_positive_interval_is_refused():
    with pytest.raises(CommandError, match="正整数"):
        call_command("publish_scheduled", "--every", "0")
