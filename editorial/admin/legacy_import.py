"""The admin page "导入旧版文本": upload legacy text files, preview what they hold, confirm, import.

Nothing is written before the confirmation. The uploaded files travel from the preview
to the confirmation inside the page itself, compressed and signed (django.core.signing,
bound to the user, valid for an hour), so any app server can take the second request
and no file is parked on one server's disk or in a session. A file holding two issues
shows both, and is imported in one transaction: both or neither.
"""

import base64
import zlib
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..importers.legacy import LegacyFormatError, ParsedIssue
from ..importers.loader import ImportContext, ImportPlan, ImportResult, Outcome, load_file, plan_import
from ..models import Issue

SALT = "editorial.legacy-import"
TOKEN_MAX_AGE = 3600
MAX_FILES = 50
PLAN_LABELS = {
    Outcome.CREATED: "将新建",
    Outcome.UPDATED: "将更新（替换该期现有稿件）",
    Outcome.UNCHANGED: "已存在，内容相同，不会改动",
    Outcome.DIFFERENT: "已存在，内容与文件不同，不会改动（如需替换，请勾选“更新已存在的期刊”）",
}
STATUS_CHOICES = [(Issue.Status.PUBLISHED, "已发布（旧刊默认）"), (Issue.Status.DRAFT, "草稿（导入后再审核发布）")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if not files:
            raise forms.ValidationError("请选择至少一个 .txt 文件。")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多导入 {MAX_FILES} 个文件，请分批上传。")
        return files


class LegacyUploadForm(forms.Form):
    files = MultipleFileField(
        label="旧版文本文件",
        help_text=f"可一次选择多个 .txt 文件（最多 {MAX_FILES} 个）。支持 UTF-8、GBK/GB18030、UTF-16 编码。",
    )
    status = forms.ChoiceField(label="导入后的状态", choices=STATUS_CHOICES, initial=Issue.Status.PUBLISHED)
    update = forms.BooleanField(
        label="更新已存在的期刊",
        required=False,
        help_text="期号已存在且内容不同时，用文件内容替换该期的稿件（期刊本身和编辑改过的来源地区保留）。",
    )


@dataclass
class IssuePreview:
    """One issue of an uploaded file: what it holds and what importing it would do (or did)."""

    parsed: ParsedIssue
    plan: ImportPlan | None = None
    region_names: dict[str, str] = field(default_factory=dict)
    result: ImportResult | None = None

    @property
    def plan_label(self) -> str:
        return PLAN_LABELS[self.plan.outcome] if self.plan else ""

    @property
    def will_write(self) -> bool:
        return self.plan is not None and self.plan.outcome in (Outcome.CREATED, Outcome.UPDATED)

    @property
    def sections(self):
        """(section name, [(article, paragraph count, region names)]) for the TOC table."""
        return [
            (
                section.name,
                [
                    (article, len(article.paragraphs), [self.region_names.get(slug, slug) for slug in article.regions])
                    for article in section.articles
                ],
            )
            for section in self.parsed.sections
        ]


@dataclass
class FilePreview:
    """One uploaded file: its issues (usually one), or the reason it cannot be imported."""

    name: str
    error: str = ""
    issues: list[IssuePreview] = field(default_factory=list)

    @property
    def will_write(self) -> bool:
        return any(issue.will_write for issue in self.issues)


class LegacyImportView(View):
    model_admin = None
    template_name = "admin/editorial/issue/import_legacy.html"
    done_template_name = "admin/editorial/issue/import_legacy_done.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("editorial.import_legacy_issue"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(request, form=LegacyUploadForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = LegacyUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form=form)
        context = ImportContext.from_db()
        region_names = {region.slug: _region_label(region, context) for region in context.catalogue.regions}
        uploads = [(upload.name, self.read(upload, context)) for upload in form.cleaned_data["files"]]
        creating: set[str] = set()  # sections earlier files will create: the import warns about them once
        previews = [
            self.preview(
                name,
                data,
                context=context,
                update=form.cleaned_data["update"],
                region_names=region_names,
                creating=creating,
            )
            for name, data in uploads
        ]
        token = signing.dumps(
            {
                "user": request.user.pk,
                "status": form.cleaned_data["status"],
                "update": form.cleaned_data["update"],
                "files": [
                    (name, base64.b64encode(zlib.compress(data, 9)).decode("ascii"))
                    for (name, data), preview in zip(uploads, previews, strict=True)
                    if preview.will_write
                ],
            },
            salt=SALT,
        )
        if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 0.9:
            form.add_error("files", "这些文件合起来太大，确认时无法一次提交。请分几批上传。")
            return self.page(request, form=form)
        return self.page(
            request,
            form=form,
            previews=previews,
            token=token,
            importable=sum(preview.will_write for preview in previews),
            issue_count=sum(len(preview.issues) for preview in previews),
            status_label=dict(STATUS_CHOICES)[form.cleaned_data["status"]],
        )

    def confirm(self, request):
        try:
            payload = signing.loads(request.POST["token"], salt=SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, "确认信息已过期或无效（预览超过一小时或页面被改动），请重新上传文件。")
            return self.page(request, form=LegacyUploadForm())
        if payload["user"] != request.user.pk:
            raise PermissionDenied
        context = ImportContext.from_db()
        done = []
        for name, encoded in payload["files"]:
            preview = FilePreview(name=name)
            try:
                results = load_file(
                    issues=context.parse_issues(zlib.decompress(base64.b64decode(encoded)), name=name),
                    context=context,
                    user=request.user,
                    status=payload["status"],
                    update=payload["update"],
                    source=name,
                )
            except LegacyFormatError as exc:
                preview.error = str(exc)
            else:
                preview.issues = [
                    IssuePreview(parsed=result.plan.parsed, plan=result.plan, result=result) for result in results
                ]
            done.append(preview)
        imported = sum(
            1 for preview in done if any(issue.result.outcome != Outcome.DIFFERENT for issue in preview.issues)
        )
        if imported:
            messages.success(request, f"已导入 {imported} 个文件。")
        return render(request, self.done_template_name, self.context(request, title="导入完成", results=done))

    def read(self, upload, context: ImportContext) -> bytes:
        # Read one byte past the limit, never the whole of an oversized upload.
        return upload.read(context.max_bytes + 1)

    def preview(
        self, name: str, data: bytes, *, context: ImportContext, update: bool, region_names, creating: set[str]
    ) -> FilePreview:
        preview = FilePreview(name=name)
        try:
            issues = context.parse_issues(data, name=name)
        except LegacyFormatError as exc:
            preview.error = str(exc)
            return preview
        for parsed in issues:
            plan = plan_import(parsed=parsed, context=context, update=update, created_before=creating)
            issue = IssuePreview(parsed=parsed, plan=plan, region_names=region_names)
            if issue.will_write:
                creating.update(plan.new_sections)
            preview.issues.append(issue)
        return preview

    def page(self, request, **extra):
        return render(request, self.template_name, self.context(request, title="导入旧版文本", **extra))

    def context(self, request, **extra):
        admin_site = self.model_admin.admin_site
        return {
            **admin_site.each_context(request),
            "opts": Issue._meta,
            "changelist_url": reverse("admin:editorial_issue_changelist"),
            "max_files": MAX_FILES,
            **extra,
        }


def _region_label(region, context: ImportContext) -> str:
    province = context.catalogue.province_of(region.slug)
    return region.name if province.slug == region.slug else f"{region.name}（{province.name}）"
