"""The admin page "上传 Word 稿件": one or more .docx files, a preview of the articles they hold, then the pool.

Nothing is written before 确认: the preview carries the articles (text, not files) inside the
page, compressed and signed for the user for an hour, so any app server can take the
confirmation. The confirmation saves every article through services.article_save in one
transaction: all of them, or none.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from .. import services
from ..contributions import MAX_FILE_BYTES, MAX_FILES, Contribution, ContributionRejected, read_contribution
from ..importers.regions import suggest_regions
from ..models import Article, Section, SourceRegion
from .legacy_import import MultipleFileInput

SALT = "editorial.word-contributions"
TOKEN_MAX_AGE = 3600


class WordFilesField(forms.FileField):
    widget = MultipleFileInput(
        attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    )

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files:
            raise forms.ValidationError("请选择至少一个 .docx 文件。")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES} 个文件，请分批上传。")
        for file in files:
            if not file.name.lower().endswith(".docx"):
                raise forms.ValidationError(
                    f"“{file.name[:80]}”不是 .docx 文件。旧版 .doc 或 WPS 文件请先在 Word/WPS 中另存为 .docx。"
                )
            if file.size > MAX_FILE_BYTES:
                raise forms.ValidationError(
                    f"“{file.name[:80]}”太大（{file.size / 1024 / 1024:.1f} MB），"
                    f"每个文件最多 {MAX_FILE_BYTES // (1024 * 1024)} MB。"
                )
        return files


class WordUploadForm(forms.Form):
    files = WordFilesField(
        label="Word 文件", help_text=f"可一次选择多个 .docx 文件（最多 {MAX_FILES} 个），每个文件成为一篇稿件。"
    )
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(),
        required=False,
        label="栏目（可选）",
        empty_label="（暂不选，编入期刊时再选）",
        help_text="给这批稿件预先选一个栏目；以后编入期刊时还可以改。",
    )


@dataclass
class FilePreview:
    """One uploaded file as the preview shows it: the article it holds, or why it cannot become one."""

    name: str
    error: str = ""
    article: Contribution | None = None
    regions: list[SourceRegion] = field(default_factory=list)
    same_title_in_pool: bool = False


class WordUploadView(View):
    model_admin = None
    template_name = "admin/editorial/article/upload_docx.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("editorial.add_article"):
            raise PermissionDenied("您没有新建稿件的权限。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(request, form=WordUploadForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = WordUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form=form)
        previews = [self.preview(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
        titles_in_pool = set(
            Article.objects.in_pool()
            .filter(title__in=[p.article.title for p in previews if p.article])
            .values_list("title", flat=True)
        )
        for preview in previews:
            preview.same_title_in_pool = preview.article is not None and preview.article.title in titles_in_pool
        section = form.cleaned_data["section"]
        token = signing.dumps(
            {
                "user": request.user.pk,
                "section": section.pk if section else None,
                "articles": [
                    [p.article.title, p.article.body, [region.pk for region in p.regions]]
                    for p in previews
                    if p.article is not None
                ],
            },
            salt=SALT,
            compress=True,
        )
        return self.page(
            request,
            form=form,
            previews=previews,
            token=token,
            readable=sum(preview.article is not None for preview in previews),
            section=section,
        )

    def preview(self, name: str, data: bytes) -> FilePreview:
        try:
            article = read_contribution(name=name, data=data)
        except ContributionRejected as refusal:
            return FilePreview(name=name, error=str(refusal))
        return FilePreview(name=name, article=article, regions=suggest_regions(title=article.title, body=article.body))

    def confirm(self, request):
        try:
            payload = signing.loads(request.POST["token"], salt=SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            messages.error(
                request, "确认信息已过期或无效（预览超过一小时或页面被改动），没有导入任何稿件。请重新上传文件。"
            )
            return HttpResponseRedirect(reverse("admin:editorial_article_upload_docx"))
        if payload["user"] != request.user.pk:
            raise PermissionDenied
        section = Section.objects.filter(pk=payload["section"]).first() if payload["section"] else None
        regions = SourceRegion.objects.in_bulk([pk for *_, pks in payload["articles"] for pk in pks])
        try:
            with transaction.atomic():
                created = [
                    services.article_save(
                        article=Article(title=title, body=body, section=section, issue=None),
                        user=request.user,
                        regions=[regions[pk] for pk in region_pks if pk in regions],
                    )
                    for title, body, region_pks in payload["articles"]
                ]
        except ValidationError as refusal:
            messages.error(request, "没有导入任何稿件：" + " ".join(refusal.messages))
            return HttpResponseRedirect(reverse("admin:editorial_article_upload_docx"))
        messages.success(
            request,
            f"已把 {len(created)} 篇稿件放入稿件库：" + "、".join(f"《{article.title}》" for article in created) + "。",
        )
        return HttpResponseRedirect(reverse("admin:editorial_article_changelist") + "?placement=pool")

    def page(self, request, **extra):
        return render(
            request,
            self.template_name,
            {
                **self.model_admin.admin_site.each_context(request),
                "opts": Article._meta,
                "title": "上传 Word 稿件",
                "max_files": MAX_FILES,
                **extra,
            },
        )
