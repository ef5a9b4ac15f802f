from django.contrib import admin

from ..models import Publication, Section, SourceRegion
from ..resources import SPREADSHEET_FORMATS, SectionResource, SourceRegionResource
from .forms import ColumnNameExportForm
from .spreadsheets import SpreadsheetImportMixin


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "office", "short_name"]
    search_fields = ["title", "office", "short_name"]
    fieldsets = [
        (None, {"fields": ["title", "office", "short_name"]}),
        ("报尾", {"fields": ["report_to", "send_to", "distribute_to", "print_copies"], "classes": ["collapse"]}),
    ]


@admin.register(Section)
class SectionAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    resource_classes = [SectionResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    list_display = ["name", "slug", "position", "is_standing"]
    list_editable = ["position", "is_standing"]
    list_filter = ["is_standing"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {}


@admin.register(SourceRegion)
class SourceRegionAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    resource_classes = [SourceRegionResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    list_display = ["name", "kind", "parent", "aliases", "in_yangtze_delta"]
    list_filter = ["kind", "in_yangtze_delta"]
    search_fields = ["name", "aliases", "slug"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
