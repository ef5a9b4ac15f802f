"""Template tags of 报送: the issue page's mail line and the workbench's notification panel."""

from django import template

from ..delivery import notifications, outbox
from ..models import OutboxMessage

register = template.Library()


@register.inclusion_tag("admin/editorial/outboxmessage/_issue_summary.html", takes_context=True)
def issue_delivery_summary(context, issue):
    """The issue's mails by state, with the link to its delivery log: for those who may see the log only."""
    if not context["request"].user.has_perm("editorial.view_outboxmessage"):
        return {"hidden": True}
    summary = outbox.delivery_summary(issue=issue)
    return {
        "issue": issue,
        "summary": [(state, label, summary[state]) for state, label in OutboxMessage.State.choices],
        "total": sum(summary.values()),
    }


@register.inclusion_tag("admin/editorial/notification/_recent.html", takes_context=True)
def notifications_panel(context, limit: int = notifications.RECENT):
    """The signed-in user's latest notifications and how many are unread (two queries)."""
    user = context["request"].user
    return {
        "notifications": notifications.recent_for(user, limit=limit),
        "unread_count": notifications.unread_for(user).count(),
    }
