from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Article, Issue, IssueSection, IssueTransition, Publication, Section, SourceRegion


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "office", "short_name"]
    fieldsets = [
        (None, {"fields": ["title", "office", "short_name"]}),
        ("报尾", {"fields": ["report_to", "send_to", "distribute_to", "print_copies"], "classes": ["collapse"]}),
    ]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_standing"]
    list_editable = ["position", "is_standing"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {}


@admin.register(SourceRegion)
class SourceRegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "aliases", "in_yangtze_delta"]
    list_filter = ["kind", "in_yangtze_delta"]
    search_fields = ["name", "aliases", "slug"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


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


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issue", "section", "position", "page"]
    list_filter = ["section", "issue__status", "regions"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["regions"]
    list_select_related = ["issue", "section"]
