from django.contrib import admin
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from ..models import Article
from ..resources import ArticleResource


@admin.register(Article)
class ArticleAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ArticleResource]
    list_display = ["title", "issue", "section", "position", "page"]
    list_filter = ["section", "issue__status", "regions"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["regions"]
    list_select_related = ["issue", "section"]
