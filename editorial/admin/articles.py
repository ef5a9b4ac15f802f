"""The article admin: writing and correcting articles, moving them, region suggestions, history and the 回收站."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from .. import services, workflow
from ..activity import actor_name
from ..importers.regions import suggest_regions
from ..models import Article, Issue
from ..resources import SPREADSHEET_FORMATS, ArticleResource
from ..search import QueryError, matching, parse_query
from .changelists import ArticlePaginator, LargeListMixin
from .filters import IssueYearFilter, PlacementFilter, RegionFilter
from .forms import ArticleAdminForm, ColumnNameExportForm, MoveForm
from .history import VersionHistoryMixin
from .issues import last_change, status_badge, user_bound_form, without_form_only_fields
from .spreadsheets import SpreadsheetImportMixin

SUGGESTION_TEXT_LIMIT = 2000


@admin.register(Article)
class ArticleAdmin(LargeListMixin, SpreadsheetImportMixin, VersionHistoryMixin, admin.ModelAdmin):
    resource_classes = [ArticleResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    form = ArticleAdminForm
    list_display = ["title", "placement", "section", "region_names", "last_change"]
    list_filter = [PlacementFilter, "section", RegionFilter, IssueYearFilter]
    search_fields = ["title", "body"]
    search_help_text = "在标题和正文中查找。"
    # Articles not yet in an issue first, then by issue, newest first, in reading order (ArticlePaginator).
    ordering = [F("issue__date").desc(nulls_first=True), F("issue__number").desc(nulls_first=True), "position", "pk"]
    autocomplete_fields = ["regions"]
    list_select_related = ["issue", "section", "updated_by"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "body"]}),
        ("编排", {"fields": ["issue", "section"]}),
        ("来源", {"fields": ["regions", "source"]}),
        ("旧版信息", {"fields": ["page"], "classes": ["collapse"]}),
        (None, {"fields": ["opened_version", "correction_note"]}),
    ]
    change_form_template = "admin/editorial/article/change_form.html"
    change_list_template = "admin/editorial/article/change_list.html"

    @admin.display(description="所在期刊", ordering="issue__number")
    def placement(self, article):
        if article.issue is None:
            return format_html('<span class="digest-status digest-status--pool">{}</span>', "稿件库")
        return format_html("{} {}", article.issue.period_label, status_badge(article.issue, with_schedule=False))

    @admin.display(description="来源地区")
    def region_names(self, article):
        return format_html_join("、", "{}", ((region.name,) for region in article.regions.all())) or "—"

    @admin.display(description="最后修改", ordering="updated_at")
    def last_change(self, article):
        return last_change(article)

    def view_on_site(self, article):
        """Readers' page of the article, offered only once readers can see it."""
        if article.issue is not None and article.issue.is_published:
            return article.get_absolute_url()
        return None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("issue", "section") and formfield is not None:
            # Issues and sections are chosen here, not created or edited from an article's page.
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
        return formfield

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    def get_search_results(self, request, queryset, search_term):
        """Every term in the title or body, compared as the public search compares them (editorial.search).

        The stored normalised text instead of the default case-insensitive LIKE over title and body:
        a third of the time on 11,000 articles, paid again for every facet the list counts.
        """
        try:
            terms = parse_query(search_term)
        except QueryError as refusal:
            messages.warning(request, str(refusal))
            return queryset.none(), False
        return matching(queryset, terms=terms), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            terms = parse_query(request.GET.get(SEARCH_VAR, ""))
        except QueryError:
            terms = ()
        return ArticlePaginator(
            queryset, per_page, orphans, allow_empty_first_page, terms=terms, default_order=ORDER_VAR not in request.GET
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return super().get_fieldsets(request, obj)
        # Read-only: the form-only fields (version, correction note) have nothing to show.
        return without_form_only_fields(super().get_fieldsets(request, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        return user_bound_form(super().get_form(request, obj, change=change, **kwargs), request.user)

    # --- permissions: one rule, in workflow.py ------------------------------------------------

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.may_edit(user=request.user, issue=obj.issue))

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or obj.issue is None:
            return True
        return obj.issue.status != Issue.Status.PUBLISHED and workflow.may_edit(user=request.user, issue=obj.issue)

    # --- writes go through services -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.article_save(
            article=obj,
            user=request.user,
            regions=form.cleaned_data.get("regions"),
            expected_version=form.cleaned_data.get("opened_version") if change else None,
            correction_note=form.cleaned_data.get("correction_note", ""),
        )

    def save_related(self, request, form, formsets, change):
        # article_save has saved the regions with the article, as one version.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.article_delete(article=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # All or nothing: one article the user may not delete refuses the whole selection.
        for article in queryset:
            services.article_delete(article=article, user=request.user)

    # --- the history mixin's hooks ------------------------------------------------------------

    def restore_version(self, request, obj, history_id, note):
        services.article_restore_version(article=obj, history_id=history_id, user=request.user, correction_note=note)

    def restore_needs_note(self, obj):
        return obj.issue is not None and obj.issue.status == Issue.Status.PUBLISHED

    def recover(self, request, pk):
        return services.article_recover(article_id=pk, user=request.user)

    def describe_deleted(self, record):
        return record.title

    # --- pages --------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            context.update(
                article=obj,
                issue=obj.issue,
                issue_badge=status_badge(obj.issue) if obj.issue else "",
                edit_refusal=workflow.edit_denied_reason(user=request.user, issue=obj.issue),
                can_move=self.has_change_permission(request, obj),
                last_editor=actor_name(obj.updated_by) if obj.updated_by else "—",
            )
        context["suggest_url"] = reverse("admin:editorial_article_suggest_regions")
        return super().changeform_view(request, object_id, form_url, extra_context=context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        custom = [
            path("suggest-regions/", wrap(self.suggest_regions_view), name="editorial_article_suggest_regions"),
            path("<path:object_id>/move/", wrap(self.move_view), name="editorial_article_move"),
        ]
        return custom + super().get_urls()

    def suggest_regions_view(self, request):
        """The regions the importer's detector finds in a title and opening text, for the edit form."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        title = request.GET.get("title", "")[:SUGGESTION_TEXT_LIMIT]
        body = request.GET.get("body", "")[:SUGGESTION_TEXT_LIMIT]
        regions = suggest_regions(title=title, body=body) if (title.strip() or body.strip()) else []
        return JsonResponse(
            {
                "regions": [
                    {"id": region.pk, "name": region.name, "label": str(region.parent) + " · " + region.name}
                    if region.parent_id
                    else {"id": region.pk, "name": region.name, "label": region.name}
                    for region in regions
                ]
            }
        )

    def move_view(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("没有这篇稿件。")
        if not self.has_change_permission(request, article):
            raise PermissionDenied(workflow.edit_denied_reason(user=request.user, issue=article.issue) or "")
        back = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        form = MoveForm(request.POST or None, user=request.user, article=article)
        if request.method == "POST" and form.is_valid():
            target = form.cleaned_data["issue"]
            try:
                services.article_move(
                    article=article,
                    user=request.user,
                    issue=target,
                    section=form.cleaned_data["section"],
                    correction_note=form.cleaned_data["correction_note"],
                )
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                where = f"{target.period_label}的“{form.cleaned_data['section']}”栏目末尾" if target else "稿件库"
                messages.success(request, f"《{article.title}》已移到{where}。")
                return HttpResponseRedirect(back or reverse("admin:editorial_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"移动稿件《{article.title}》",
            "article": article,
            "form": form,
            "next": back,
            "needs_note": article.issue is not None and article.issue.status == Issue.Status.PUBLISHED,
        }
        return TemplateResponse(request, "admin/editorial/article/move.html", context)
