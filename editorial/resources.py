"""django-import-export resources: spreadsheet import/export of articles, sections and regions.

Rules shared by the three resources (`SpreadsheetResource`):

- All or nothing: an import runs in one transaction and any bad row (an error or a
  failed validation) rolls back every row.
- Exports neutralise spreadsheet formulas (OWASP, CSV Injection): wherever a spreadsheet
  could start reading a cell at a formula sign, an apostrophe goes first, so Excel, WPS
  and LibreOffice show text instead of running it; importing such a file takes exactly
  those apostrophes off again, so an export imports back unchanged. See `neutralise`.
  Empty values export as empty cells.
- Positions are unique (a section's default order, an article's place in its issue).
  A sheet may swap or shift them: the row that takes a position moves the current
  holder out of the way, and the import fails if a holder is left with no position
  of its own at the end.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import F
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.results import RowResult

from . import services
from .activity import log_action
from .models import Adoption, Article, Instruction, Issue, LeaderLevel, Section, SourceRegion

PARKED = 1_000_000
# The formats offered in the admin for import and export.
SPREADSHEET_FORMATS = [CSV, XLSX, JSON]


# The signs that start a formula, with the full-width and small forms Chinese input methods type: WPS and
# Excel in Chinese locales read some of them as their ASCII twins.
FORMULA_SIGNS = "=+-@＝＋－＠﹦﹢﹣﹫"
# Where a spreadsheet may begin a cell inside a text: after a list separator (a CSV opened where the
# separator is ";" splits there), a tab, or a line break (which ends the row once a CSV's quoting has been
# thrown off by another separator).
CELL_BREAKS = ",;\t\r\n"
_SIGN = f"[{re.escape(FORMULA_SIGNS)}]"
# At the start of a value: a sign after any quotes and white space (line breaks too), or a tab or line
# break first of all (OWASP's list). Within it: a sign after a cell break, quotes and spaces.
_FORMULA_AT_START = re.compile(rf"^(?=['\"\s]*{_SIGN}|'*[\t\r\n])")
_FORMULA_AFTER_BREAK = re.compile(rf"(?<=[{re.escape(CELL_BREAKS)}])(?=(?:['\"]|[^\S\t\r\n])*{_SIGN})")


def _formula_starts(text: str) -> list[int]:
    """The places in `text` where a spreadsheet could begin a cell that it reads as a formula.

    Apostrophes are skipped like spaces, so putting one at such a place leaves it such a place: that
    is what lets `restore` find exactly the apostrophes `neutralise` added.
    """
    starts = {match.start() for match in _FORMULA_AT_START.finditer(text)}
    starts.update(match.start() for match in _FORMULA_AFTER_BREAK.finditer(text))
    return sorted(starts)


def neutralise(value):
    """A cell value safe to open in a spreadsheet: an apostrophe before every place a formula could start."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    parts, done = [], 0
    for start in _formula_starts(value):
        parts += [value[done:start], "'"]
        done = start
    parts.append(value[done:])
    return "".join(parts)


def restore(value):
    """The inverse of `neutralise` for an imported cell (also reads Excel's own '=… for text)."""
    if not isinstance(value, str):
        return value
    added = {start for start in _formula_starts(value) if value.startswith("'", start)}
    return "".join(char for index, char in enumerate(value) if index not in added) if added else value


