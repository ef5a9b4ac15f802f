"""Admin forms: what an editor may submit, checked here so a refusal is a message on the page, not an error."""

import datetime
import json

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from import_export.forms import SelectableFieldsExportForm

from .. import services, text, workflow
from ..formatting import actor_name, format_time
from ..models import Article, Issue, Section

CORRECTION_HELP = "本期已发布，您的修改会作为一次更正记录在期刊的流转记录里。请写明改了什么、为什么改。"
# The button on a refused stale form that saves anyway, over the version it names (the one the editor was shown).
OVERWRITE = "_overwrite_version"
ARTICLE_ERRORS = {"title": {"required": "请填写标题。"}, "body": {"required": "请填写正文。"}}


def cleaned_body(value: str) -> str:
    """The body as stored (the paste rules, editorial/text.py); refused when nothing visible is left."""
    body = text.clean_body(value)
    if not body:
        raise ValidationError("正文不能只有空格或空行。")
    return body


class ArticleAdminForm(forms.ModelForm):
    """Title, body, section, regions, source — and the issue it sits in, limited to the issues the user may fill."""

    opened_version = forms.IntegerField(label="打开时的版本号", widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(
        label="更正说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=CORRECTION_HELP
    )

    class Meta:
        model = Article
        fields = ["title", "body", "section", "issue", "regions", "source", "page"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "digest-title-input", "autocomplete": "off"}),
            "body": forms.Textarea(attrs={"class": "digest-body-input", "rows": 18}),
        }
        error_messages = ARTICLE_ERRORS
        help_texts = {
            "body": "纯文本。可以直接从 WPS、Word 或网页粘贴：每行算一段，首行缩进和多余的空格会自动去掉，发布时自动排版。",
            "issue": "可以改到别的期刊（放在该栏目末尾），或清空放回稿件库。",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.stale_article = None  # the newer stored article, when a save comes from a stale form
        if self.instance.pk is not None:
            self.fields["opened_version"].initial = self.instance.version
        if "issue" in self.fields:
            current = self.instance.issue_id
            self.fields["issue"].queryset = Issue.objects.filter(
                Q(status__in=workflow.editable_statuses(user=user)) | Q(pk=current)
            )
            self.fields["issue"].empty_label = "（不编入期刊，放在稿件库）"
        if "correction_note" in self.fields and not self.touches_published_issue(self.instance.issue):
            self.fields["correction_note"].widget = forms.HiddenInput()

    def clean_body(self):
        # Pasted WPS/Word/web text becomes the paragraphs readers will see.
        return cleaned_body(self.cleaned_data["body"])

    @staticmethod
    def touches_published_issue(issue) -> bool:
        return issue is not None and issue.status == Issue.Status.PUBLISHED

    def clean(self):
        cleaned = super().clean()
        issue = cleaned.get("issue")
        if issue is not None and cleaned.get("section") is None:
            self.add_error("section", "编入期刊的稿件必须选择栏目。")
        if self.instance.pk is not None:
            stored = services.article_lock_for_edit(
                article_pk=self.instance.pk, issue_ids=[issue.pk if issue else None]
            )
            version = cleaned.get("opened_version")
            if version is not None and version != stored.version:
                if self.data.get(OVERWRITE) != str(stored.version):
                    self.stale_article = stored
                    raise ValidationError(
                        f"没有保存：稿件《{stored.title}》已被{actor_name(stored.updated_by)}于 "
                        f"{format_time(stored.updated_at)} 修改过，您是在那之前打开的。"
                        "您输入的内容都还在下面，没有丢失。",
                        code="stale",
                    )
                # The editor saw the other version and chose to save theirs over it (history keeps both).
                cleaned["opened_version"] = stored.version
            previous_issue = stored.issue
        else:
            previous_issue = None
        note = cleaned.get("correction_note", "")
        for each in {previous_issue, issue} - {None}:
            reason = workflow.edit_denied_reason(user=self.user, issue=each)
            if reason:
                raise ValidationError(reason)
            if each.status == Issue.Status.PUBLISHED and not note.strip():
                self.fields["correction_note"].widget = forms.Textarea(attrs={"rows": 2})
                self.add_error(
                    "correction_note", f"{each.period_label}已发布：请填写更正说明，说明改了什么、为什么改。"
                )
        return cleaned


class PoolCopyForm(forms.ModelForm):
    """另存为新稿件: what was typed into a form that can no longer be saved, kept as a new article in the pool."""

    class Meta:
        model = Article
        fields = ["title", "body", "section", "regions", "source"]
        error_messages = ARTICLE_ERRORS
        widgets = ArticleAdminForm.Meta.widgets

    def clean_body(self):
        return cleaned_body(self.cleaned_data["body"])


class IssueAdminForm(forms.ModelForm):
    """An issue's own fields; status and schedule change only through the workflow buttons."""

    opened_version = forms.IntegerField(label="打开时的版本号", widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(
        label="更正说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=CORRECTION_HELP
    )

    class Meta:
        model = Issue
        fields = ["publication", "number", "date"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk is not None:
            self.fields["opened_version"].initial = self.instance.version
        if "correction_note" in self.fields and not (
            self.instance.pk is not None and self.instance.status == Issue.Status.PUBLISHED
        ):
            self.fields["correction_note"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        stored = services.issue_lock_for_edit(issue_pk=self.instance.pk)
        # Closed to this user first: advice to reopen the page and edit again would lead nowhere.
        reason = workflow.edit_denied_reason(user=self.user, issue=stored)
        if reason:
            raise ValidationError(reason)
        version = cleaned.get("opened_version")
        if version is not None and version != stored.version:
            raise services.StaleEditError(what=stored.period_label, user=stored.updated_by, at=stored.updated_at)
        if stored.status == Issue.Status.PUBLISHED and not cleaned.get("correction_note", "").strip():
            self.add_error("correction_note", "本期已发布：请填写更正说明，说明改了什么、为什么改。")
        return cleaned


class TransitionForm(forms.Form):
    """The comment (and, for scheduling, the time) sent with a workflow button."""

    comment = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    scheduled_at = forms.DateTimeField(
        label="发布时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    early_confirmed = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, transition: type[workflow.Transition], issue: Issue | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.issue = issue
        # Publishing before the 出刊日期 asks first (static/editorial/admin/early_publish.js); the server insists.
        self.early_message = self._early_message(timezone.now()) if transition is workflow.Publish else ""
        if transition is not workflow.Publish and transition is not workflow.Schedule:
            del self.fields["early_confirmed"]
        self.fields["comment"].label = transition.comment_label
        self.fields["comment"].required = transition.comment_required
        if transition.comment_required:
            self.fields["comment"].error_messages["required"] = f"请填写{transition.comment_label}。"
        if transition is workflow.Schedule:
            self.fields["scheduled_at"].required = True
            self.fields["scheduled_at"].error_messages["required"] = "请填写定时发布的日期和时间。"
            planned = issue.scheduled_at if issue is not None else None
            self.fields["scheduled_at"].initial = timezone.localtime(planned) if planned else default_schedule_time()
        else:
            del self.fields["scheduled_at"]

    def _early_message(self, when) -> str:
        """The question to ask when publishing at `when` comes before the issue's 出刊日期, else ""."""
        if self.issue is None or when is None:
            return ""
        days = (self.issue.date - timezone.localtime(when).date()).days
        if days <= 0:
            return ""
        moment = "现在发布" if self.transition is workflow.Publish else "定时发布时间"
        return (
            f"{self.issue.period_label}的出刊日期是{self.issue.date.month}月{self.issue.date.day}日，"
            f"{moment}比出刊日期早 {days} 天，读者届时就能看到本期。确定提前发布吗？"
        )

    def clean(self):
        cleaned = super().clean()
        if "early_confirmed" not in self.fields:
            return cleaned
        when = cleaned.get("scheduled_at") if self.transition is workflow.Schedule else timezone.now()
        question = self._early_message(when)
        if question and cleaned.get("early_confirmed") != "1":
            raise ValidationError(
                f"没有{self.transition.label}：{question.removesuffix('确定提前发布吗？')}请确认后再操作。"
            )
        return cleaned


def default_schedule_time():
    """Friday 9:00 of this week, or of next week once that has passed: when the office usually publishes."""
    now = timezone.localtime()
    friday = services.next_issue_date(today=now.date(), latest=None)
    at = now.replace(year=friday.year, month=friday.month, day=friday.day, hour=9, minute=0, second=0, microsecond=0)
    if at <= now:
        at += datetime.timedelta(days=7)
    return at


class ArrangeForm(forms.Form):
    """The compose board's new order: JSON [{"section": id, "articles": [id, …]}, …] and the board's stamp."""

    layout = forms.CharField(widget=forms.HiddenInput)
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(label="更正说明", required=False, max_length=500)

    def clean_layout(self):
        try:
            raw = json.loads(self.cleaned_data["layout"])
            layout = [(int(entry["section"]), [int(pk) for pk in entry["articles"]]) for entry in raw]
        except (ValueError, TypeError, KeyError) as error:
            raise ValidationError("排序数据不完整，没有保存。请刷新页面后重新排序。") from error
        return layout

    def clean_stamp(self):
        raw = self.cleaned_data.get("stamp")
        if not raw:
            return None
        try:
            return datetime.datetime.fromisoformat(raw)
        except ValueError as error:
            raise ValidationError("页面数据不完整，请刷新页面后重新排序。") from error


class PlaceForm(forms.Form):
    """Add an article from the pool to this issue, in a section."""

    article = forms.ModelChoiceField(
        queryset=Article.objects.in_pool(),
        error_messages={"invalid_choice": "这篇稿件已不在稿件库中（可能已被别人编入期刊），请刷新页面。"},
    )
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(), label="栏目", error_messages={"required": "请先为稿件选择栏目，再加入本期。"}
    )
    correction_note = forms.CharField(label="更正说明", required=False, max_length=500)


class MoveForm(forms.Form):
    """Move an article to another issue (and section), or back to the pool."""

    issue = forms.ModelChoiceField(
        queryset=Issue.objects.none(), required=False, label="移到", empty_label="稿件库（暂不编入期刊）"
    )
    section = forms.ModelChoiceField(queryset=Section.objects.all(), required=False, label="栏目")
    correction_note = forms.CharField(
        label="更正说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def __init__(self, *args, user=None, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = Issue.objects.filter(status__in=workflow.editable_statuses(user=user)).order_by(
            "-date", "-number"
        )
        if article is not None:
            self.fields["section"].initial = article.section_id
            self.fields["issue"].initial = article.issue_id

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("issue") is not None and cleaned.get("section") is None:
            self.add_error("section", "编入期刊需要选择栏目。")
        return cleaned


class SectionAddForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.all(), label="加入栏目")
    correction_note = forms.CharField(label="更正说明", required=False, max_length=500)


class ColumnNameExportForm(SelectableFieldsExportForm):
    """The export form's field checkboxes labelled with the sheet's Chinese column names only."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field is not None else super()._get_field_label(resource, field_name)
