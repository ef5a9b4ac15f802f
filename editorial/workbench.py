"""The admin's home page is each person's workbench (工作台): what is theirs to do today, by role.

Editors see this week's issue, issues returned to them with the reviewer's reason, their recent
articles and unsaved drafts; reviewers also what waits for review, for publishing and on a schedule;
administrators also the latest imports and locked-out accounts. The reads are editorial/newsroom.py.

This module is the admin site itself (settings: digest_cms.apps.DigestAdminConfig), so it must not
import editorial.admin, whose ModelAdmins register on this very site.
"""

from django.utils import timezone

from digest_cms.admin_site import DigestAdminSite

from . import workflow
from .formatting import actor_name
from .newsroom import desk_for, returned_reason
from .templatetags.newsroom import status_badge

WEEKDAYS = "一二三四五六日"


class NewsroomAdminSite(DigestAdminSite):
    """The admin site (checked list filters, throttled password change) with the workbench as its index page."""

    # Shown only without a masthead: templates/admin/base_site.html names the publication.
    site_header = "编辑部"
    site_title = "编辑部"
    index_title = "工作台"
    index_template = "admin/workbench.html"

    def index(self, request, extra_context=None):
        today = timezone.localdate()
        desk = desk_for(request.user, today=today)
        for issue in desk.open_issues:
            issue.returned_reason = returned_reason(issue)
            issue.badge = status_badge(issue, returned=issue.returned_reason)
            if issue.last_step:
                issue.step_actor = actor_name(issue.last_step.user)
                issue.step_label = workflow.action_label(issue.last_step.action)
        for entry in desk.imports:
            entry.actor, entry.label = actor_name(entry.user), workflow.action_label(entry.action)
        context = {
            "desk": desk,
            "greeting_name": actor_name(request.user),
            "today": today,
            "weekday": WEEKDAYS[today.weekday()],
            "is_reviewer": request.user.has_perm("editorial.approve_issue"),
            "is_administrator": request.user.has_perm("editorial.import_legacy_issue"),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)
