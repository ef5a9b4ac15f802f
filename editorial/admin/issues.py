"""The issue admin: the list, 新建下一期, the compose board, the workflow buttons, history and the 回收站."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .. import achievements, newsroom, renditions, services, workflow
from ..formatting import actor_name, format_short_time
from ..models import Article, Issue, IssueSection, IssueTransition, Section
from ..selectors import issue_table_of_contents
from ..templatetags.newsroom import returned_note, status_badge
from .changelists import LargeListMixin
from .filters import YearFilter
from .forms import ArrangeForm, IssueAdminForm, PlaceForm, SectionAddForm, TransitionForm
from .history import VersionHistoryMixin
from .legacy_import import LegacyImportView
from .proofreading import IssueProofreadingMixin

POOL_SHOWN = 30


@dataclass(frozen=True)
class BoardSection:
    """A section on the compose board, with its articles in reading order (possibly none)."""

    section: Section
    articles: list[Article]


def last_change(obj) -> str:
    """When an issue or article last changed, and by whom (imported rows have no author)."""
    when = format_short_time(obj.updated_at)
    if obj.updated_by is None:
        return when
    return format_html('{}<br><span class="digest-muted">{}</span>', when, actor_name(obj.updated_by))


def user_bound_form(form_class, user):
    """The admin builds forms itself; this hands them the user whose rights they check."""

    class BoundForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, user=user, **kwargs)

    BoundForm.__name__ = form_class.__name__
    return BoundForm


FORM_ONLY_FIELDS = {"opened_version", "correction_note"}


def without_form_only_fields(fieldsets):
    trimmed = [
        (name, {**options, "fields": [f for f in options["fields"] if f not in FORM_ONLY_FIELDS]})
        for name, options in fieldsets
    ]
    return [(name, options) for name, options in trimmed if options["fields"]]


@admin.register(Issue)
class IssueAdmin(LargeListMixin, IssueProofreadingMixin, VersionHistoryMixin, admin.ModelAdmin):
    form = IssueAdminForm
    list_display = ["period", "date", "status_display", "article_count", "last_change"]
    list_display_links = ["period"]
    list_filter = ["status", YearFilter]
    search_fields = ["number", "articles__title"]
    search_help_text = "输入期号（如 193）或稿件标题中的字词。"
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["number", "date", "publication", "opened_version", "correction_note"]}),
        ("报送记录", {"fields": ["distribution"]}),
    ]
    readonly_fields = ["distribution"]
    view_on_site = False  # the change page has its own 预览网页 / 查看网页 link
    change_form_template = "admin/editorial/issue/change_form.html"
    change_list_template = "admin/editorial/issue/change_list.html"
    delete_confirmation_template = "admin/editorial/issue/delete_confirmation.html"

    @admin.display(description="期号", ordering="number")
    def period(self, issue):
        return issue.period_label

    @admin.display(description="状态", ordering="status")
    def status_display(self, issue):
        return format_html("{}{}", status_badge(issue), returned_note(newsroom.returned_reason(issue)))

    @admin.display(description="稿件数", ordering="article_total")
    def article_count(self, issue):
        return issue.article_total

    @admin.display(description="最后修改", ordering="updated_at")
    def last_change(self, issue):
        return last_change(issue)

    def get_queryset(self, request):
        # Counted for each issue listed, in a subquery: joining and grouping every article of every
        # issue before the page was cut took 450 ms at 5,000 issues.
        articles = Article.objects.filter(issue=OuterRef("pk")).order_by().values("issue").annotate(total=Count("pk"))
        issues = (
            super()
            .get_queryset(request)
            .select_related("updated_by")
            .annotate(article_total=Coalesce(Subquery(articles.values("total"), output_field=IntegerField()), 0))
        )
        return newsroom.with_last_step(issues)

    def get_search_results(self, request, queryset, search_term):
        """第193期, 193 or a word of a title: digits find the issue number, anything else the article titles."""
        term = search_term.strip().removeprefix("第").removesuffix("期").strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(Q(number=int(term)) | Exists(_articles_titled(term))), False
        return queryset.filter(Exists(_articles_titled(search_term.strip()))), False

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.distribution:
            # Only issues imported from legacy text carry a printed distribution record.
            fieldsets = [(name, options) for name, options in fieldsets if "distribution" not in options["fields"]]
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only: the form-only fields (version, correction note) have nothing to show.
        return without_form_only_fields(fieldsets)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return user_bound_form(super().get_form(request, obj, change=change, **kwargs), request.user)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        latest = Issue.objects.order_by("-number").first()
        initial.setdefault("number", latest.number + 1 if latest else 1)
        initial.setdefault(
            "date", services.next_issue_date(today=timezone.localdate(), latest=latest.date if latest else None)
        )
        return initial

    # --- permissions: one rule, in workflow.py ------------------------------------------------

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if getattr(request, "refused_save", None):
            # The form comes back with what was typed; its clean() refuses the save (and so would the service).
            return allowed
        return allowed and workflow.may_edit(user=request.user, issue=obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status != Issue.Status.PUBLISHED)

    # --- writes go through services -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            services.issue_save(
                issue=obj,
                user=request.user,
                expected_version=form.cleaned_data.get("opened_version"),
                correction_note=form.cleaned_data.get("correction_note", ""),
            )
            return
        created = services.issue_create(
            publication=obj.publication, number=obj.number, date=obj.date, user=request.user
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.issue_delete(issue=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for issue in queryset:
            services.issue_delete(issue=issue, user=request.user)

    def get_deleted_objects(self, objs, request):
        # Sections and the log go with their issue; a reviewer needs no separate right to delete them.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed -= {str(IssueSection._meta.verbose_name), str(IssueTransition._meta.verbose_name)}
        return deleted, model_count, perms_needed, protected

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one issue at a time, from its page: deleting an issue is rare
        return actions

    # --- the history mixin's hooks ------------------------------------------------------------

    def restore_version(self, request, obj, history_id, note):
        services.issue_restore_version(issue=obj, history_id=history_id, user=request.user, correction_note=note)

    def restore_needs_note(self, obj):
        return obj.status == Issue.Status.PUBLISHED

    def recover(self, request, pk):
        return services.issue_recover(issue_id=pk, user=request.user)

    def describe_deleted(self, record):
        return f"{record.date.year}年第{record.number}期（删除前：{Issue.Status(record.status).label}）"

    # --- the change page: board, pool, workflow -------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        context = {"show_save_and_add_another": False, **(extra_context or {})}
        if obj is not None and self.has_view_or_change_permission(request, obj):
            context.update(self.compose_context(request, obj))
            context.update(self.proofreading_summary(obj, context["board"]))
        refusal = workflow.edit_denied_reason(user=request.user, issue=obj) if obj is not None else None
        if request.method == "POST" and refusal and super().has_change_permission(request, obj):
            # The issue moved on (submitted, signed off) since this form was opened: the form comes back
            # with what was typed and the reason, not a bare 403.
            request.refused_save = refusal
            context.update(refused_save=refusal, show_save=False, show_save_and_continue=False)
            response = super().change_view(request, object_id, form_url, extra_context=context)
            response.status_code = 403
            return response
        return super().change_view(request, object_id, form_url, extra_context=context)

    def compose_context(self, request, issue: Issue) -> dict:
        user = request.user
        sections = {section.pk: section for section in Section.objects.all()}
        articles = {
            article.pk: article
            for article in achievements.with_record_counts(
                Article.objects.filter(issue=issue).select_related("section", "updated_by").prefetch_related("regions")
            )
        }
        layout = services.issue_layout(issue)
        board = [
            BoardSection(section=sections[section_id], articles=[articles[pk] for pk in ids])
            for section_id, ids in layout
        ]
        pool_query = request.GET.get("pool_q", "").strip()
        pool = Article.objects.in_pool().select_related("section").order_by("-updated_at", "-pk")
        if pool_query:
            pool = pool.filter(Q(title__icontains=pool_query) | Q(body__icontains=pool_query))
        placed = {section_id for section_id, _ in layout}
        can_edit = self.has_change_permission(request, issue)
        log = list(issue.transitions.select_related("user").order_by("-created_at", "-pk"))
        latest = log[0] if log else None
        returned = newsroom.returned_reason(
            issue, last_action=latest.action if latest else "", last_comment=latest.comment if latest else ""
        )
        return {
            "issue": issue,
            "status_badge": status_badge(issue, returned=returned),
            "returned_reason": returned,
            "returned_by": actor_name(latest.user) if returned is not None else "",
            "returned_at": latest.created_at if returned is not None else None,
            "board": board,
            "board_count": len(articles),
            "can_edit": can_edit,
            "edit_refusal": workflow.edit_denied_reason(user=user, issue=issue),
            "needs_note": issue.status == Issue.Status.PUBLISHED,
            "stamp": issue.updated_at.isoformat(),
            "pool": list(pool[:POOL_SHOWN]),
            "pool_total": pool.count(),
            "pool_query": pool_query,
            # The issue's own sections first; any other section joins the issue when an article is placed in it.
            "pool_sections": [board_section.section for board_section in board]
            + [section for pk, section in sections.items() if pk not in placed],
            "placed_section_ids": placed,
            "addable_sections": [section for pk, section in sections.items() if pk not in placed],
            "actions": [
                (transition, TransitionForm(transition=transition, prefix=transition.name, issue=issue))
                for transition in workflow.available_transitions(user=user, issue=issue)
            ],
            "problems": workflow.content_problems(issue)
            if issue.status in (Issue.Status.DRAFT, Issue.Status.IN_REVIEW)
            else [],
            "log": [(entry, workflow.action_label(entry.action), actor_name(entry.user)) for entry in log],
            "preview_url": issue.get_absolute_url(),
        }

    def get_urls(self):
        wrap = self.admin_site.admin_view
        custom = [
            path(
                "import-legacy/",
                self.admin_site.admin_view(LegacyImportView.as_view(model_admin=self)),
                name="editorial_issue_import_legacy",
            ),
            path("next/", wrap(self.next_issue_view), name="editorial_issue_next"),
            path(
                "<path:object_id>/transition/<slug:name>/",
                wrap(self.transition_view),
                name="editorial_issue_transition",
            ),
            path("<path:object_id>/arrange/", wrap(self.arrange_view), name="editorial_issue_arrange"),
            path(
                "<path:object_id>/signoff-sheet/", wrap(self.signoff_sheet_view), name="editorial_issue_signoff_sheet"
            ),
            path("<path:object_id>/place/", wrap(self.place_view), name="editorial_issue_place"),
            path("<path:object_id>/sections/add/", wrap(self.section_add_view), name="editorial_issue_section_add"),
            path(
                "<path:object_id>/sections/<int:section_id>/remove/",
                wrap(self.section_remove_view),
                name="editorial_issue_section_remove",
            ),
        ]
        return custom + super().get_urls()

    def _issue(self, request, object_id) -> Issue:
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("没有这一期。")
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def _editable_issue(self, request, object_id) -> Issue:
        """The issue, when the user may change its content now (before any of the request is read)."""
        issue = self._issue(request, object_id)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied(
                workflow.edit_denied_reason(user=request.user, issue=issue) or "您没有修改期刊的权限。"
            )
        return issue

    def _back(self, issue: Issue, anchor: str = ""):
        return HttpResponseRedirect(reverse("admin:editorial_issue_change", args=[issue.pk]) + anchor)

    def _refused(self, request, refusal: ValidationError) -> None:
        messages.error(request, " ".join(refusal.messages))

    def signoff_sheet_view(self, request, object_id):
        """签发单: the issue's contents with printed pages, who submitted and signed it off, and lines to sign on."""
        issue = self._issue(request, object_id)
        try:
            pages, pages_error = renditions.article_pages(issue=issue), ""
        except renditions.RenditionError as error:
            pages, pages_error = {}, str(error)
        log = list(issue.transitions.select_related("user").order_by("-created_at", "-pk"))
        submitted = next((entry for entry in log if entry.action == workflow.Submit.name), None)
        approved = next((entry for entry in log if entry.action == workflow.Approve.name), None)
        toc = issue_table_of_contents(issue=issue)
        rows = [
            (index, entry.section, article, pages.get(article.pk))
            for index, (entry, article) in enumerate(
                ((entry, article) for entry in toc for article in entry.articles), start=1
            )
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"签发单 · {issue.period_label}",
            "issue": issue,
            "publication": issue.publication,
            "rows": rows,
            "page_count": max(pages.values(), default=None),
            "pages_error": pages_error,
            "submitted": submitted,
            "submitter": actor_name(submitted.user) if submitted else "",
            "approved": approved if approved and issue.status != Issue.Status.DRAFT else None,
            "approver": actor_name(approved.user) if approved else "",
            "printed_at": timezone.now(),
        }
        return TemplateResponse(request, "admin/editorial/issue/signoff_sheet.html", context)

    @method_decorator(require_POST)
    def next_issue_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = services.issue_create_next(user=request.user)
        issue = result.issue
        if result.created:
            messages.success(
                request,
                f"已新建{issue.period_label}（{issue.date.month}月{issue.date.day}日出刊）。请从下方稿件库加入稿件，或新建稿件。",
            )
        else:
            messages.info(request, f"{issue.period_label}还是空白草稿，已为您打开，不再重复新建。")
        return self._back(issue)

    @method_decorator(require_POST)
    def transition_view(self, request, object_id, name):
        issue = self._issue(request, object_id)
        if name not in workflow.MANUAL_TRANSITIONS:
            raise Http404("没有这个操作。")
        transition = workflow.TRANSITIONS[name]
        if not transition.user_may(request.user):
            raise PermissionDenied(f"您没有“{transition.label}”的权限。")
        form = TransitionForm(request.POST, transition=transition, prefix=name, issue=issue)
        if not form.is_valid():
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
            return self._back(issue, "#workflow")
        options = {"at": form.cleaned_data["scheduled_at"]} if transition is workflow.Schedule else {}
        confirmation, comment = self.proofreading_gate(request, issue, transition, form.cleaned_data["comment"])
        if confirmation is not None:
            return confirmation
        try:
            result = transition(issue=issue, user=request.user, comment=comment, **options).execute()
        except ValidationError as refusal:
            self._refused(request, refusal)
            return self._back(issue, "#workflow")
        if result.changed:
            messages.success(request, f"{issue.period_label}{transition.done_message}")
        else:
            messages.info(
                request,
                f"{issue.period_label}已经是“{result.issue.get_status_display()}”状态（可能有人刚刚操作过），无需重复操作。",
            )
        return self._back(issue)

    @method_decorator(require_POST)
    def arrange_view(self, request, object_id):
        issue = self._editable_issue(request, object_id)
        form = ArrangeForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
            return self._back(issue, "#board")
        try:
            services.issue_arrange(
                issue=issue,
                user=request.user,
                layout=form.cleaned_data["layout"],
                expected_stamp=form.cleaned_data["stamp"],
                correction_note=form.cleaned_data["correction_note"],
            )
        except ValidationError as refusal:
            self._refused(request, refusal)
            return self._back(issue, "#board")
        messages.success(request, f"已保存{issue.period_label}的栏目和稿件顺序。")
        return self._back(issue, "#board")

    @method_decorator(require_POST)
    def place_view(self, request, object_id):
        issue = self._editable_issue(request, object_id)
        form = PlaceForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
            return self._back(issue, "#pool")
        article = form.cleaned_data["article"]
        try:
            services.article_move(
                article=article,
                user=request.user,
                issue=issue,
                section=form.cleaned_data["section"],
                correction_note=form.cleaned_data["correction_note"],
            )
        except ValidationError as refusal:
            self._refused(request, refusal)
            return self._back(issue, "#pool")
        messages.success(
            request, f"《{article.title}》已加入{issue.period_label}的“{form.cleaned_data['section']}”栏目末尾。"
        )
        return self._back(issue, "#board")

    @method_decorator(require_POST)
    def section_add_view(self, request, object_id):
        issue = self._editable_issue(request, object_id)
        form = SectionAddForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择要加入的栏目。")
            return self._back(issue, "#board")
        try:
            services.issue_section_add(
                issue=issue,
                section=form.cleaned_data["section"],
                user=request.user,
                correction_note=form.cleaned_data["correction_note"],
            )
        except ValidationError as refusal:
            self._refused(request, refusal)
            return self._back(issue, "#board")
        messages.success(request, f"已在本期末尾加入“{form.cleaned_data['section']}”栏目，可以拖动调整位置。")
        return self._back(issue, "#board")

    @method_decorator(require_POST)
    def section_remove_view(self, request, object_id, section_id):
        issue = self._editable_issue(request, object_id)
        section = Section.objects.filter(pk=section_id).first()
        if section is None or not issue.issue_sections.filter(section=section).exists():
            raise Http404("本期没有这个栏目。")
        try:
            services.issue_section_remove(
                issue=issue, section=section, user=request.user, correction_note=request.POST.get("correction_note", "")
            )
        except ValidationError as refusal:
            self._refused(request, refusal)
            return self._back(issue, "#board")
        messages.success(request, f"已从{issue.period_label}去掉“{section}”栏目（其他期不受影响）。")
        return self._back(issue, "#board")


def _articles_titled(term: str):
    """The listed issue's articles whose title contains `term` (a condition on each issue, no join to de-duplicate)."""
    return Article.objects.filter(issue=OuterRef("pk"), title__icontains=term)
