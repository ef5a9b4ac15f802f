"""What each workflow step sends, queued inside the step's own transaction (workflow.Transition.execute calls it).

    publish, publish_scheduled  the issue to every active recipient; the editors are told
    correct                     a 更正 mail to every active recipient (several corrections coalesce)
    withdraw                    a notice to everyone the issue may have reached; unsent mails cancelled
    submit / return_to_draft / approve   notifications to the newsroom (notifications.py)

Imports, restores and generated archives write their log entries without a transition: they send nothing.
"""

from ..models import Issue, IssueTransition, OutboxMessage
from . import notifications, outbox


def _published(entry: IssueTransition, issue: Issue) -> None:
    mails = outbox.queue_issue(issue=issue, user=entry.user)
    notifications.issue_published(issue=issue, entry=entry, mails=mails)


def _corrected(entry: IssueTransition, issue: Issue) -> None:
    outbox.queue_issue(issue=issue, user=entry.user, kind=OutboxMessage.Kind.CORRECTION)


def _withdrawn(entry: IssueTransition, issue: Issue) -> None:
    outbox.queue_withdrawal(issue=issue, user=entry.user)


ON_TRANSITION = {
    "submit": lambda entry, issue: notifications.issue_submitted(issue=issue, entry=entry),
    "return_to_draft": lambda entry, issue: notifications.issue_returned(issue=issue, entry=entry),
    "approve": lambda entry, issue: notifications.issue_approved(issue=issue, entry=entry),
    "publish": _published,
    "publish_scheduled": _published,
    "correct": _corrected,
    "withdraw": _withdrawn,
}


def queue_for_transition(*, entry: IssueTransition, issue: Issue) -> None:
    """Queue the mails and notifications of the step `entry` records (nothing for steps without any)."""
    handler = ON_TRANSITION.get(entry.action)
    if handler is not None:
        handler(entry, issue)
