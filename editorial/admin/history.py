"""History pages shared by the issue and article admins: versions, a diff of two, restore, and the 回收站."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from .. import history
from ..formatting import actor_name


class VersionHistoryMixin:
    """Replaces the admin's history page with versions that can be compared and restored, and adds a 回收站.

    The admin class provides `restore_version(request, obj, history_id, note)` and `recover(request, pk)`,
    both calling services, and `describe_deleted(record)` for the bin.
    """

    history_template = "admin/editorial/history/versions.html"
    compare_template = "admin/editorial/history/compare.html"
    restore_template = "admin/editorial/history/restore.html"
    bin_template = "admin/editorial/history/bin.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("deleted/", wrap(self.bin_view), name="{}_{}_bin".format(*info)),
            path("deleted/<int:pk>/recover/", wrap(self.recover_view), name="{}_{}_recover".format(*info)),
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name="{}_{}_history_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                wrap(self.restore_view),
                name="{}_{}_history_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """The address of something deleted leads to the 回收站, which can bring it back, not to a bare notice."""
        key = str(object_id)
        if key.isdigit() and self.model.history.filter(id=int(key), history_type="-").exists():
            what = {"article": "这篇稿件", "issue": "这一期"}.get(opts.model_name, f"这条{opts.verbose_name}")
            messages.warning(request, f"{what}已被删除，可以在下面的回收站中找到并恢复。")
            return HttpResponseRedirect(self._url("bin"))
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)

    def _url(self, name, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def _history_object(self, request, object_id):
        """The live object (None when deleted) and its pk; 404 when it never existed, 403 without view rights."""
        obj = self.get_object(request, unquote(object_id))
        try:
            pk = int(unquote(object_id))
        except ValueError as error:
            raise Http404("没有这条内容。") from error
        if obj is None and not self.model.history.filter(id=pk).exists():
            raise Http404("没有这条内容。")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj, pk

    def _context(self, request, obj, pk, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "object_id": pk,
            "title": f"{obj or '已删除的' + self.opts.verbose_name} · 历史版本",
            "can_restore": obj is not None and self.has_change_permission(request, obj),
            "history_url": self._url("history", pk),
            "change_url": self._url("change", pk) if obj is not None else None,
            "bin_url": self._url("bin"),
            "changelist_url": self._url("changelist"),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        obj, pk = self._history_object(request, object_id)
        all_versions = history.versions(self.model, pk)
        context = self._context(
            request,
            obj,
            pk,
            versions=all_versions,
            compare_url=self._url("history_compare", pk),
            restore_url_prefix=self._url("history", pk),
            **(extra_context or {}),
        )
        return TemplateResponse(request, self.history_template, context)

    def compare_view(self, request, object_id):
        obj, pk = self._history_object(request, object_id)
        try:
            old_id, new_id = int(request.GET["old"]), int(request.GET["new"])
            old, new, changes = history.compare(self.model, pk, old_id, new_id)
        except (KeyError, ValueError) as error:
            raise Http404("请选择本条内容的两个版本进行比较。") from error
        context = self._context(
            request,
            obj,
            pk,
            title=f"{obj or '已删除的' + self.opts.verbose_name} · 比较版本 {old.number} 和 {new.number}",
            old=old,
            new=new,
            changes=changes,
        )
        return TemplateResponse(request, self.compare_template, context)

    def restore_view(self, request, object_id, history_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("这条内容已被删除，请到回收站恢复。")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        current = history.versions(self.model, obj.pk)
        by_id = {version.record.history_id: version for version in current}
        if history_id not in by_id:
            raise Http404("没有这个版本。")
        if request.method == "POST":
            note = request.POST.get("correction_note", "").strip()
            if note or not self.restore_needs_note(obj):
                # The new version says what it is: the history lists it as 恢复, not as a plain 修改.
                target = by_id[history_id]
                note = f"{history.RESTORED}版本 {target.number}（{target.when}）" + (f"：{note}" if note else "")
            try:
                self.restore_version(request, obj, history_id, note)
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
                return HttpResponseRedirect(self._url("history_restore", obj.pk, history_id))
            messages.success(
                request, f"已恢复到版本 {by_id[history_id].number}（{by_id[history_id].when}），并保存为新版本。"
            )
            return HttpResponseRedirect(self._url("change", obj.pk))
        _, _, changes = history.compare(
            self.model, obj.pk, current[0].record.history_id, history_id, chronological=False
        )
        context = self._context(
            request,
            obj,
            obj.pk,
            title=f"{obj} · 恢复到版本 {by_id[history_id].number}",
            target=by_id[history_id],
            latest=current[0],
            changes=changes,
            needs_note=self.restore_needs_note(obj),
        )
        return TemplateResponse(request, self.restore_template, context)

    def bin_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        records = (
            self.model.history.filter(history_type="-")
            .exclude(id__in=self.model.objects.values("pk"))
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        )
        latest = {}
        for record in records[:1000]:
            latest.setdefault(record.id, record)
        page = Paginator(list(latest.values()), 50).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"回收站 · 已删除的{self.opts.verbose_name}",
            "page": page,
            "entries": [
                (record, self.describe_deleted(record), actor_name(record.history_user)) for record in page.object_list
            ],
            "can_recover": self.has_add_permission(request),
            "changelist_url": self._url("changelist"),
        }
        return TemplateResponse(request, self.bin_template, context)

    def recover_view(self, request, pk):
        return require_POST(self._recover)(request, pk)

    def _recover(self, request, pk):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            recovered = self.recover(request, pk)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return HttpResponseRedirect(self._url("bin"))
        text = f"已恢复“{recovered.obj}”。"
        if recovered.articles:
            text += f"一并恢复了 {recovered.articles} 篇稿件。"
        messages.success(request, text + recovered.note)
        return HttpResponseRedirect(self._url("change", recovered.obj.pk))

    def restore_needs_note(self, obj) -> bool:
        return False
