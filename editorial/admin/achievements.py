"""The admin of leaders' instructions (领导批示) and adoptions (被采用), the leader levels, and the scan viewer.

Editors and reviewers record them (from an article's page, the compose board or these lists),
filter them by date, level, section and region, and export the list as a spreadsheet;
administrators maintain the levels. Writes go through `editorial.achievements`.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .. import achievements, scans
from ..models import Adoption, Article, Instruction, LeaderLevel, Section
from ..printing import content_disposition
from ..resources import AdoptionResource, InstructionResource
from ..statistics import RegionTree, placement_label
from .forms import ColumnNameExportForm

RECORD_EXPORT_FORMATS = [XLSX, CSV]


# ---------------------------------------------------------------------------------------------
# Filters


class ArticleSectionFilter(admin.SimpleListFilter):
    """栏目: the section of the article the record is about."""

    title = "栏目"
    parameter_name = "section"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Section.objects.order_by("position", "pk").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(article__section_id=int(value)) if value and value.isdigit() else queryset


class ArticleRegionFilter(admin.SimpleListFilter):
    """来源地区: a province or city includes the places under it (上海 includes 浦东新区), as in the statistics."""

    title = "来源地区"
    parameter_name = "region"

    def _tree(self, request) -> RegionTree:
        if not hasattr(request, "_record_region_tree"):
            request._record_region_tree = RegionTree.load()
        return request._record_region_tree

    def lookups(self, request, model_admin):
        tree = self._tree(request)
        choices = []
        for province in tree.provinces:
            choices.append((str(province.pk), province.name))
            for pk in tree.order:
                place = tree.places[pk]
                if place.pk != province.pk and tree.province_of(pk) == province.pk:
                    choices.append((str(pk), f"{province.name} · {place.name}"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        tree = self._tree(request)
        chosen = int(value)
        below = [pk for pk in tree.order if any(place.pk == chosen for place in tree.lineage(pk))]
        links = Article.regions.through.objects.filter(sourceregion_id__in=below)
        return queryset.filter(article_id__in=links.values("article_id"))


# ---------------------------------------------------------------------------------------------
# Shared by both record lists


class RecordAdminMixin(ExportMixin):
    """Writes through `achievements`, back to where the editor came from (`?next=`), export to a sheet."""

    formats = RECORD_EXPORT_FORMATS
    export_form_class = ColumnNameExportForm
    autocomplete_fields = ["article"]
    date_hierarchy = "date"
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    change_form_template = "admin/editorial/records/change_form.html"

    @admin.display(description="稿件", ordering="article__title")
    def article_link(self, record):
        article = record.article
        issue = article.issue
        where = placement_label(
            number=issue.number if issue else None,
            date=issue.date if issue else None,
            status=issue.status if issue else None,
        )
        return format_html(
            '<a href="{}">{}</a><br><span class="digest-muted">{}</span>',
            reverse("admin:editorial_article_change", args=[article.pk]),
            article.title,
            where,
        )

    @admin.display(description="栏目", ordering="article__section__position")
    def section_name(self, record):
        return record.article.section or "—"

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("article__regions")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("next", None)
        return initial

    def _next(self, request) -> str:
        target = request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return ""

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._back(request, response)

    def response_change(self, request, obj):
        return self._back(request, super().response_change(request, obj))

    def response_delete(self, request, obj_display, obj_id):
        return self._back(request, super().response_delete(request, obj_display, obj_id))

    def _back(self, request, response):
        keep_editing = any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew"))
        target = self._next(request)
        if target and not keep_editing and response.status_code == 302:
            return HttpResponseRedirect(target)
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = {"next": self._next(request), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context=context)


# ---------------------------------------------------------------------------------------------
# 领导批示


class InstructionForm(forms.ModelForm):
    """An instruction, with its scan uploaded (checked by content and size) or removed."""

    scan_upload = forms.FileField(
        label="批示件扫描",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    remove_scan = forms.BooleanField(label="删除已上传的扫描件", required=False)

    class Meta:
        model = Instruction
        fields = ["article", "leader", "leader_title", "level", "date", "gist"]
        widgets = {"gist": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan_upload"].help_text = (
            f"PDF 文件或 JPG、PNG 图片，最多 {scans.max_bytes() // (1024 * 1024)} MB；按文件内容检查格式。"
            "只有编辑部人员可以查看，读者看不到。"
        )

    def clean_scan_upload(self):
        upload = self.cleaned_data.get("scan_upload")
        if upload:
            scans.check_scan(upload)
        return upload or None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scan_upload") and cleaned.get("remove_scan"):
            self.add_error("remove_scan", "要换成新上传的扫描件，无需勾选删除。")
        return cleaned


@admin.register(Instruction)
class InstructionAdmin(RecordAdminMixin, admin.ModelAdmin):
    resource_classes = [InstructionResource]
    form = InstructionForm
    list_display = ["date", "leader_display", "level", "article_link", "section_name", "scan_link"]
    list_display_links = ["date", "leader_display"]
    list_filter = ["level", ("date", admin.DateFieldListFilter), ArticleSectionFilter, ArticleRegionFilter]
    list_select_related = ["level", "article__issue", "article__section"]
    search_fields = ["leader", "leader_title", "gist", "article__title"]
    search_help_text = "在领导姓名、职务、批示要点和稿件标题中查找。"
    fieldsets = [
        (None, {"fields": ["article"]}),
        ("批示", {"fields": ["leader", "leader_title", "level", "date", "gist"]}),
        ("批示件", {"fields": ["current_scan", "scan_upload", "remove_scan"]}),
    ]
    readonly_fields = ["current_scan"]

    @admin.display(description="批示领导", ordering="leader")
    def leader_display(self, instruction):
        if instruction.leader_title:
            return format_html(
                '{}<br><span class="digest-muted">{}</span>', instruction.leader, instruction.leader_title
            )
        return instruction.leader

    @admin.display(description="扫描件")
    def scan_link(self, instruction):
        if not instruction.scan:
            return "—"
        kind = scans.KINDS.get(instruction.scan_type)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看（{}）</a>',
            reverse("admin:editorial_instruction_scan", args=[instruction.pk]),
            kind.label if kind else "文件",
        )

    @admin.display(description="已上传的扫描件")
    def current_scan(self, instruction):
        if instruction is None or not instruction.pk or not instruction.scan:
            return "（尚未上传）"
        return self.scan_link(instruction)

    def get_fieldsets(self, request, obj=None):
        """The scan's fields as far as they apply: no current scan on the add page, no upload when read-only."""
        if obj is not None and not self.has_change_permission(request, obj):
            dropped = {"scan_upload", "remove_scan"}
        elif obj is None or not obj.scan:
            dropped = {"current_scan", "remove_scan"}
        else:
            dropped = set()
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field not in dropped]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def save_model(self, request, obj, form, change):
        achievements.instruction_save(
            instruction=obj,
            user=request.user,
            scan=form.cleaned_data.get("scan_upload"),
            remove_scan=bool(form.cleaned_data.get("remove_scan")),
        )

    def delete_model(self, request, obj):
        achievements.instruction_delete(instruction=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for instruction in queryset:
            achievements.instruction_delete(instruction=instruction, user=request.user)

    def get_urls(self):
        custom = [
            path(
                "<path:object_id>/scan/",
                self.admin_site.admin_view(self.scan_view),
                name="editorial_instruction_scan",
            )
        ]
        return custom + super().get_urls()

    def scan_view(self, request, object_id):
        """The scan, for staff who may see instructions; never cached, never public."""
        instruction = self.get_object(request, unquote(object_id))
        if instruction is None:
            raise Http404("没有这条批示。")
        if not self.has_view_permission(request, instruction):
            raise PermissionDenied
        kind = scans.KINDS.get(instruction.scan_type)
        if not instruction.scan or kind is None:
            raise Http404("这条批示没有上传扫描件。")
        try:
            handle = default_storage.open(instruction.scan.name, "rb")
        except FileNotFoundError as missing:
            raise Http404("扫描件文件已不在存储中，请重新上传。") from missing
        response = FileResponse(handle, content_type=kind.content_type)
        response["Content-Disposition"] = content_disposition(
            filename=f"批示件-{instruction.leader}-{instruction.date:%Y%m%d}.{kind.extension}",
            ascii_fallback=f"instruction-{instruction.pk}.{kind.extension}",
            inline=True,
        )
        response["Cache-Control"] = "private, no-store"
        return response


# ---------------------------------------------------------------------------------------------
# 被采用


class SuggestingTextInput(forms.TextInput):
    """A text box offering earlier values in the browser's own list (a <datalist>, no script)."""

    def __init__(self, *, suggestions=(), attrs=None):
        super().__init__(attrs)
        self.suggestions = suggestions

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-suggestions"
        box = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((value,) for value in self.suggestions))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class AdoptionForm(forms.ModelForm):
    class Meta:
        model = Adoption
        fields = ["article", "adopted_by", "date", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "adopted_by" in self.fields:
            earlier = (
                Adoption.objects.values("adopted_by")
                .annotate(uses=Count("pk"))
                .order_by("-uses", "adopted_by")
                .values_list("adopted_by", flat=True)[:30]
            )
            self.fields["adopted_by"].widget = SuggestingTextInput(
                suggestions=earlier, attrs={"class": "vTextField", "maxlength": 100}
            )


@admin.register(Adoption)
class AdoptionAdmin(RecordAdminMixin, admin.ModelAdmin):
    resource_classes = [AdoptionResource]
    form = AdoptionForm
    list_display = ["date", "adopted_by", "article_link", "section_name", "note_excerpt"]
    list_display_links = ["date", "adopted_by"]
    list_filter = [("date", admin.DateFieldListFilter), ArticleSectionFilter, ArticleRegionFilter]
    list_select_related = ["article__issue", "article__section"]
    search_fields = ["adopted_by", "note", "article__title"]
    search_help_text = "在采用单位、说明和稿件标题中查找。"

    @admin.display(description="说明")
    def note_excerpt(self, adoption):
        return adoption.note[:40] + ("…" if len(adoption.note) > 40 else "") or "—"

    def save_model(self, request, obj, form, change):
        achievements.adoption_save(adoption=obj, user=request.user)

    def delete_model(self, request, obj):
        achievements.adoption_delete(adoption=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for adoption in queryset:
            achievements.adoption_delete(adoption=adoption, user=request.user)


# ---------------------------------------------------------------------------------------------
# 领导级别


@admin.register(LeaderLevel)
class LeaderLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "instruction_count"]
    list_editable = ["position"]
    search_fields = ["name"]

    @admin.display(description="批示数", ordering="instruction_total")
    def instruction_count(self, level):
        return level.instruction_total

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(instruction_total=Count("instructions"))
