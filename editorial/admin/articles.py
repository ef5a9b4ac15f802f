"""The article admin: writing and correcting articles, moving them, region suggestions, history and the 回收站."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from .. import autosave, newsroom, services, workflow
from ..formatting import actor_name
from ..importers.regions import suggest_regions
from ..models import Article, Issue, SourceRegion
from ..resources import SPREADSHEET_FORMATS, ArticleResource
from ..search import QueryError, matching, parse_query
from .changelists import ArticlePaginator, LargeListMixin
from .contributions import WordUploadView
from .filters import IssueYearFilter, PlacementFilter, RegionFilter, SectionFilter
from .forms import OVERWRITE, ArticleAdminForm, ColumnNameExportForm, MoveForm, PoolCopyForm
from .history import VersionHistoryMixin
from .issues import last_change, status_badge, user_bound_form, without_form_only_fields
from .proofreading import ArticleProofreadingMixin
from .spreadsheets import SpreadsheetImportMixin

SUGGESTION_TEXT_LIMIT = 2000
# The form field naming the autosaved draft a save resolves (filled by autosave.js).
AUTOSAVE_KEY = "_autosave_key"


@admin.register(Article)
class ArticleAdmin(
    LargeListMixin, ArticleProofreadingMixin, SpreadsheetImportMixin, VersionHistoryMixin, admin.ModelAdmin
):
    resource_classes = [ArticleResource]
    formats = SPREADSHEET_FORMATS
    export_form_class = ColumnNameExportForm
    form = ArticleAdminForm
    list_display = ["title", "placement", "section", "region_names", "last_change"]
    list_filter = [PlacementFilter, ("section", SectionFilter), RegionFilter, IssueYearFilter]
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
    delete_confirmation_template = "admin/editorial/article/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/editorial/article/delete_selected_confirmation.html"

    @admin.display(description="所在期刊", ordering="issue__number")
    def placement(self, article):
        if article.issue is None:
            return format_html('<span class="digest-status digest-status--pool">{}</span>', "稿件库")
        returned = newsroom.returned_reason(
            article.issue,
            last_action=getattr(article, "last_action", ""),
            last_comment=getattr(article, "last_comment", ""),
        )
        return format_html(
            "{} {}", article.issue.period_label, status_badge(article.issue, with_schedule=False, returned=returned)
        )

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
        articles = super().get_queryset(request).prefetch_related("regions")
        return newsroom.with_last_step(articles, issue_field="issue_id")

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
        if getattr(request, "refused_save", None):
            # The form comes back with what was typed; its clean() refuses the save (and so would the service).
            return allowed
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
        self.proofreading_after_save(request, obj, change)
        for key in {request.POST.get(AUTOSAVE_KEY, ""), autosave.article_key(obj) if change else ""}:
            autosave.draft_discard(user=request.user, key=key)
            autosave.remember_saved(request, key)

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
        posted = request.method == "POST"
        if posted and object_id and obj is None and self.has_add_permission(request):
            # Deleted in another tab meanwhile: what was typed is offered as a new article.
            gone = "这篇稿件已被删除（可以在稿件回收站中恢复），您的修改没有保存。"
            return self.pool_copy_page(request, PoolCopyForm(request.POST), reason=gone, status=409)
        refusal = None
        if obj is not None:
            refusal = workflow.edit_denied_reason(user=request.user, issue=obj.issue)
            context.update(
                article=obj,
                issue=obj.issue,
                issue_badge=status_badge(obj.issue) if obj.issue else "",
                edit_refusal=refusal,
                can_move=self.has_change_permission(request, obj),
                last_editor=actor_name(obj.updated_by) if obj.updated_by else "—",
            )
        context.update(
            suggest_url=reverse("admin:editorial_article_suggest_regions"),
            pool_copy_url=reverse("admin:editorial_article_save_as_new"),
            back_to=self.back_to(request),
            overwrite_field=OVERWRITE,
            autosave=self.autosave_config(request, obj),
        )
        context.update(self.proofreading_context(request, obj))
        if posted and refusal and super().has_change_permission(request, obj):
            # The issue moved on (submitted, signed off, published) since this form was opened.
            request.refused_save = refusal
            context.update(
                refused_save=refusal, show_save=False, show_save_and_continue=False, show_save_and_add_another=False
            )
            response = super().changeform_view(request, object_id, form_url, extra_context=context)
            response.status_code = 403
            return response
        return super().changeform_view(request, object_id, form_url, extra_context=context)

    def autosave_config(self, request, obj) -> dict:
        """What the form's autosave script needs: its key, where to send copies, and the copies to offer back."""
        key = autosave.article_key(obj) if obj is not None else ""
        # The workbench links a new-article draft to the add form with ?draft=<key>: offer that one.
        wanted = request.GET.get("draft", "")
        offered_key = key or (wanted if wanted.startswith("new-") and autosave.KEY.fullmatch(wanted) else None)
        may_write = self.has_add_permission(request) or super().has_change_permission(request)
        return {
            "key": key,
            "user": request.user.pk,
            "timeZone": settings.TIME_ZONE,
            "version": obj.version if obj is not None else None,
            "readOnly": obj is not None and not self.has_change_permission(request, obj),
            "pending": request.method == "POST",
            "saved": autosave.saved_forms(request),
            "now": autosave.now_ms(),
            "saveUrl": reverse("admin:editorial_article_autosave"),
            "discardUrl": reverse("admin:editorial_article_autosave_discard"),
            "poolCopyUrl": reverse("admin:editorial_article_save_as_new") if self.has_add_permission(request) else "",
            "drafts": [
                autosave.as_offer(draft) for draft in autosave.drafts_to_offer(user=request.user, key=offered_key)
            ]
            if may_write
            else [],
        }

    @method_decorator(require_POST)
    def autosave_view(self, request):
        """Keep the form's unsaved title and body for this user (the script calls it every few seconds)."""
        if not (self.has_add_permission(request) or super().has_change_permission(request)):
            raise PermissionDenied
        raw_version = request.POST.get("base_version", "")
        try:
            draft = autosave.draft_save(
                user=request.user,
                key=request.POST.get("key", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                base_version=int(raw_version) if raw_version.isdigit() else None,
            )
        except ValidationError as refusal:
            return JsonResponse({"error": " ".join(refusal.messages)}, status=400)
        return JsonResponse({"savedAt": autosave.as_offer(draft)["savedAt"]})

    @method_decorator(require_POST)
    def autosave_discard_view(self, request):
        """Forget a draft the editor chose not to recover."""
        autosave.draft_discard(user=request.user, key=request.POST.get("key", ""))
        return JsonResponse({"discarded": True})

    def back_to(self, request) -> str:
        """Where a plain 保存 returns to: the compose board the article was opened from, when given and on this site."""
        back = request.POST.get("_next") or request.GET.get("next") or ""
        return back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else ""

    def response_post_save_change(self, request, obj):
        back = self.back_to(request)
        return HttpResponseRedirect(back) if back else super().response_post_save_change(request, obj)

    def response_post_save_add(self, request, obj):
        back = self.back_to(request)
        return HttpResponseRedirect(back) if back else super().response_post_save_add(request, obj)

    def response_change(self, request, obj):
        return self._keeping_way_back(request, super().response_change(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        return self._keeping_way_back(request, super().response_add(request, obj, post_url_continue))

    def _keeping_way_back(self, request, response):
        """保存并继续编辑 stays on the form; the form it reopens still knows the board to return to."""
        back = self.back_to(request)
        if back and "_continue" in request.POST and isinstance(response, HttpResponseRedirect):
            url = response["Location"]
            response["Location"] = f"{url}{'&' if '?' in url else '?'}{urlencode({'next': back})}"
        return response

    def pool_copy_page(self, request, form, *, reason: str = "", status: int = 200):
        posted_key = request.POST.get(AUTOSAVE_KEY, "")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "另存为新稿件",
            "form": form,
            "reason": reason,
            "regions": _posted_regions(form),
            # The text on this page is still unsaved: keep autosaving it under the form's key.
            "autosave": {
                **self.autosave_config(request, None),
                "key": posted_key if autosave.KEY.fullmatch(posted_key) else "",
                "pending": True,
                "drafts": [],
            },
        }
        return TemplateResponse(request, "admin/editorial/article/save_as_new.html", context, status=status)

    @method_decorator(require_POST)
    def save_as_new_view(self, request):
        """另存为新稿件（放入稿件库）: the text of a form that can no longer be saved becomes a new pool article."""
        if not self.has_add_permission(request):
            raise PermissionDenied("您没有新建稿件的权限。")
        form = PoolCopyForm(request.POST)
        if form.is_valid():
            article = form.save(commit=False)
            article.issue = None
            try:
                services.article_save(article=article, user=request.user, regions=form.cleaned_data["regions"])
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                autosave.draft_discard(user=request.user, key=request.POST.get(AUTOSAVE_KEY, ""))
                autosave.remember_saved(request, request.POST.get(AUTOSAVE_KEY, ""))
                messages.success(request, f"已另存为新稿件《{article.title}》，放在稿件库中；原来那篇稿件没有改动。")
                return HttpResponseRedirect(reverse("admin:editorial_article_change", args=[article.pk]))
        return self.pool_copy_page(request, form, status=400)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        custom = [
            path("suggest-regions/", wrap(self.suggest_regions_view), name="editorial_article_suggest_regions"),
            path("save-as-new/", wrap(self.save_as_new_view), name="editorial_article_save_as_new"),
            path(
                "upload-word/",
                wrap(WordUploadView.as_view(model_admin=self)),
                name="editorial_article_upload_docx",
            ),
            path("autosave/", wrap(self.autosave_view), name="editorial_article_autosave"),
            path("autosave/discard/", wrap(self.autosave_discard_view), name="editorial_article_autosave_discard"),
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


def _posted_regions(form) -> list[SourceRegion]:
    """The regions an unsaved form named, to carry them on (ids that name no region are dropped)."""
    ids = [pk for pk in form.data.getlist("regions") if pk.isdigit()]
    return list(SourceRegion.objects.filter(pk__in=ids))
