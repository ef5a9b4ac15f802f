from django.contrib import admin
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from ..models import Issue, IssueSection, IssueTransition
from .legacy_import import LegacyImportView


class IssueSectionInline(admin.TabularInline):
    model = IssueSection
    extra = 0


class IssueTransitionInline(admin.TabularInline):
    model = IssueTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "user", "from_status", "to_status", "action", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(SimpleHistoryAdmin):
    list_display = ["period_label", "date", "status", "published_at"]
    list_filter = ["status", "publication"]
    search_fields = ["number"]
    date_hierarchy = "date"
    inlines = [IssueSectionInline, IssueTransitionInline]

    @admin.display(description="期号", ordering="number")
    def period_label(self, issue):
        return issue.period_label

    def get_urls(self):
        custom = [
            path(
                "import-legacy/",
                self.admin_site.admin_view(LegacyImportView.as_view(model_admin=self)),
                name="editorial_issue_import_legacy",
            ),
        ]
        return custom + super().get_urls()
