"""Template helpers of the admin: an issue's status label (已退回 for a returned draft) and the return reason."""

from django import template
from django.utils.html import format_html

from editorial import newsroom
from editorial.formatting import format_short_time
from editorial.models import Issue

register = template.Library()


@register.simple_tag
def status_badge(issue: Issue, *, with_schedule: bool = True, returned: str | None = None) -> str:
    """The issue's status as a coloured label; a draft returned by the reviewer reads 已退回 (its reason on hover).

    `returned` is the return reason when the caller read it (newsroom.returned_reason); otherwise it is read
    from the issue's `with_last_step` annotations.
    """
    reason = returned if returned is not None else newsroom.returned_reason(issue)
    if reason is not None:
        return format_html(
            '<span class="digest-status digest-status--returned" title="退回原因：{}">已退回</span>',
            reason or "（未填写）",
        )
    label = issue.get_status_display()
    if with_schedule and issue.status == Issue.Status.APPROVED and issue.scheduled_at:
        label = f"已签发 · 定时 {format_short_time(issue.scheduled_at)}"
    return format_html('<span class="digest-status digest-status--{}">{}</span>', issue.status, label)


@register.simple_tag
def returned_note(reason: str | None) -> str:
    """The return reason under a status label in a list: what the reviewer asked for, in their words."""
    if reason is None:
        return ""
    return format_html('<div class="digest-returned-reason">退回原因：{}</div>', reason or "（未填写）")


# How a list counts its rows: 共 4 期, 共 18 篇稿件, 共 6 个栏目; anything else 共 N 条.
MEASURES = {
    "issue": "期",
    "article": "篇稿件",
    "section": "个栏目",
    "sourceregion": "个来源地区",
    "publication": "种刊物",
    "user": "个用户",
    "group": "个角色",
}


@register.simple_tag
def result_count(cl) -> str:
    """The admin list's row count in Chinese, with the measure word its kind of record takes: 共 4 期.

    A count estimated on a large table (editorial.admin.changelists) says so: 共约 110,000 篇稿件（估计数）.
    """
    measure = MEASURES.get(cl.opts.model_name, "条")
    counted = getattr(cl.paginator, "counted", None)
    if counted is not None and counted.estimated:
        return f"共约 {counted.number} {measure}（估计数）"
    return f"共 {cl.result_count} {measure}"
