"""The admin of 报送: recipient lists (administrators), the delivery log per issue, the outbox, and 我的通知."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ..delivery import notifications, outbox, recipients
from ..delivery.resources import RecipientResource
from ..formatting import format_short_time
from ..models import Issue, Notification, OutboxMessage, Publication, Recipient
from ..resources import SPREADSHEET_FORMATS
from .forms import ColumnNameExportForm
from .spreadsheets import SpreadsheetImportMixin

State = OutboxMessage.State


def state_badge(message: OutboxMessage) -> str:
    return format_html(
        '<span class="digest-mail-state digest-mail-state--{}">{}</span>', message.state, message.get_state_display()
    )


@admin.register(Recipient)
class RecipientAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    resource_classes = [RecipientResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    list_display = ["__str__", "group", "unit", "name", "email", "active", "position"]
    list_filter = ["group", "active"]
    list_editable = ["active", "position"]
    search_fields = ["unit", "name", "email"]
    search_help_text = "输入单位、姓名或邮箱中的字词。"
    fields = ["group", "unit", "name", "email", "active", "position"]
    actions = ["activate", "deactivate"]
    change_list_template = "admin/editorial/recipient/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).in_list_order()

    @admin.action(description="启用所选收件人", permissions=["change"])
    def activate(self, request, queryset):
        count = queryset.update(active=True)
        self.message_user(request, f"已启用 {count} 位收件人。", messages.SUCCESS)

    @admin.action(description="停用所选收件人（不再收到新的期刊）", permissions=["change"])
    def deactivate(self, request, queryset):
        count = queryset.update(active=False)
        self.message_user(request, f"已停用 {count} 位收件人；已发送的记录保留。", messages.SUCCESS)

    def get_urls(self):
        custom = [
            path("masthead/", self.admin_site.admin_view(self.masthead_view), name="editorial_recipient_masthead"),
        ]
        return custom + super().get_urls()

    def masthead_view(self, request):
        """报尾: the 报/送/发 lines made from the lists, beside the masthead's current ones; written on confirmation."""
        if not (self.has_view_permission(request) and request.user.has_perm("editorial.change_publication")):
            raise PermissionDenied
        publication = Publication.objects.current()
        if request.method == "POST":
            try:
                recipients.masthead_update_from_lists(publication=publication, user=request.user)
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
            else:
                messages.success(
                    request, "已按收件人名单更新报尾的报、送、发三栏；此后生成的 PDF 和 Word 文件使用新的报尾。"
                )
                return HttpResponseRedirect(reverse("admin:editorial_recipient_changelist"))
        generated = recipients.masthead_lines()
        rows = [
            (Publication._meta.get_field(field).verbose_name, getattr(publication, field), line)
            for field, line in generated.items()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "按名单生成报尾",
            "opts": self.model._meta,
            "rows": rows,
            "unchanged": all(current == line for _, current, line in rows),
        }
        return TemplateResponse(request, "admin/editorial/recipient/masthead.html", context)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["queued", "kind", "issue_link", "to", "state_display", "attempts", "sent", "reply"]
    list_filter = ["state", "kind"]
    search_fields = ["address", "name", "subject"]
    search_help_text = "输入收件地址、收件人或主题中的字词。"
    list_select_related = ["issue"]
    actions = ["resend_selected"]
    readonly_fields = [
        "subject",
        "kind",
        "issue",
        "recipient",
        "address",
        "name",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_reply",
        "message_id",
        "issue_version",
        "attachment",
        "queued_by",
        "created_at",
        "text",
    ]
    fields = readonly_fields

    @admin.display(description="排队时间", ordering="created_at")
    def queued(self, message):
        return format_short_time(message.created_at)

    @admin.display(description="期刊", ordering="issue__number")
    def issue_link(self, message):
        if message.issue is None:
            return "—"
        url = reverse("admin:editorial_outboxmessage_issue", args=[message.issue_id])
        return format_html('<a href="{}">{}</a>', url, message.issue.period_label)

    @admin.display(description="收件人", ordering="address")
    def to(self, message):
        return format_html("{}<br><span class='digest-muted'>{}</span>", message.name or "—", message.address)

    @admin.display(description="状态", ordering="state")
    def state_display(self, message):
        return state_badge(message)

    @admin.display(description="发送时间", ordering="sent_at")
    def sent(self, message):
        return format_short_time(message.sent_at)

    @admin.display(description="邮件服务器回复")
    def reply(self, message):
        return message.last_reply[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("editorial.resend_outboxmessage")

    @admin.action(description="重新发送所选邮件", permissions=["resend"])
    def resend_selected(self, request, queryset):
        done, refused = 0, []
        for message in queryset.select_related("issue"):
            try:
                outbox.resend(message=message, user=request.user)
                done += 1
            except ValidationError as refusal:
                refused.extend(refusal.messages)
        if done:
            self.message_user(request, f"已将 {done} 封邮件重新排入发送队列。", messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, reason, messages.WARNING)

    # --- the delivery log of one issue -------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        custom = [
            path("issue/<int:issue_id>/", wrap(self.issue_log_view), name="editorial_outboxmessage_issue"),
            path("issue/<int:issue_id>/test/", wrap(self.test_view), name="editorial_outboxmessage_test"),
            path(
                "issue/<int:issue_id>/resend-failed/",
                wrap(self.resend_failed_view),
                name="editorial_outboxmessage_resend_failed",
            ),
            path("<int:pk>/resend/", wrap(self.resend_view), name="editorial_outboxmessage_resend"),
        ]
        return custom + super().get_urls()

    def _issue(self, request, issue_id) -> Issue:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Issue.objects.select_related("publication"), pk=issue_id)

    def _log(self, issue: Issue):
        return HttpResponseRedirect(reverse("admin:editorial_outboxmessage_issue", args=[issue.pk]))

    def issue_log_view(self, request, issue_id):
        issue = self._issue(request, issue_id)
        log = outbox.delivery_log(issue=issue)
        shown_state = request.GET.get("state", "")
        if shown_state in State.values:
            log = log.filter(state=shown_state)
        summary = outbox.delivery_summary(issue=issue)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{issue.period_label} · 报送记录",
            "opts": self.model._meta,
            "issue": issue,
            "log": list(log),
            "summary": [(state, label, summary[state]) for state, label in State.choices],
            "total": sum(summary.values()),
            "shown_state": shown_state,
            "may_resend": self.has_resend_permission(request),
            "active_recipients": Recipient.objects.active().count(),
            "user_email": request.user.email,
            "issue_change_url": reverse("admin:editorial_issue_change", args=[issue.pk]),
        }
        return TemplateResponse(request, "admin/editorial/outboxmessage/issue_log.html", context)

    @method_decorator(require_POST)
    def test_view(self, request, issue_id):
        issue = self._issue(request, issue_id)
        if not self.has_resend_permission(request):
            raise PermissionDenied
        try:
            message = outbox.queue_test(issue=issue, user=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(
                request,
                f"测试邮件已排入发送队列，将发到 {message.address}（通常一分钟内送达）。测试邮件的主题带有“【测试】”。",
            )
        return self._log(issue)

    @method_decorator(require_POST)
    def resend_failed_view(self, request, issue_id):
        issue = self._issue(request, issue_id)
        if not self.has_resend_permission(request):
            raise PermissionDenied
        try:
            count = outbox.resend_failed(issue=issue, user=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(
                request, f"已将 {count} 封发送失败的邮件重新排入发送队列。" if count else "没有发送失败的邮件。"
            )
        return self._log(issue)

    @method_decorator(require_POST)
    def resend_view(self, request, pk):
        if not (self.has_view_permission(request) and self.has_resend_permission(request)):
            raise PermissionDenied
        message = get_object_or_404(OutboxMessage.objects.select_related("issue"), pk=pk)
        try:
            outbox.resend(message=message, user=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, f"发给 {message.address} 的邮件已重新排入发送队列。")
        if message.issue_id is None:
            return HttpResponseRedirect(reverse("admin:editorial_outboxmessage_changelist"))
        return self._log(message.issue)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """我的通知: each member of the staff sees their own notifications, and turns notification mail on or off."""

    list_display = ["when", "kind", "text_display", "issue_link", "read"]
    list_filter = ["kind"]
    list_display_links = None
    change_list_template = "admin/editorial/notification/change_list.html"

    @admin.display(description="时间", ordering="created_at")
    def when(self, note):
        return format_short_time(note.created_at)

    @admin.display(description="内容")
    def text_display(self, note):
        if note.is_read:
            return note.text
        return format_html("<strong>{}</strong>", note.text)

    @admin.display(description="期刊")
    def issue_link(self, note):
        if note.issue_id is None:
            return "—"
        url = reverse("admin:editorial_notification_open", args=[note.pk])
        return format_html('<a href="{}">打开{}</a>', url, note.issue.period_label)

    @admin.display(description="已读", boolean=True)
    def read(self, note):
        return note.is_read

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user).select_related("issue")

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request) and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        context = {
            "mail_enabled": notifications.mail_enabled(request.user),
            "user_email": request.user.email,
            "unread": notifications.unread_for(request.user).count(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        custom = [
            path("read-all/", wrap(self.read_all_view), name="editorial_notification_read_all"),
            path("mail/", wrap(self.mail_view), name="editorial_notification_mail"),
            path("<int:pk>/open/", wrap(self.open_view), name="editorial_notification_open"),
        ]
        return custom + super().get_urls()

    def _back(self):
        return HttpResponseRedirect(reverse("admin:editorial_notification_changelist"))

    @method_decorator(require_POST)
    def read_all_view(self, request):
        if not self._staff(request):
            raise PermissionDenied
        count = notifications.mark_read(user=request.user)
        messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读的通知。")
        return self._back()

    @method_decorator(require_POST)
    def mail_view(self, request):
        if not self._staff(request):
            raise PermissionDenied
        enabled = request.POST.get("email") == "on"
        notifications.set_mail_enabled(user=request.user, enabled=enabled)
        if enabled:
            messages.success(
                request, "已开启邮件通知。" if request.user.email else "已开启邮件通知，但您的账号还没有登记邮箱。"
            )
        else:
            messages.success(request, "已关闭邮件通知：今后只在这里提醒，不再发邮件。")
        return self._back()

    def open_view(self, request, pk):
        """Mark the notification read and go to its issue."""
        note = Notification.objects.filter(pk=pk, user=request.user).first()
        if note is None or not self._staff(request):
            raise Http404("没有这条通知。")
        notifications.mark_read(user=request.user, pk=note.pk)
        if note.issue_id is None:
            return self._back()
        return HttpResponseRedirect(reverse("admin:editorial_issue_change", args=[note.issue_id]))