class SpreadsheetResource(resources.ModelResource):
    """Formula-safe export, apostrophe-aware import, one transaction, swappable unique positions."""

    # Subclasses name the position field and the field its uniqueness is scoped to (None: global).
    position_field: str | None = None
    position_scope: str | None = None

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        # An empty XLSX cell reads as None; every widget here takes "" as empty, and text fields need it.
        for column, value in row.items():
            row[column] = "" if value is None else restore(value)

    def import_data(self, dataset, **kwargs):
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return super().import_data(dataset, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        self._make_room(instance)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def _make_room(self, instance) -> None:
        """Park whoever holds the position this row asks for (it gets its own when its row comes)."""
        if self.position_field is None or getattr(instance, self.position_field) is None:
            return
        scope = {}
        if self.position_scope is not None:
            scope_value = getattr(instance, f"{self.position_scope}_id")
            if scope_value is None:
                return
            scope = {f"{self.position_scope}_id": scope_value}
        holders = self._meta.model.objects.filter(
            **scope, **{self.position_field: getattr(instance, self.position_field)}
        )
        if instance.pk:
            holders = holders.exclude(pk=instance.pk)
        holders.update(**{self.position_field: F(self.position_field) + PARKED})

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            user = kwargs.get("user")
            log_action(
                "spreadsheet_import",
                user=user if getattr(user, "pk", None) else None,
                model=self._meta.model._meta.model_name,
                new=result.totals[RowResult.IMPORT_TYPE_NEW],
                updated=result.totals[RowResult.IMPORT_TYPE_UPDATE],
                deleted=result.totals[RowResult.IMPORT_TYPE_DELETE],
            )
        if self.position_field is not None:
            stranded = self._meta.model.objects.filter(**{f"{self.position_field}__gte": PARKED}).first()
            if stranded is not None:
                position = getattr(stranded, self.position_field) - PARKED
                raise ValidationError(
                    f"顺序号 {position} 已被表格之外的“{stranded}”占用；请在表格中同时给它一个新的顺序号，或换一个顺序号。"
                )


class PositionWidget(widgets.IntegerWidget):
    """A position; while an import runs, a parked holder shows its position as it was (in the preview's diff)."""

    def render(self, value, obj=None, **kwargs):
        if value is not None and value >= PARKED:
            value -= PARKED
        return super().render(value, obj, **kwargs)


class RegionListWidget(widgets.ManyToManyWidget):
    """Regions as names separated by 、 or commas; a slug is accepted wherever a name is ambiguous."""

    SEPARATORS = re.compile(r"[、,，;；\s]+")

    def __init__(self):
        super().__init__(SourceRegion, separator="、", field="name")

    def clean(self, value, row=None, **kwargs):
        names = [token for token in self.SEPARATORS.split(str(value or "")) if token]
        regions = []
        for token in names:
            matches = list(SourceRegion.objects.filter(slug=token)) or list(SourceRegion.objects.filter(name=token))
            if not matches:
                raise ValueError(f"找不到来源地区“{token}”。")
            if len(matches) > 1:
                slugs = "、".join(region.slug for region in matches)
                raise ValueError(f"来源地区“{token}”有重名，请改用网址名（{slugs}）之一。")
            regions.append(matches[0])
        return regions

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(region.name for region in value.all())


class YesNoWidget(widgets.BooleanWidget):
    """是/否 in the sheet; 1/0, true/false and yes/no are read too."""

    TRUE_VALUES = ["是", "1", 1, True, "true", "TRUE", "True", "yes", "Yes"]
    FALSE_VALUES = ["否", "0", 0, False, "false", "FALSE", "False", "no", "No"]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("是" if value else "否")

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return None
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(f"“{value}”不是“是”或“否”。")


class ChoiceLabelWidget(widgets.Widget):
    """A choice field written as its Chinese label (省级), read back from the label or the stored value."""

    def __init__(self, choices):
        super().__init__()
        self.labels = dict(choices.choices)
        self.values = {label: value for value, label in self.labels.items()}

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")

    def clean(self, value, row=None, **kwargs):
        if value in self.labels:
            return value
        if value in self.values:
            return self.values[value]
        raise ValueError(f"“{value}”不是可选的值（{'、'.join(self.values)}）。")


class ArticleResource(SpreadsheetResource):
    """Articles by issue number and position; rows without an issue are articles for the pool."""

    issue = fields.Field(attribute="issue", column_name="期号", widget=widgets.ForeignKeyWidget(Issue, field="number"))
    section = fields.Field(
        attribute="section", column_name="栏目", widget=widgets.ForeignKeyWidget(Section, field="name")
    )
    position = fields.Field(attribute="position", column_name="期内顺序", widget=PositionWidget())
    page = fields.Field(attribute="page", column_name="原刊页码", widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name="标题")
    body = fields.Field(attribute="body", column_name="正文")
    regions = fields.Field(attribute="regions", column_name="来源地区", widget=RegionListWidget())

    position_field = "position"
    position_scope = "issue"

    class Meta:
        model = Article
        fields = ["issue", "section", "position", "page", "title", "body", "regions"]
        export_order = fields
        import_id_fields = ["issue", "position"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return (
            Article.objects.select_related("issue", "section")
            .prefetch_related("regions")
            .order_by(F("issue__number").asc(nulls_last=True), "position", "pk")
        )

    def get_instance(self, instance_loader, row):
        # Pool articles have no natural key: every pool row is a new article.
        if row.get(self.fields["issue"].column_name) in ("", None):
            return None
        return super().get_instance(instance_loader, row)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._changed_issues: set[int] = set()

    def save_instance(self, instance, is_create, row, **kwargs):
        # Every row goes through the services like any other write (version, history, stamps, the
        # workflow's rules), its regions with it — so save_m2m has nothing left to do. Imports always
        # run in a transaction (import_data), which a preview rolls back.
        self.before_save_instance(instance, row, **kwargs)
        previous = None if is_create else Article.objects.filter(pk=instance.pk).values_list("issue_id", flat=True)[0]
        user = kwargs.get("user")
        services.spreadsheet_article_write(
            article=instance,
            regions=[region.pk for region in self.fields["regions"].clean(row)],
            user=user if getattr(user, "pk", None) else None,
        )
        self._changed_issues.update({previous, instance.issue_id} - {None})
        self.after_save_instance(instance, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        """The regions were written with the article (save_instance)."""

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        user = kwargs.get("user")
        if getattr(user, "pk", None) and not kwargs.get("dry_run"):
            services.record_import_corrections(issue_ids=self._changed_issues, user=user, what="从表格导入稿件")


class SectionResource(SpreadsheetResource):
    name = fields.Field(attribute="name", column_name="栏目名称")
    slug = fields.Field(attribute="slug", column_name="网址名")
    position = fields.Field(attribute="position", column_name="默认顺序", widget=PositionWidget())
    is_standing = fields.Field(attribute="is_standing", column_name="常设栏目", widget=YesNoWidget())

    position_field = "position"

    class Meta:
        model = Section
        fields = ["name", "slug", "position", "is_standing"]
        export_order = fields
        import_id_fields = ["slug"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class SourceRegionResource(SpreadsheetResource):
    name = fields.Field(attribute="name", column_name="名称")
    slug = fields.Field(attribute="slug", column_name="网址名")
    kind = fields.Field(attribute="kind", column_name="级别", widget=ChoiceLabelWidget(SourceRegion.Kind))
    parent = fields.Field(
        attribute="parent",
        column_name="上级地区（网址名）",
        widget=widgets.ForeignKeyWidget(SourceRegion, field="slug"),
    )
    aliases = fields.Field(attribute="aliases", column_name="别名")
    in_yangtze_delta = fields.Field(attribute="in_yangtze_delta", column_name="属于长三角", widget=YesNoWidget())
    position = fields.Field(attribute="position", column_name="排序", widget=widgets.IntegerWidget())

    class Meta:
        model = SourceRegion
        fields = ["name", "slug", "kind", "parent", "aliases", "in_yangtze_delta", "position"]
        export_order = fields
        import_id_fields = ["slug"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return SourceRegion.objects.select_related("parent").order_by("position", "pk")


# ---------------------------------------------------------------------------------------------
# Export-only sheets of the office's record: leaders' instructions and adoptions (formula-safe like the rest).


class RecordArticleWidget(widgets.Widget):
    """The record's article as its title, or where it appeared (2024年第12期, 稿件库)."""

    def __init__(self, part: str):
        super().__init__()
        self.part = part

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if self.part == "title":
            return value.title
        if self.part == "section":
            return value.section.name if value.section_id else ""
        if self.part == "regions":
            return "、".join(region.name for region in value.regions.all())
        issue = value.issue
        return issue.period_label if issue is not None else "稿件库"


class RecordResource(SpreadsheetResource):
    """Shared columns: the article's title, issue, section and regions."""

    article_title = fields.Field(attribute="article", column_name="稿件标题", widget=RecordArticleWidget("title"))
    article_issue = fields.Field(attribute="article", column_name="期号", widget=RecordArticleWidget("issue"))
    article_section = fields.Field(attribute="article", column_name="栏目", widget=RecordArticleWidget("section"))
    article_regions = fields.Field(attribute="article", column_name="来源地区", widget=RecordArticleWidget("regions"))

    def import_data(self, dataset, **kwargs):
        raise ValidationError("领导批示和被采用只能导出，不能从表格导入。")


class InstructionResource(RecordResource):
    date = fields.Field(attribute="date", column_name="批示日期", widget=widgets.DateWidget("%Y-%m-%d"))
    leader = fields.Field(attribute="leader", column_name="批示领导")
    leader_title = fields.Field(attribute="leader_title", column_name="职务")
    level = fields.Field(
        attribute="level", column_name="领导级别", widget=widgets.ForeignKeyWidget(LeaderLevel, "name")
    )
    gist = fields.Field(attribute="gist", column_name="批示要点")
    has_scan = fields.Field(column_name="有扫描件")

    class Meta:
        model = Instruction
        fields = [
            "date",
            "leader",
            "leader_title",
            "level",
            "gist",
            "article_title",
            "article_issue",
            "article_section",
            "article_regions",
            "has_scan",
        ]
        export_order = fields

    def get_queryset(self):
        return Instruction.objects.select_related("level", "article__issue", "article__section").prefetch_related(
            "article__regions"
        )

    def dehydrate_has_scan(self, instruction):
        return "是" if instruction.scan else "否"


class AdoptionResource(RecordResource):
    date = fields.Field(attribute="date", column_name="采用日期", widget=widgets.DateWidget("%Y-%m-%d"))
    adopted_by = fields.Field(attribute="adopted_by", column_name="采用单位或刊物")
    note = fields.Field(attribute="note", column_name="说明")

    class Meta:
        model = Adoption
        fields = ["date", "adopted_by", "note", "article_title", "article_issue", "article_section", "article_regions"]
        export_order = fields

    def get_queryset(self):
        return Adoption.objects.select_related("article__issue", "article__section").prefetch_related(
            "article__regions"
        )
