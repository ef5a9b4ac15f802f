"""Versions of articles and issues as editors see them: who saved what when, what changed, and a diff of two.

`text_diff` is a pure function (character by character, since Chinese has no spaces to split words
on); the rest reads django-simple-history's records in a fixed number of queries per page.
"""

import datetime
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import format_html, format_html_join

from .formatting import actor_name, chinese_date, format_time
from .models import Article, Issue, Section, SourceRegion

KINDS = {"+": "新建", "~": "修改", "-": "删除"}
# How a restore's reason begins (the admin's and the services' own wording alike): such a version reads 恢复.
RESTORED = "恢复到"


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The edit from `old` to `new` as runs of ("equal" | "delete" | "insert", text), in reading order."""
    runs: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", old[a1:a2]))
            continue
        if op in ("delete", "replace"):
            runs.append(("delete", old[a1:a2]))
        if op in ("insert", "replace"):
            runs.append(("insert", new[b1:b2]))
    return runs


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    is_text: bool = False


ARTICLE_FIELDS = (
    Field("title", "标题", is_text=True),
    Field("body", "正文", is_text=True),
    Field("section_id", "栏目"),
    Field("issue_id", "所在期刊"),
    Field("regions", "来源地区"),
    Field("source", "来源", is_text=True),
    Field("page", "原刊页码"),
)
ISSUE_FIELDS = (
    Field("number", "期号"),
    Field("date", "出刊日期"),
    Field("status", "状态"),
    Field("scheduled_at", "定时发布时间"),
    Field("published_at", "发布时间"),
)
FIELDS = {Article: ARTICLE_FIELDS, Issue: ISSUE_FIELDS}


@dataclass
class Version:
    """One saved version: its record, its number counting from the first, who, when, and what it changed."""

    record: object
    number: int
    values: dict
    changed: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.record.history_type == "~" and self.reason.startswith(RESTORED):
            return "恢复"
        return KINDS.get(self.record.history_type, self.record.history_type)

    @property
    def author(self) -> str:
        return actor_name(self.record.history_user)

    @property
    def when(self) -> str:
        return format_time(self.record.history_date)

    @property
    def reason(self) -> str:
        return self.record.history_change_reason or ""


@dataclass(frozen=True)
class Change:
    """One field compared between two versions; `runs` is the character diff for text fields."""

    label: str
    old: str
    new: str
    runs: list[tuple[str, str]] | None = None

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def runs_html(self) -> str:
        """The diff as escaped text with <del>/<ins>, without stray whitespace (it is shown pre-wrapped)."""
        tags = {"delete": "<del>{}</del>", "insert": "<ins>{}</ins>", "equal": "{}"}
        return format_html_join("", "{}", ((format_html(tags[op], text),) for op, text in self.runs or []))


def _display(model, records) -> list[dict]:
    """Each record's fields as editors read them (names, not ids), in a fixed number of queries."""
    fields = FIELDS[model]
    regions_by_record: dict[int, list[int]] = {}
    if model is Article:
        through = Article.history.model.regions.model
        for history_id, region_id in through.objects.filter(history__in=[r.history_id for r in records]).values_list(
            "history_id", "sourceregion_id"
        ):
            regions_by_record.setdefault(history_id, []).append(region_id)
        region_names = dict(SourceRegion.objects.values_list("pk", "name"))
        section_names = dict(Section.objects.values_list("pk", "name"))
        issue_ids = {r.issue_id for r in records if r.issue_id}
        issue_labels = {issue.pk: issue.period_label for issue in Issue.objects.filter(pk__in=issue_ids)}
    rows = []
    for record in records:
        row = {}
        for each in fields:
            if each.name == "regions":
                ids = sorted(regions_by_record.get(record.history_id, []))
                row[each.name] = "、".join(region_names.get(pk, "（已删除的地区）") for pk in ids) or "（无）"
            elif each.name == "section_id":
                row[each.name] = section_names.get(record.section_id, "（无）") if record.section_id else "（无）"
            elif each.name == "issue_id":
                row[each.name] = (
                    issue_labels.get(record.issue_id, "（已删除的期刊）") if record.issue_id else "稿件库（未编入期刊）"
                )
            elif each.name == "status":
                row[each.name] = Issue.Status(record.status).label
            else:
                value = getattr(record, each.name)
                if isinstance(value, datetime.datetime):
                    value = format_time(value)
                elif isinstance(value, datetime.date):
                    value = chinese_date(value)
                row[each.name] = "" if value is None else str(value)
        rows.append(row)
    return rows


def versions(model, pk: int) -> list[Version]:
    """Every saved version of one article or issue (deleted ones too), newest first, each with what it changed."""
    records = list(model.history.filter(id=pk).select_related("history_user").order_by("history_date", "history_id"))
    result = []
    previous = None
    for number, (record, values) in enumerate(zip(records, _display(model, records), strict=True), start=1):
        version = Version(record=record, number=number, values=values)
        if previous is not None:
            version.changed = [f.label for f in FIELDS[model] if values[f.name] != previous[f.name]]
        previous = values
        result.append(version)
    return result[::-1]


def compare(
    model, pk: int, old_history_id: int, new_history_id: int, *, chronological: bool = True
) -> tuple[Version, Version, list[Change]]:
    """Two versions of one object and every field side by side, text fields with a character diff.

    Chronological (the default) diffs the earlier against the later version whichever way they were
    picked; a restore diffs the current version against the one it brings back.
    """
    by_id = {version.record.history_id: version for version in versions(model, pk)}
    old, new = by_id[old_history_id], by_id[new_history_id]
    later = (old.record.history_date, old.record.history_id) > (new.record.history_date, new.record.history_id)
    if chronological and later:
        old, new = new, old
    changes = []
    for each in FIELDS[model]:
        before, after = old.values[each.name], new.values[each.name]
        runs = text_diff(before, after) if each.is_text and before != after else None
        changes.append(Change(label=each.label, old=before, new=after, runs=runs))
    return old, new, changes
