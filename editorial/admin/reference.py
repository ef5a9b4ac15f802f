from django.contrib import admin

from ..formatting import yes_no
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


class BooleansInWordsMixin:
    """Yes/no fields read 是/否 where a user may only look: Django's icons carry the alt text “True”/“False”."""

    boolean_displays: dict[str, str] = {}

    def _in_words(self, request, obj, names):
        if self.has_change_permission(request, obj):
            return names
        return [self.boolean_displays.get(name, name) for name in names]

    def get_list_display(self, request):
        return self._in_words(request, None, super().get_list_display(request))

    def get_fields(self, request, obj=None):
        return self._in_words(request, obj, super().get_fields(request, obj))


@admin.register(Section)
class SectionAdmin(BooleansInWordsMixin, SpreadsheetImportMixin, admin.ModelAdmin):
    resource_classes = [SectionResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    list_display = ["name", "slug", "position", "is_standing"]
    list_editable = ["position", "is_standing"]
    list_filter = ["is_standing"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {}
    boolean_displays = {"is_standing": "standing"}

    @admin.display(description="常设栏目", ordering="is_standing")
    def standing(self, section):
        return yes_no(section.is_standing)


@admin.register(SourceRegion)
class SourceRegionAdmin(BooleansInWordsMixin, SpreadsheetImportMixin, admin.ModelAdmin):
    resource_classes = [SourceRegionResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    list_display = ["name", "kind", "parent", "aliases", "delta"]
    list_filter = ["kind", "in_yangtze_delta"]
    search_fields = ["name", "aliases", "slug"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    empty_value_display = "—"
    boolean_displays = {"in_yangtze_delta": "delta"}

    @admin.display(description="属于长三角", ordering="in_yangtze_delta")
    def delta(self, region):
        return yes_no(region.in_yangtze_delta)
